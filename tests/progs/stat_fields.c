/* stat, lstat, fstat and newfstatat: the fields a test can rely on for files
 * it made: type and permission bits, size, link counts (files, hard links,
 * directories with subdirectories), owner, st_rdev 0, st_blocks relations (a
 * written file has at least its size in blocks, a sparse one none), st_dev
 * shared and st_ino distinct within a directory, a symlink's size is its
 * target's length, lstat vs stat, timestamps set explicitly read back and
 * updated by writes; errors: ENOENT, ENOTDIR, EBADF, EFAULT, EINVAL for
 * unknown fstatat flags. */
#include "fs_util.h"

int main(void) {
    struct stat st, st2, lst;
    static char data[8192];
    umask(022);
    fs_enter_scratch();

    /* A regular file. */
    int fd = open("f", O_RDWR | O_CREAT, 0640);
    CHECK(fd >= 0);
    memset(data, 'x', sizeof data);
    CHECK_RET(write(fd, data, sizeof data), (long)sizeof data);
    CHECK_OK(fsync(fd));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_mode, S_IFREG | 0640);
    CHECK_RET(st.st_size, 8192);
    CHECK_RET(st.st_nlink, 1);
    CHECK(st.st_uid == getuid() && st.st_gid == getgid());
    CHECK_RET(st.st_rdev, 0);
    CHECK(st.st_blksize > 0);
    CHECK(st.st_blocks * 512 >= st.st_size);
    CHECK_OK(stat("f", &st2));
    CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    CHECK(st.st_mtim.tv_sec == st2.st_mtim.tv_sec && st.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
    CHECK_OK(fstatat(AT_FDCWD, "f", &st2, 0));
    CHECK(st.st_ino == st2.st_ino);

    /* A sparse file has no blocks. */
    int sfd = open("sparse", O_RDWR | O_CREAT, 0600);
    CHECK_OK(ftruncate(sfd, 1 << 20));
    CHECK_OK(fstat(sfd, &st2));
    CHECK_RET(st2.st_size, 1 << 20);
    CHECK_RET(st2.st_blocks, 0);
    CHECK(st2.st_dev == st.st_dev && st2.st_ino != st.st_ino);
    CHECK_OK(close(sfd));

    /* Explicit times; a write moves mtime forward. */
    struct timespec ts[2] = {{100000, 5000}, {200000, 7000}};
    CHECK_OK(futimens(fd, ts));
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_atim.tv_sec == 100000 && st.st_atim.tv_nsec == 5000);
    CHECK(st.st_mtim.tv_sec == 200000 && st.st_mtim.tv_nsec == 7000);
    CHECK(st.st_ctim.tv_sec > 200000);
    CHECK_RET(pwrite(fd, "y", 1, 0), 1);
    CHECK_OK(fstat(fd, &st2));
    CHECK(st2.st_mtim.tv_sec > 200000);
    CHECK(st2.st_ctim.tv_sec >= st.st_ctim.tv_sec);
    CHECK(st2.st_atim.tv_sec == 100000);

    /* Hard links. */
    CHECK_OK(link("f", "f2"));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_nlink, 2);
    CHECK_OK(stat("f2", &st2));
    CHECK(st.st_ino == st2.st_ino);

    /* Directories. */
    CHECK_OK(mkdir("d", 0751));
    CHECK_OK(stat("d", &st));
    CHECK_RET(st.st_mode, S_IFDIR | 0751);
    CHECK_RET(st.st_nlink, 2);
    CHECK_OK(mkdir("d/s1", 0755));
    CHECK_OK(mkdir("d/s2", 0755));
    CHECK_OK(fs_write_file("d/file", ""));
    CHECK_OK(stat("d", &st));
    CHECK_RET(st.st_nlink, 4); /* files do not count */
    CHECK_OK(stat("d/s1", &st2));
    CHECK(st2.st_dev == st.st_dev && st2.st_ino != st.st_ino);
    CHECK_OK(stat("d/s1/..", &st2));
    CHECK(st2.st_ino == st.st_ino);

    /* Symlinks. */
    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(symlink("a/longer/target", "lt"));
    CHECK_OK(lstat("lf", &lst));
    CHECK_RET(lst.st_mode, S_IFLNK | 0777);
    CHECK_RET(lst.st_size, 1);
    CHECK_RET(lst.st_nlink, 1);
    CHECK_OK(lstat("lt", &lst));
    CHECK_RET(lst.st_size, 15);
    CHECK_OK(stat("lf", &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 8192);
    CHECK(st.st_ino != lst.st_ino);
    CHECK_OK(fstatat(AT_FDCWD, "lf", &st, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERR(stat("lt", &st), ENOENT);
    CHECK_OK(lstat("f", &st)); /* lstat of a non-link is stat */
    CHECK(S_ISREG(st.st_mode));

    /* A FIFO. */
    CHECK_OK(mkfifo("p", 0600));
    CHECK_OK(stat("p", &st));
    CHECK_RET(st.st_mode, S_IFIFO | 0600);
    CHECK_RET(st.st_size, 0);

    /* Relative to a directory descriptor. */
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fstatat(dfd, "s1", &st, 0));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(fstatat(dfd, "..", &st, 0));
    CHECK_OK(stat(".", &st2));
    CHECK(st.st_ino == st2.st_ino);

    /* Errors. */
    CHECK_ERR(stat("missing", &st), ENOENT);
    CHECK_ERR(stat("f/x", &st), ENOTDIR);
    CHECK_ERR(fstatat(fd, "x", &st, 0), ENOTDIR);
    CHECK_ERR(fstatat(99, "x", &st, 0), EBADF);
    CHECK_ERR(fstat(99, &st), EBADF);
    CHECK_ERR(fstat(-1, &st), EBADF);
    CHECK_ERR(syscall(SYS_fstat, fd, (void *)1), EFAULT);
    CHECK_ERR(syscall(SYS_stat, "f", (void *)1), EFAULT);
    CHECK_ERR(syscall(SYS_lstat, (char *)1, &st), EFAULT);
    CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", (void *)1, 0), EFAULT);
    CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x1), EINVAL);
    CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, AT_SYMLINK_FOLLOW), EINVAL);
    CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, AT_REMOVEDIR), EINVAL);
    CHECK_OK(close(dfd));
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
