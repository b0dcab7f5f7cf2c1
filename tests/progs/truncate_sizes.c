/* truncate and ftruncate: growing fills with zeros, shrinking drops data (and
 * growing again does not bring it back), the offset is not moved, mtime
 * changes, O_APPEND descriptors may truncate, truncate follows symlinks;
 * errors: EINVAL for a negative length, for a descriptor not open for writing,
 * for a directory or pipe descriptor and for a FIFO path; EISDIR for a
 * directory path; EBADF; ENOENT/ENOTDIR/EFAULT for paths; EACCES for a user
 * without write permission (root is not refused). */
#include "fs_util.h"

static void unprivileged(void) {
    CHECK_ERR(truncate("ro", 0), EACCES);
    int fd = open("ro", O_RDONLY);
    CHECK_ERR(ftruncate(fd, 0), EINVAL);
    close(fd);
    CHECK_OK(truncate("rw", 1));
}

int main(void) {
    char buf[128];
    struct stat st;
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK_RET(write(fd, "hello", 5), 5);

    /* Grow. */
    CHECK_OK(ftruncate(fd, 100));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 100);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 5);
    memset(buf, 'x', sizeof buf);
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 100);
    int zeros = 1;
    for (int i = 5; i < 100; i++)
        if (buf[i] != 0)
            zeros = 0;
    CHECK(zeros && memcmp(buf, "hello", 5) == 0);

    /* Shrink, then grow again: the dropped bytes read as zeros. */
    CHECK_OK(ftruncate(fd, 3));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 3);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 5); /* now past EOF */
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    CHECK_OK(ftruncate(fd, 6));
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 6);
    CHECK(memcmp(buf, "hel\0\0\0", 6) == 0);
    CHECK_RET(write(fd, "Z", 1), 1); /* at offset 5 */
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 6);
    CHECK(memcmp(buf, "hel\0\0Z", 6) == 0);
    CHECK_OK(ftruncate(fd, 0));
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 0);

    /* mtime moves. */
    struct timespec old[2] = {{1000, 0}, {1000, 0}};
    CHECK_OK(futimens(fd, old));
    CHECK_OK(ftruncate(fd, 4096));
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_mtime > 1000 && st.st_ctime > 1000);

    /* By path, through a symlink; O_APPEND descriptors. */
    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(truncate("lf", 7));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 7);
    CHECK_OK(lstat("lf", &st));
    CHECK_RET(st.st_size, 1);
    int afd = open("f", O_WRONLY | O_APPEND);
    CHECK_OK(ftruncate(afd, 2));
    CHECK_OK(close(afd));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 2);

    /* Errors. */
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    CHECK_ERR(truncate("f", -1), EINVAL);
    CHECK_ERR(ftruncate(99, 0), EBADF);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(ftruncate(ro, 0), EINVAL);
    CHECK_OK(close(ro));
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(truncate("d", 0), EISDIR);
    int dfd = open("d", O_RDONLY);
    CHECK_ERR(ftruncate(dfd, 0), EINVAL);
    CHECK_OK(close(dfd));
    CHECK_OK(mkfifo("fifo", 0644));
    CHECK_ERR(truncate("fifo", 0), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(ftruncate(p[1], 0), EINVAL);
    close(p[0]);
    close(p[1]);
    CHECK_ERR(truncate("missing", 0), ENOENT);
    CHECK_ERR(truncate("f/x", 0), ENOTDIR);
    CHECK_ERR(truncate((char *)1, 0), EFAULT);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 2);

    /* Permissions. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(fs_write_file("ro", "data"));
    CHECK_OK(chmod("ro", 0444));
    CHECK_OK(fs_write_file("rw", "data"));
    CHECK_OK(chown("rw", 65534, 65534));
    FS_AS_USER(65534, 65534, unprivileged);
    CHECK_OK(stat("ro", &st));
    CHECK_RET(st.st_size, 4);
    CHECK_OK(stat("rw", &st));
    CHECK_RET(st.st_size, 1);
    CHECK_OK(truncate("ro", 1)); /* root overrides the mode */
    CHECK_OK(stat("ro", &st));
    CHECK_RET(st.st_size, 1);
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
