/* mkdir and mkdirat: the mode is masked by the umask, keeps the sticky bit and
 * drops set-user-ID and set-group-ID; a new directory has nlink 2, only "."
 * and "..", the caller's uid; the parent's link count grows; a set-group-ID
 * parent passes on its group to files and directories and its S_ISGID bit to
 * directories; errors: EEXIST (file, directory, dangling symlink, "."),
 * ENOENT, ENOTDIR, EFAULT, EBADF, EACCES for a user without write permission
 * on the parent. */
#include "fs_util.h"

static void unprivileged(void) {
    CHECK_ERR(mkdir("ro/x", 0755), EACCES);
    CHECK_OK(mkdir("open/mine", 0700));
    struct stat st;
    CHECK_OK(stat("open/mine", &st));
    CHECK(st.st_uid == 65534 && st.st_gid == 65534);
}

static int mode(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

int main(void) {
    struct stat st;
    fs_enter_scratch();

    umask(022);
    CHECK_OK(mkdir("a", 0777));
    CHECK_RET(mode("a"), 0755);
    umask(0);
    CHECK_OK(mkdir("b", 0777));
    CHECK_RET(mode("b"), 0777);
    umask(077);
    CHECK_OK(mkdir("c", 0777));
    CHECK_RET(mode("c"), 0700);
    umask(022);
    CHECK_OK(mkdir("sticky", 01777));
    CHECK_RET(mode("sticky"), 01755);
    CHECK_OK(mkdir("setid", 06777));
    CHECK_RET(mode("setid"), 0755); /* both set-id bits dropped */
    CHECK_OK(mkdir("none", 0));
    CHECK_RET(mode("none"), 0);

    /* A fresh directory. */
    CHECK_OK(stat("a", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_RET(st.st_nlink, 2);
    CHECK(st.st_uid == getuid() && st.st_gid == getgid());
    int fd = open("a", O_RDONLY | O_DIRECTORY);
    char buf[256];
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    CHECK_RET(n, 48); /* "." and ".." in 24-byte records */
    CHECK_OK(close(fd));

    /* Parent link counts. */
    CHECK_OK(mkdir("p", 0755));
    CHECK_OK(stat("p", &st));
    CHECK_RET(st.st_nlink, 2);
    CHECK_OK(mkdir("p/1", 0755));
    CHECK_OK(mkdir("p/2", 0755));
    CHECK_OK(mkdir("p/2/x", 0755));
    CHECK_OK(stat("p", &st));
    CHECK_RET(st.st_nlink, 4);

    /* Set-group-ID parent. */
    CHECK_OK(mkdir("g", 0755));
    CHECK_OK(chown("g", 0, 1234));
    CHECK_OK(chmod("g", 02775));
    CHECK_OK(mkdir("g/sub", 0755));
    CHECK_OK(stat("g/sub", &st));
    CHECK_RET(st.st_gid, 1234);
    CHECK_RET(st.st_mode & 07777, 02755);
    CHECK_OK(fs_write_file("g/file", ""));
    CHECK_OK(stat("g/file", &st));
    CHECK_RET(st.st_gid, 1234);
    CHECK_RET(st.st_mode & 07777, 0644);
    CHECK_OK(mkdir("g/sub/deeper", 0700));
    CHECK_OK(stat("g/sub/deeper", &st));
    CHECK_RET(st.st_gid, 1234);
    CHECK_RET(st.st_mode & 07777, 02700);

    /* mkdirat. */
    int dfd = open("p", O_RDONLY | O_DIRECTORY);
    CHECK_OK(mkdirat(dfd, "3", 0700));
    CHECK_RET(mode("p/3"), 0700);
    CHECK_ERR(mkdirat(dfd, "3", 0700), EEXIST);
    CHECK_ERR(mkdirat(99, "x", 0700), EBADF);
    CHECK_OK(fs_write_file("f", ""));
    int ffd = open("f", O_RDONLY);
    CHECK_ERR(mkdirat(ffd, "x", 0700), ENOTDIR);
    CHECK_OK(close(ffd));
    CHECK_OK(close(dfd));

    /* Errors. */
    CHECK_ERR(mkdir("a", 0755), EEXIST);
    CHECK_ERR(mkdir("f", 0755), EEXIST);
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_ERR(mkdir("dang", 0755), EEXIST);
    CHECK_ERR(lstat("nowhere", &st), ENOENT);
    CHECK_ERR(mkdir(".", 0755), EEXIST);
    CHECK_ERR(mkdir("..", 0755), EEXIST);
    CHECK_ERR(mkdir("a/.", 0755), EEXIST);
    CHECK_ERR(mkdir("/", 0755), EEXIST);
    CHECK_ERR(mkdir("missing/x", 0755), ENOENT);
    CHECK_ERR(mkdir("f/x", 0755), ENOTDIR);
    CHECK_ERR(mkdir((char *)1, 0755), EFAULT);

    /* Permissions. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(mkdir("ro", 0755));
    CHECK_OK(mkdir("open", 0777));
    CHECK_OK(chmod("open", 0777));
    FS_AS_USER(65534, 65534, unprivileged);
    CHECK_OK(mkdir("ro/x", 0755)); /* root writes anywhere */

    fs_leave_scratch();
    return check_status();
}
