/* open and openat flags on regular files, directories and symlinks: O_CREAT
 * (mode & ~umask, type bits ignored, an existing file untouched, creation
 * through a dangling symlink), O_EXCL (EEXIST, also for any symlink), O_TRUNC
 * (also with O_RDONLY), O_APPEND (every write at the end), O_DIRECTORY
 * (ENOTDIR on files, follows symlinks), O_NOFOLLOW (ELOOP on a final symlink,
 * fine in the middle), O_CLOEXEC, the access modes (EBADF for the wrong
 * direction, access mode 3 allows neither), what F_GETFL keeps (O_LARGEFILE
 * added, O_CREAT/O_EXCL/O_TRUNC dropped), and the errors: ENOENT, empty path,
 * ENOTDIR, EISDIR (writing or creating a directory, O_CREAT with a trailing
 * slash), EFAULT, EBADF/ENOTDIR for a bad dirfd. (O_CREAT|O_DIRECTORY is left
 * out: EINVAL only since 6.4.) */
#include "fs_util.h"

/* The kernel's O_LARGEFILE (glibc defines it as 0 on 64-bit). */
#define K_O_LARGEFILE 0100000

static int mode_of(const char *p) {
    struct stat st;
    if (lstat(p, &st) != 0)
        return -1;
    return st.st_mode;
}

static long size_of(const char *p) {
    struct stat st;
    if (stat(p, &st) != 0)
        return -1;
    return st.st_size;
}

