/* access, faccessat and faccessat2: root passes R_OK/W_OK on any mode but X_OK
 * on a regular file only if some execute bit is set (directories are always
 * searchable for root); an unprivileged user is judged by exactly one class
 * (owner, else group incl. supplementary groups, else other); search
 * permission is needed on every directory on the way (EACCES); access uses the
 * real uid and faccessat2(AT_EACCESS) the effective one; AT_SYMLINK_NOFOLLOW
 * and AT_EMPTY_PATH; errors: EINVAL for a bad mode or flags, ENOENT (dangling
 * symlink too), ENOTDIR, ELOOP, EFAULT, EBADF. */
#include "fs_util.h"

static long fa2(int dirfd, const char *p, int mode, int flags) {
    return syscall(SYS_faccessat2, dirfd, p, mode, flags);
}

static void as_1000(void) {
    /* uid 1000 in groups 1000 and 2000. o600 is ours with mode 0600,
     * o077 ours with 0077, g060 group 2000 mode 0060, g606 group 2000
     * mode 0606, other004 root's with 0004. */
    CHECK_OK(access("o600", R_OK | W_OK));
    CHECK_ERR(access("o600", X_OK), EACCES);
    CHECK_ERR(access("o077", R_OK), EACCES); /* owner class only */
    CHECK_OK(access("g060", R_OK | W_OK));
    CHECK_ERR(access("g606", R_OK), EACCES); /* group class only */
    CHECK_OK(access("other004", R_OK));
    CHECK_ERR(access("other004", W_OK), EACCES);
    CHECK_OK(access("other004", F_OK));
    CHECK_OK(access("x001", X_OK));
    CHECK_ERR(access("x001", R_OK), EACCES);
    CHECK_ERR(access("nosearch/inside", F_OK), EACCES);
    CHECK_ERR(access("nosearch/missing", F_OK), EACCES);
    CHECK_OK(access("nosearch", R_OK)); /* the directory itself is readable */
    CHECK_ERR(access("noread", R_OK), EACCES);
    CHECK_OK(access("noread/inside", F_OK)); /* search suffices on the way */
}

static void real_vs_effective(void) {
    /* Real uid 1000, effective 0: access() judges by the real uid. */
    CHECK_ERR(access("root600", R_OK), EACCES);
    CHECK_OK(fa2(AT_FDCWD, "root600", R_OK, AT_EACCESS));
    CHECK_ERR(fa2(AT_FDCWD, "root600", R_OK, 0), EACCES);
    CHECK_ERR(syscall(SYS_faccessat, AT_FDCWD, "root600", R_OK), EACCES);
}

int main(void) {
    umask(0);
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", ""));

    /* Root. */
    CHECK_OK(chmod("f", 0));
    CHECK_OK(access("f", F_OK));
    CHECK_OK(access("f", R_OK | W_OK));
    CHECK_ERR(access("f", X_OK), EACCES);
    CHECK_ERR(access("f", R_OK | X_OK), EACCES);
    CHECK_OK(chmod("f", 0100));
    CHECK_OK(access("f", X_OK));
    CHECK_OK(chmod("f", 0010));
    CHECK_OK(access("f", X_OK));
    CHECK_OK(chmod("f", 0001));
    CHECK_OK(access("f", R_OK | W_OK | X_OK));
    CHECK_OK(mkdir("d", 0));
    CHECK_OK(access("d", R_OK | W_OK | X_OK));

    /* Flags. */
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_ERR(access("dang", F_OK), ENOENT);
    CHECK_OK(fa2(AT_FDCWD, "dang", F_OK, AT_SYMLINK_NOFOLLOW));
    int fd = open("f", O_RDONLY);
    CHECK_OK(fa2(fd, "", R_OK, AT_EMPTY_PATH));
    CHECK_ERR(fa2(fd, "", R_OK, 0), ENOENT);
    CHECK_OK(fa2(AT_FDCWD, "f", R_OK, AT_EACCESS));
    CHECK_ERR(fa2(AT_FDCWD, "f", R_OK, 0x1), EINVAL);
    CHECK_ERR(fa2(AT_FDCWD, "f", R_OK, 0x10000), EINVAL);
    CHECK_ERR(fa2(AT_FDCWD, "f", 8, 0), EINVAL);
    CHECK_ERR(access("f", 8), EINVAL);
    CHECK_ERR(access("f", -1), EINVAL);

    /* Lookup errors. */
    CHECK_ERR(access("missing", F_OK), ENOENT);
    CHECK_ERR(access("f/x", F_OK), ENOTDIR);
    CHECK_OK(symlink("loop", "loop"));
    CHECK_ERR(access("loop", F_OK), ELOOP);
    CHECK_ERR(access((char *)1, F_OK), EFAULT);
    CHECK_ERR(fa2(99, "f", F_OK, 0), EBADF);
    CHECK_ERR(fa2(fd, "x", F_OK, 0), ENOTDIR);
    CHECK_OK(close(fd));

    /* Unprivileged classes. */
    CHECK_OK(chmod(fs_scratch, 0755));
    const struct {
        const char *name;
        uid_t uid;
        gid_t gid;
        mode_t mode;
    } files[] = {{"o600", 1000, 0, 0600},  {"o077", 1000, 0, 0077},
                 {"g060", 0, 2000, 0060},  {"g606", 0, 2000, 0606},
                 {"other004", 0, 0, 0004}, {"x001", 0, 0, 0001},
                 {"root600", 0, 0, 0600}};
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (fs_write_file(files[i].name, "") || chown(files[i].name, files[i].uid, files[i].gid) ||
            chmod(files[i].name, files[i].mode))
            printf("FAIL setup %s\n", files[i].name);
    }
    CHECK_OK(mkdir("nosearch", 0644));
    CHECK_OK(fs_write_file("nosearch/inside", ""));
    CHECK_OK(mkdir("noread", 0711));
    CHECK_OK(fs_write_file("noread/inside", ""));
    pid_t pid = fork();
    if (pid == 0) {
        gid_t groups[2] = {1000, 2000};
        fs_drop_privs(1000, 1000, 2, groups);
        as_1000();
        _exit(check_status());
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    pid = fork();
    if (pid == 0) {
        if (setresuid(1000, 0, 0) != 0)
            _exit(3);
        real_vs_effective();
        _exit(check_status());
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    fs_leave_scratch();
    return check_status();
}
