/* statx(2): the basic-stats mask bits are all reported for files on one
 * filesystem; the fields agree with fstat (type, mode, nlink, uid, gid, ino,
 * size, blocks, blksize, dev and rdev as major/minor, the three timestamps);
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, a mask of 0, the sync flags; errors:
 * EINVAL for unknown flags, for both sync flags at once and for the reserved
 * mask bit, EFAULT, ENOENT, ENOTDIR, EBADF. */
#include "fs_util.h"
#include <sys/sysmacros.h>

static long sx(int dirfd, const char *path, int flags, unsigned mask, struct statx *b) {
    return syscall(SYS_statx, dirfd, path, flags, mask, b);
}

int main(void) {
    struct statx x;
    struct stat st;
    umask(022);
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0604);
    CHECK_RET(write(fd, "0123456789", 10), 10);
    struct timespec ts[2] = {{300000, 123}, {400000, 456}};
    CHECK_OK(futimens(fd, ts));
    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(mkdir("d", 0700));

    memset(&x, 0xff, sizeof x);
    CHECK_OK(sx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &x));
    CHECK_RET(x.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(x.stx_mode, S_IFREG | 0604);
    CHECK_RET(x.stx_size, 10);
    CHECK_RET(x.stx_nlink, 1);
    CHECK(x.stx_uid == st.st_uid && x.stx_gid == st.st_gid);
    CHECK(x.stx_ino == st.st_ino);
    CHECK(x.stx_blocks == (unsigned long long)st.st_blocks);
    CHECK(x.stx_blksize == (unsigned)st.st_blksize);
    CHECK(makedev(x.stx_dev_major, x.stx_dev_minor) == st.st_dev);
    CHECK(x.stx_rdev_major == 0 && x.stx_rdev_minor == 0);
    CHECK(x.stx_atime.tv_sec == 300000 && x.stx_atime.tv_nsec == 123);
    CHECK(x.stx_mtime.tv_sec == 400000 && x.stx_mtime.tv_nsec == 456);
    CHECK(x.stx_ctime.tv_sec == st.st_ctim.tv_sec && x.stx_ctime.tv_nsec == st.st_ctim.tv_nsec);
    CHECK_RET(x.__spare0[0], 0);

    /* A directory and a symlink. */
    CHECK_OK(sx(AT_FDCWD, "d", 0, STATX_TYPE | STATX_MODE | STATX_NLINK, &x));
    CHECK_RET(x.stx_mask & (STATX_TYPE | STATX_MODE | STATX_NLINK),
              STATX_TYPE | STATX_MODE | STATX_NLINK);
    CHECK_RET(x.stx_mode, S_IFDIR | 0700);
    CHECK_RET(x.stx_nlink, 2);
    CHECK_OK(sx(AT_FDCWD, "lf", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x));
    CHECK_RET(x.stx_mode, S_IFLNK | 0777);
    CHECK_RET(x.stx_size, 1);
    CHECK_OK(sx(AT_FDCWD, "lf", 0, STATX_BASIC_STATS, &x));
    CHECK_RET(x.stx_mode, S_IFREG | 0604);

    /* AT_EMPTY_PATH, mask 0, sync flags. */
    CHECK_OK(sx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &x));
    CHECK(x.stx_mask & STATX_SIZE);
    CHECK_RET(x.stx_size, 10);
    CHECK_ERR(sx(fd, "", 0, STATX_SIZE, &x), ENOENT);
    CHECK_OK(sx(AT_FDCWD, "f", 0, 0, &x));
    CHECK_OK(sx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC, STATX_SIZE, &x));
    CHECK_RET(x.stx_size, 10);
    CHECK_OK(sx(AT_FDCWD, "f", AT_STATX_DONT_SYNC, STATX_SIZE, &x));
    CHECK_RET(x.stx_size, 10);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(sx(dfd, "..", 0, STATX_INO, &x));
    CHECK_OK(stat(".", &st));
    CHECK(x.stx_ino == st.st_ino);

    /* Errors. */
    CHECK_ERR(sx(AT_FDCWD, "f", 0x80000000, STATX_SIZE, &x), EINVAL);
    CHECK_ERR(sx(AT_FDCWD, "f", AT_SYMLINK_FOLLOW, STATX_SIZE, &x), EINVAL);
    CHECK_ERR(sx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_SIZE, &x),
              EINVAL);
    CHECK_ERR(sx(AT_FDCWD, "f", 0, STATX__RESERVED, &x), EINVAL);
    CHECK_ERR(sx(AT_FDCWD, "f", 0, STATX_SIZE, (void *)1), EFAULT);
    CHECK_ERR(sx(AT_FDCWD, (char *)1, 0, STATX_SIZE, &x), EFAULT);
    CHECK_ERR(sx(AT_FDCWD, "missing", 0, STATX_SIZE, &x), ENOENT);
    CHECK_ERR(sx(AT_FDCWD, "f/x", 0, STATX_SIZE, &x), ENOTDIR);
    CHECK_ERR(sx(fd, "x", 0, STATX_SIZE, &x), ENOTDIR);
    CHECK_ERR(sx(99, "x", 0, STATX_SIZE, &x), EBADF);
    CHECK_ERR(sx(99, "", AT_EMPTY_PATH, STATX_SIZE, &x), EBADF);
    CHECK_OK(close(dfd));
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