int main(void) {
    char buf[64];
    umask(022);
    fs_enter_scratch();

    /* O_CREAT: mode & ~umask, a regular file whatever type bits are given. */
    CHECK_ERR(open("f", O_RDONLY), ENOENT);
    int fd = open("f", O_WRONLY | O_CREAT, 0666);
    CHECK(fd >= 0);
    CHECK_RET(mode_of("f"), S_IFREG | 0644);
    CHECK_RET(write(fd, "hello", 5), 5);
    CHECK_OK(close(fd));
    fd = open("f", O_RDWR | O_CREAT, 0600); /* exists: mode and data kept */
    CHECK(fd >= 0);
    CHECK_RET(mode_of("f"), S_IFREG | 0644);
    CHECK_RET(size_of("f"), 5);
    CHECK_OK(close(fd));
    fd = open("typed", O_WRONLY | O_CREAT, S_IFDIR | 0640);
    CHECK(fd >= 0);
    CHECK_RET(mode_of("typed"), S_IFREG | 0640);
    CHECK_OK(close(fd));
    fd = open("special", O_WRONLY | O_CREAT, 07777); /* root keeps set-id bits */
    CHECK(fd >= 0);
    CHECK_RET(mode_of("special"), S_IFREG | 07755);
    CHECK_OK(close(fd));

    /* O_EXCL. */
    CHECK_ERR(open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_OK(symlink("f", "link_f"));
    CHECK_OK(symlink("newtarget", "dangling"));
    CHECK_ERR(open("link_f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_ERR(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_RET(mode_of("newtarget"), -1);
    fd = open("excl", O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    /* Without O_EXCL, O_CREAT through a dangling symlink creates the target. */
    fd = open("dangling", O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_RET(mode_of("newtarget"), S_IFREG | 0600);
    CHECK_RET(mode_of("dangling"), S_IFLNK | 0777);

    /* O_TRUNC, also through a read-only open. */
    CHECK_OK(fs_write_file("t", "0123456789"));
    fd = open("t", O_RDONLY | O_TRUNC);
    CHECK(fd >= 0);
    CHECK_RET(size_of("t"), 0);
    CHECK_OK(close(fd));
    CHECK_OK(fs_write_file("t", "0123456789"));
    fd = open("t", O_WRONLY | O_TRUNC);
    CHECK_RET(size_of("t"), 0);
    CHECK_RET(write(fd, "ab", 2), 2);
    CHECK_OK(close(fd));
    CHECK_RET(size_of("t"), 2);

    /* O_APPEND: every write lands at the end, whatever the offset. */
    fd = open("t", O_RDWR | O_APPEND);
    CHECK(fd >= 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 0);
    CHECK_RET(write(fd, "cd", 2), 2);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 4);
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK_RET(read(fd, buf, 1), 1); /* reads use the offset */
    CHECK(buf[0] == 'a');
    CHECK_RET(write(fd, "ef", 2), 2);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 6);
    CHECK_RET(pread(fd, buf, 6, 0), 6);
    CHECK(memcmp(buf, "abcdef", 6) == 0);
    CHECK_RET(pwrite(fd, "XY", 2, 0), 2); /* Linux: pwrite appends too */
    CHECK_RET(pread(fd, buf, 8, 0), 8);
    CHECK(memcmp(buf, "abcdefXY", 8) == 0);
    CHECK_OK(close(fd));

    /* O_DIRECTORY. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(symlink("d", "link_d"));
    CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(open("link_f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    fd = open("link_d", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_ERR(open("nothere", O_RDONLY | O_DIRECTORY), ENOENT);

    /* O_NOFOLLOW. */
    CHECK_ERR(open("link_f", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("dangling", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("dangling", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP);
    CHECK_ERR(open("link_d", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("link_d", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
    CHECK_OK(fs_write_file("d/inner", "in"));
    fd = open("link_d/inner", O_RDONLY | O_NOFOLLOW); /* only the last component */
    CHECK(fd >= 0);
    CHECK_OK(close(fd));

    /* Directories: read-only opens only; read(2) on one is EISDIR. */
    CHECK_ERR(open("d", O_WRONLY), EISDIR);
    CHECK_ERR(open("d", O_RDWR), EISDIR);
    CHECK_ERR(open("d", O_RDONLY | O_TRUNC), EISDIR);
    CHECK_ERR(open("d", O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(open("d", O_RDONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(open("newdir/", O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(open("newdir/", O_RDONLY | O_CREAT, 0644), EISDIR);
    CHECK_RET(mode_of("newdir"), -1);
    fd = open("d", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_ERR(read(fd, buf, 1), EISDIR);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_OK(close(fd));
    fd = open("d/", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));

    /* Access modes. */
    fd = open("f", O_RDONLY);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_RET(read(fd, buf, 5), 5);
    CHECK_RET(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_OK(close(fd));
    fd = open("f", O_WRONLY);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_RET(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_OK(close(fd));
    fd = open("f", O_ACCMODE); /* 3: checked for both, good for neither */
    CHECK(fd >= 0);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_RET(fcntl(fd, F_GETFL) & O_ACCMODE, O_ACCMODE);
    CHECK_OK(close(fd));

    /* F_GETFL: O_LARGEFILE is added on 64-bit, creation flags are not kept. */
    fd = open("f", O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_NONBLOCK | O_NOCTTY, 0644);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFL), O_RDWR | O_APPEND | O_NONBLOCK | K_O_LARGEFILE);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_OK(close(fd));
    fd = open("f", O_RDONLY | O_CLOEXEC);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(fd, F_GETFL), O_RDONLY | K_O_LARGEFILE);
    CHECK_OK(close(fd));
    fd = open("f", O_RDONLY | 0x40000000); /* open(2) ignores unknown bits */
    CHECK(fd >= 0);
    CHECK_OK(close(fd));

    /* Errors. */
    CHECK_ERR(open("", O_RDONLY), ENOENT);
    CHECK_ERR(open("", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_ERR(open("f/x", O_RDONLY), ENOTDIR);
    CHECK_ERR(open("f/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
    CHECK_ERR(open("f/", O_RDONLY), ENOTDIR);
    CHECK_ERR(open("nodir/x", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_ERR(syscall(SYS_open, (char *)1, O_RDONLY), EFAULT);
    CHECK_ERR(syscall(SYS_openat, AT_FDCWD, (char *)1, O_RDONLY), EFAULT);
    CHECK_ERR(openat(99, "f", O_RDONLY), EBADF);
    CHECK_ERR(openat(-5, "f", O_RDONLY), EBADF);
    int ffd = open("f", O_RDONLY);
    CHECK_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
    fd = openat(99, fs_scratch, O_RDONLY | O_DIRECTORY); /* absolute: dirfd unused */
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    fd = openat(dfd, "inner", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_RET(read(fd, buf, sizeof buf), 2);
    CHECK_OK(close(fd));
    fd = openat(AT_FDCWD, "d/inner", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_OK(close(dfd));
    CHECK_OK(close(ffd));

    fs_leave_scratch();
    return check_status();
}
