/* chown, fchown, lchown, fchownat: root sets any owner and group, -1 keeps
 * one; chown follows symlinks, lchown and AT_SYMLINK_NOFOLLOW change the link
 * itself, AT_EMPTY_PATH the descriptor's file; a chown of a regular file
 * clears S_ISUID (even by root, even with -1/-1) and S_ISGID when
 * group-execute is set, but not S_ISGID without group-execute nor anything on
 * a directory; an unprivileged owner may change the group to one of its groups
 * only (EPERM otherwise) and never the owner (EPERM); a non-owner gets EPERM;
 * errors: ENOENT, ENOTDIR, EFAULT, EBADF, EINVAL for unknown flags. */
#include "fs_util.h"

static int own(const char *p, uid_t *u, gid_t *g) {
    struct stat st;
    if (lstat(p, &st) != 0)
        return -1;
    *u = st.st_uid;
    *g = st.st_gid;
    return st.st_mode & 07777;
}

static void user1000(void) {
    uid_t u;
    gid_t g;
    CHECK_OK(chown("u", -1, 2000)); /* a supplementary group */
    CHECK_RET(own("u", &u, &g), 0644);
    CHECK(u == 1000 && g == 2000);
    CHECK_OK(chown("u", 1000, 1000)); /* "changing" to itself is fine */
    CHECK(own("u", &u, &g) >= 0 && u == 1000 && g == 1000);
    CHECK_ERR(chown("u", -1, 3000), EPERM);
    CHECK_ERR(chown("u", 0, -1), EPERM);
    CHECK_ERR(chown("u", 1001, -1), EPERM);
    CHECK_OK(chown("u", -1, -1));
    CHECK_ERR(chown("r", -1, 1000), EPERM);
    CHECK_ERR(chown("r", 1000, -1), EPERM);
    CHECK_ERR(lchown("rl", -1, 1000), EPERM);
    CHECK(own("u", &u, &g) >= 0 && u == 1000 && g == 1000);
}

int main(void) {
    uid_t u;
    gid_t g;
    umask(022);
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", ""));

    /* Root. */
    CHECK_OK(chown("f", 1234, 5678));
    CHECK(own("f", &u, &g) >= 0 && u == 1234 && g == 5678);
    CHECK_OK(chown("f", -1, 42));
    CHECK(own("f", &u, &g) >= 0 && u == 1234 && g == 42);
    CHECK_OK(chown("f", 7, -1));
    CHECK(own("f", &u, &g) >= 0 && u == 7 && g == 42);
    CHECK_OK(chown("f", -1, -1));
    CHECK(own("f", &u, &g) >= 0 && u == 7 && g == 42);
    int fd = open("f", O_RDONLY);
    CHECK_OK(fchown(fd, 0, 0));
    CHECK(own("f", &u, &g) >= 0 && u == 0 && g == 0);
    CHECK_OK(fchownat(fd, "", 11, 12, AT_EMPTY_PATH));
    CHECK(own("f", &u, &g) >= 0 && u == 11 && g == 12);
    CHECK_ERR(fchownat(fd, "", 11, 12, 0), ENOENT);
    CHECK_ERR(fchown(99, 0, 0), EBADF);

    /* Symlinks. */
    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(lchown("lf", 100, 200));
    CHECK(own("lf", &u, &g) >= 0 && u == 100 && g == 200);
    CHECK(own("f", &u, &g) >= 0 && u == 11 && g == 12);
    CHECK_OK(chown("lf", 300, 400));
    CHECK(own("f", &u, &g) >= 0 && u == 300 && g == 400);
    CHECK(own("lf", &u, &g) >= 0 && u == 100 && g == 200);
    CHECK_OK(fchownat(AT_FDCWD, "lf", 500, 600, AT_SYMLINK_NOFOLLOW));
    CHECK(own("lf", &u, &g) >= 0 && u == 500 && g == 600);
    CHECK_OK(fchownat(AT_FDCWD, "lf", 0, 0, 0));
    CHECK(own("f", &u, &g) >= 0 && u == 0 && g == 0);
    CHECK_ERR(fchownat(AT_FDCWD, "lf", 0, 0, 0x1), EINVAL);
    CHECK_ERR(fchownat(AT_FDCWD, "lf", 0, 0, AT_SYMLINK_FOLLOW), EINVAL);
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_ERR(chown("dang", 0, 0), ENOENT);
    CHECK_OK(lchown("dang", 1, 1));

    /* Set-id bits. */
    CHECK_OK(chmod("f", 06755));
    CHECK_OK(chown("f", 1, 1));
    CHECK_RET(own("f", &u, &g), 0755);
    CHECK_OK(chmod("f", 06755));
    CHECK_OK(chown("f", -1, -1));
    CHECK_RET(own("f", &u, &g), 0755);
    CHECK_OK(chmod("f", 06745)); /* S_ISGID without group-execute stays */
    CHECK_OK(fchown(fd, 2, 2));
    CHECK_RET(own("f", &u, &g), 02745);
    CHECK_OK(chmod("f", 04700)); /* a file no one may execute */
    CHECK_OK(chown("f", 3, 3));
    CHECK_RET(own("f", &u, &g), 0700);
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(chmod("d", 07755));
    CHECK_OK(chown("d", 5, 5));
    CHECK_RET(own("d", &u, &g), 07755);

    /* Errors. */
    CHECK_ERR(chown("missing", 0, 0), ENOENT);
    CHECK_ERR(chown("f/x", 0, 0), ENOTDIR);
    CHECK_ERR(chown((char *)1, 0, 0), EFAULT);
    CHECK_ERR(fchownat(99, "f", 0, 0, 0), EBADF);
    CHECK_OK(close(fd));

    /* Unprivileged, uid 1000 in groups 1000 and 2000. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(fs_write_file("u", ""));
    CHECK_OK(chown("u", 1000, 1000));
    CHECK_OK(fs_write_file("r", ""));
    CHECK_OK(symlink("r", "rl"));
    pid_t pid = fork();
    if (pid == 0) {
        gid_t groups[2] = {1000, 2000};
        fs_drop_privs(1000, 1000, 2, groups);
        user1000();
        _exit(check_status());
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    fs_leave_scratch();
    return check_status();
}
