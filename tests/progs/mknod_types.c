/* mknod and mknodat: regular files (S_IFREG or type 0), FIFOs and socket files
 * for anyone; character and block devices for root (st_rdev kept) and EPERM
 * for others, except the 0:0 character device (a whiteout), which anyone may
 * make; S_IFDIR is EPERM, S_IFLNK and unknown types are EINVAL; the umask
 * applies; EEXIST, ENOENT, ENOTDIR, EBADF, EFAULT. The device nodes are not
 * opened. */
#include "fs_util.h"
#include <sys/sysmacros.h>

static void unprivileged(void) {
    CHECK_ERR(mknod("u/chr", S_IFCHR | 0644, makedev(1, 3)), EPERM);
    CHECK_ERR(mknod("u/blk", S_IFBLK | 0644, makedev(7, 0)), EPERM);
    CHECK_OK(mknod("u/whiteout", S_IFCHR | 0644, makedev(0, 0)));
    CHECK_OK(mknod("u/fifo", S_IFIFO | 0644, 0));
    CHECK_OK(mknod("u/reg", S_IFREG | 0644, 0));
    CHECK_OK(mknod("u/sock", S_IFSOCK | 0644, 0));
    struct stat st;
    CHECK_OK(lstat("u/whiteout", &st));
    CHECK(S_ISCHR(st.st_mode) && st.st_rdev == 0 && st.st_uid == 65534);
    CHECK_ERR(lstat("u/chr", &st), ENOENT);
}

static int kind(const char *p, mode_t *mode, dev_t *rdev, off_t *size) {
    struct stat st;
    if (lstat(p, &st) != 0)
        return -1;
    *mode = st.st_mode;
    *rdev = st.st_rdev;
    *size = st.st_size;
    return 0;
}

int main(void) {
    mode_t m;
    dev_t r;
    off_t sz;
    umask(022);
    fs_enter_scratch();

    CHECK_OK(mknod("reg", S_IFREG | 0666, 0));
    CHECK_OK(kind("reg", &m, &r, &sz));
    CHECK(m == (S_IFREG | 0644) && sz == 0);
    CHECK_OK(mknod("reg0", 0640, 0)); /* type 0 means regular */
    CHECK_OK(kind("reg0", &m, &r, &sz));
    CHECK(m == (S_IFREG | 0640));
    CHECK_OK(mknod("fifo", S_IFIFO | 0666, 0));
    CHECK_OK(kind("fifo", &m, &r, &sz));
    CHECK(m == (S_IFIFO | 0644));
    CHECK_OK(mkfifo("fifo2", 0600));
    CHECK_OK(kind("fifo2", &m, &r, &sz));
    CHECK(m == (S_IFIFO | 0600));
    CHECK_OK(mknod("sock", S_IFSOCK | 0666, 0));
    CHECK_OK(kind("sock", &m, &r, &sz));
    CHECK(m == (S_IFSOCK | 0644));
    CHECK_OK(mknod("chr", S_IFCHR | 0666, makedev(1, 3)));
    CHECK_OK(kind("chr", &m, &r, &sz));
    CHECK(m == (S_IFCHR | 0644) && major(r) == 1 && minor(r) == 3);
    CHECK_OK(mknod("blk", S_IFBLK | 0600, makedev(7, 42)));
    CHECK_OK(kind("blk", &m, &r, &sz));
    CHECK(m == (S_IFBLK | 0600) && major(r) == 7 && minor(r) == 42);
    CHECK_OK(mknod("bigdev", S_IFCHR | 0600, makedev(300, 70000)));
    CHECK_OK(kind("bigdev", &m, &r, &sz));
    CHECK(major(r) == 300 && minor(r) == 70000);
    CHECK_OK(mknod("fifo_dev", S_IFIFO | 0600, makedev(1, 3))); /* dev ignored */
    CHECK_OK(kind("fifo_dev", &m, &r, &sz));
    CHECK(S_ISFIFO(m) && r == 0);

    /* Types that mknod does not make. */
    CHECK_ERR(mknod("dir", S_IFDIR | 0755, 0), EPERM);
    CHECK_ERR(mknod("lnk", S_IFLNK | 0777, 0), EINVAL);
    CHECK_ERR(mknod("bad", 0170000 | 0644, 0), EINVAL);
    CHECK_ERR(mknod("bad", 0030000 | 0644, 0), EINVAL);
    CHECK_ERR(kind("dir", &m, &r, &sz), ENOENT);

    /* Errors. */
    CHECK_ERR(mknod("reg", S_IFREG | 0644, 0), EEXIST);
    CHECK_ERR(mknod("fifo", S_IFIFO | 0644, 0), EEXIST);
    CHECK_ERR(mkfifo("reg", 0644), EEXIST);
    CHECK_ERR(mknod("missing/x", S_IFIFO | 0644, 0), ENOENT);
    CHECK_ERR(mknod("reg/x", S_IFIFO | 0644, 0), ENOTDIR);
    CHECK_ERR(mknod((char *)1, S_IFIFO | 0644, 0), EFAULT);
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(mknodat(dfd, "f", S_IFIFO | 0600, 0));
    CHECK_OK(kind("d/f", &m, &r, &sz));
    CHECK(S_ISFIFO(m));
    CHECK_OK(mkfifoat(dfd, "f2", 0600));
    CHECK_ERR(mknodat(99, "f", S_IFIFO | 0600, 0), EBADF);
    CHECK_OK(close(dfd));

    /* Unprivileged. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(mkdir("u", 0777));
    CHECK_OK(chmod("u", 0777));
    FS_AS_USER(65534, 65534, unprivileged);

    fs_leave_scratch();
    return check_status();
}
