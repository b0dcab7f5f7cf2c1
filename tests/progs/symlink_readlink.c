/* symlink, symlinkat, readlink, readlinkat: targets are stored verbatim
 * (anything, dangling or not), mode 0777 whatever the umask, lstat size is the
 * target's length; readlink returns the length without a NUL and truncates
 * silently to a small buffer; the final component is not followed (a self-loop
 * reads fine) but earlier ones are; readlinkat with "" reads an
 * O_PATH|O_NOFOLLOW symlink descriptor (ENOENT, not EINVAL, for "" on any
 * other descriptor); errors: EINVAL for a non-symlink and for bufsiz <= 0,
 * EEXIST, ENOENT, ENOTDIR, ELOOP, EFAULT, EBADF. */
#include "fs_util.h"

int main(void) {
    char buf[64];
    struct stat st;
    umask(077);
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "x"));
    CHECK_OK(mkdir("d", 0755));

    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(symlink("does/not/exist", "dang"));
    CHECK_OK(symlink("/an/absolute/path", "abs"));
    CHECK_OK(symlink("with space\nand newline", "odd"));
    CHECK_OK(symlink("loop", "loop"));
    CHECK_OK(lstat("dang", &st));
    CHECK_RET(st.st_mode, S_IFLNK | 0777);
    CHECK_RET(st.st_size, 14);
    CHECK(st.st_uid == getuid());
    CHECK_OK(lstat("odd", &st));
    CHECK_RET(st.st_size, 22);

    /* readlink: no NUL, truncation. */
    memset(buf, '#', sizeof buf);
    CHECK_RET(readlink("dang", buf, sizeof buf), 14);
    CHECK(memcmp(buf, "does/not/exist#", 15) == 0);
    memset(buf, '#', sizeof buf);
    CHECK_RET(readlink("dang", buf, 4), 4);
    CHECK(memcmp(buf, "does#", 5) == 0);
    CHECK_RET(readlink("dang", buf, 1), 1);
    CHECK_RET(readlink("dang", buf, 14), 14);
    CHECK_RET(readlink("abs", buf, sizeof buf), 17);
    CHECK(memcmp(buf, "/an/absolute/path", 17) == 0);
    CHECK_RET(readlink("odd", buf, sizeof buf), 22);
    CHECK(memcmp(buf, "with space\nand newline", 22) == 0);
    CHECK_RET(readlink("loop", buf, sizeof buf), 4);
    CHECK_ERR(readlink("loop/x", buf, sizeof buf), ELOOP);

    /* Earlier components are followed. */
    CHECK_OK(symlink("d", "ld"));
    CHECK_OK(symlink("../f", "d/up"));
    CHECK_RET(readlink("ld/up", buf, sizeof buf), 4);
    CHECK(memcmp(buf, "../f", 4) == 0);

    /* symlinkat / readlinkat. */
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(symlinkat("target-in-d", dfd, "l2"));
    CHECK_RET(readlinkat(dfd, "l2", buf, sizeof buf), 11);
    CHECK_RET(readlinkat(AT_FDCWD, "d/l2", buf, sizeof buf), 11);
    CHECK_ERR(symlinkat("x", 99, "l3"), EBADF);
    CHECK_ERR(readlinkat(99, "l2", buf, sizeof buf), EBADF);
    int lfd = open("lf", O_PATH | O_NOFOLLOW);
    CHECK_RET(readlinkat(lfd, "", buf, sizeof buf), 1);
    CHECK(buf[0] == 'f');
    CHECK_OK(close(lfd));
    int ffd = open("f", O_RDONLY);
    CHECK_ERR(readlinkat(ffd, "", buf, sizeof buf), ENOENT); /* not EINVAL */
    CHECK_ERR(symlinkat("x", ffd, "l3"), ENOTDIR);
    CHECK_OK(close(ffd));
    CHECK_ERR(readlinkat(dfd, "", buf, sizeof buf), ENOENT);
    CHECK_OK(close(dfd));

    /* Errors. */
    CHECK_ERR(readlink("f", buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink("d", buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink("missing", buf, sizeof buf), ENOENT);
    CHECK_ERR(readlink("f/x", buf, sizeof buf), ENOTDIR);
    CHECK_ERR(readlink("lf", buf, 0), EINVAL);
    CHECK_ERR(syscall(SYS_readlink, "lf", buf, -1L), EINVAL);
    CHECK_ERR(syscall(SYS_readlink, "lf", (void *)1, 64L), EFAULT);
    CHECK_ERR(syscall(SYS_readlink, (char *)1, buf, 64L), EFAULT);
    CHECK_ERR(symlink("x", "f"), EEXIST);
    CHECK_ERR(symlink("x", "d"), EEXIST);
    CHECK_ERR(symlink("x", "dang"), EEXIST);
    CHECK_ERR(symlink("x", "nodir/l"), ENOENT);
    CHECK_ERR(symlink("x", "f/l"), ENOTDIR);
    CHECK_ERR(symlink((char *)1, "l4"), EFAULT);
    CHECK_ERR(symlink("x", (char *)1), EFAULT);
    CHECK_ERR(lstat("l4", &st), ENOENT);

    fs_leave_scratch();
    return check_status();
}
