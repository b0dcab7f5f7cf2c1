/* unlink, unlinkat and rmdir: an unlinked file stays usable through open
 * descriptors (read, write, fstat nlink 0) until closed; unlink of a directory
 * is EISDIR, rmdir of a file ENOTDIR, of a non-empty directory ENOTEMPTY, of
 * "." EINVAL, of ".." ENOTEMPTY, of "/" EBUSY; a symlink is removed, not its
 * target (rmdir on one is ENOTDIR); the parent's link count drops; an open,
 * removed directory is empty and nothing can be created in it (ENOENT);
 * unlinkat with AT_REMOVEDIR, EINVAL for other flags; ENOENT, ENOTDIR, EFAULT,
 * EBADF. */
#include "fs_util.h"

static long nlink(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (long)st.st_nlink : -1;
}

int main(void) {
    char buf[32];
    struct stat st;
    fs_enter_scratch();

    /* An unlinked, open file. */
    CHECK_OK(fs_write_file("f", "contents"));
    int fd = open("f", O_RDWR);
    CHECK_OK(unlink("f"));
    CHECK_ERR(lstat("f", &st), ENOENT);
    CHECK_ERR(open("f", O_RDONLY), ENOENT);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_nlink, 0);
    CHECK_RET(st.st_size, 8);
    CHECK_RET(read(fd, buf, sizeof buf), 8);
    CHECK_RET(write(fd, "+", 1), 1);
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 9);
    CHECK_OK(ftruncate(fd, 2));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 2);
    CHECK_OK(fs_write_file("f", "new")); /* the name is free for a new file */
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 2);
    CHECK_OK(close(fd));
    CHECK_ERR(unlink("missing"), ENOENT);

    /* Directories. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(mkdir("d/sub", 0755));
    CHECK_RET(nlink("d"), 3);
    CHECK_ERR(unlink("d"), EISDIR);
    CHECK_ERR(unlink("d/sub"), EISDIR);
    CHECK_ERR(rmdir("f"), ENOTDIR);
    CHECK_ERR(rmdir("d"), ENOTEMPTY);
    CHECK_ERR(rmdir("d/sub/."), EINVAL);
    CHECK_ERR(rmdir("."), EINVAL);
    CHECK_ERR(rmdir("d/sub/.."), ENOTEMPTY);
    CHECK_ERR(rmdir(".."), ENOTEMPTY);
    CHECK_ERR(rmdir("/"), EBUSY);
    CHECK_OK(rmdir("d/sub"));
    CHECK_RET(nlink("d"), 2);
    CHECK_ERR(rmdir("d/sub"), ENOENT);
    CHECK_OK(fs_write_file("d/file", ""));
    CHECK_ERR(rmdir("d"), ENOTEMPTY); /* a file is enough */
    CHECK_OK(unlink("d/file"));

    /* An open directory removed. */
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(rmdir("d"));
    CHECK_OK(fstat(dfd, &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_RET(st.st_nlink, 0);
    CHECK_ERR(openat(dfd, "x", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_ERR(mkdirat(dfd, "x", 0755), ENOENT);
    CHECK_ERR(openat(dfd, "x", O_RDONLY), ENOENT);
    CHECK_OK(close(dfd));

    /* Symlinks. */
    CHECK_OK(mkdir("t", 0755));
    CHECK_OK(symlink("t", "lt"));
    CHECK_OK(symlink("f", "lf"));
    CHECK_ERR(rmdir("lt"), ENOTDIR);
    CHECK_OK(unlink("lt"));
    CHECK_OK(stat("t", &st));
    CHECK_OK(unlink("lf"));
    CHECK_OK(stat("f", &st));

    /* unlinkat. */
    CHECK_OK(mkdir("u", 0755));
    CHECK_OK(mkdir("u/dd", 0755));
    CHECK_OK(fs_write_file("u/ff", ""));
    int ufd = open("u", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(unlinkat(ufd, "dd", 0), EISDIR);
    CHECK_ERR(unlinkat(ufd, "ff", AT_REMOVEDIR), ENOTDIR);
    CHECK_ERR(unlinkat(ufd, "ff", AT_SYMLINK_NOFOLLOW), EINVAL);
    CHECK_ERR(unlinkat(ufd, "ff", 0x1), EINVAL);
    CHECK_ERR(unlinkat(ufd, ".", AT_REMOVEDIR), EINVAL);
    CHECK_OK(unlinkat(ufd, "dd", AT_REMOVEDIR));
    CHECK_OK(unlinkat(ufd, "ff", 0));
    CHECK_ERR(unlinkat(ufd, "ff", 0), ENOENT);
    CHECK_OK(unlinkat(AT_FDCWD, "u", AT_REMOVEDIR));
    CHECK_ERR(unlinkat(99, "x", 0), EBADF);
    int ffd = open("f", O_RDONLY);
    CHECK_ERR(unlinkat(ffd, "x", 0), ENOTDIR);
    CHECK_OK(close(ffd));
    CHECK_OK(close(ufd));

    /* Lookup errors. */
    CHECK_ERR(unlink("f/x"), ENOTDIR);
    CHECK_ERR(rmdir("f/x"), ENOTDIR);
    CHECK_ERR(unlink("nodir/x"), ENOENT);
    CHECK_ERR(unlink((char *)1), EFAULT);
    CHECK_ERR(rmdir((char *)1), EFAULT);

    fs_leave_scratch();
    return check_status();
}
