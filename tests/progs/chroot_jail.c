/* chroot, in forked children: after chroot + chdir("/") absolute paths,
 * absolute symlink targets and ".." (any number of them) all stay inside;
 * getcwd says "/"; the parent is unaffected; a cwd left outside makes the
 * getcwd syscall answer "(unreachable)/..." and ".." from there walks the real
 * tree (chroot alone is no jail); a descriptor opened before still reaches
 * outside; chroot(".") works; errors: ENOTDIR, ENOENT, EFAULT, EPERM for an
 * unprivileged caller and EACCES before that when the directory is not
 * searchable. */
#include "fs_util.h"

static int outside_fd;

static int says(const char *path, const char *want) {
    char buf[64];
    return fs_read_file(path, buf, sizeof buf) >= 0 && strcmp(buf, want) == 0;
}

static void jailed(void) {
    char buf[4096];
    CHECK_OK(chroot("root"));
    CHECK_OK(chdir("/"));
    CHECK_RET(syscall(SYS_getcwd, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "/") == 0);
    CHECK(says("/f", "inside"));
    CHECK(says("f", "inside"));
    CHECK(says("/../f", "inside"));
    CHECK(says("../../../../f", "inside"));
    CHECK(says("/sub/../../f", "inside"));
    CHECK(says("/abs", "inside")); /* the symlink "/f" */
    CHECK(says("/sub/up/f", "inside")); /* the symlink "../.." */
    struct stat a, b;
    CHECK_OK(stat("/..", &a));
    CHECK_OK(stat("/", &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    CHECK_OK(chdir("/sub"));
    CHECK_OK(chdir("../../.."));
    CHECK_RET(syscall(SYS_getcwd, buf, sizeof buf), 2);
    /* A descriptor from before still sees the outside. */
    int fd = openat(outside_fd, "f", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_RET(read(fd, buf, 7), 7);
    CHECK(memcmp(buf, "outside", 7) == 0);
    close(fd);
    fd = openat(outside_fd, "root/f", O_RDONLY);
    CHECK(fd >= 0);
    close(fd);
    /* Nested: chroot(".") after a chdir. */
    CHECK_OK(chdir("/sub"));
    CHECK_OK(chroot("."));
    CHECK(says("/g", "sub-g"));
    CHECK(says("/../g", "sub-g"));
}

static void cwd_left_outside(void) {
    char buf[4096], want[4096];
    CHECK_OK(chroot("root"));
    /* No chdir: the cwd is the scratch directory, outside the new root. */
    CHECK(syscall(SYS_getcwd, buf, sizeof buf) > 0);
    snprintf(want, sizeof want, "(unreachable)%s", fs_scratch);
    CHECK(strcmp(buf, want) == 0);
    CHECK(says("f", "outside")); /* relative: from the cwd */
    CHECK(says("/f", "inside"));
    CHECK_OK(chdir(".."));
    CHECK(syscall(SYS_getcwd, buf, sizeof buf) > 0);
    CHECK(strcmp(buf, "(unreachable)/tmp") == 0);
}

static void unprivileged(void) {
    CHECK_ERR(chroot("root"), EPERM);
    CHECK_ERR(chroot("private"), EACCES);
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "outside"));
    CHECK_OK(mkdir("root", 0755));
    CHECK_OK(fs_write_file("root/f", "inside"));
    CHECK_OK(mkdir("root/sub", 0755));
    CHECK_OK(fs_write_file("root/sub/g", "sub-g"));
    CHECK_OK(symlink("/f", "root/abs"));
    CHECK_OK(symlink("../..", "root/sub/up"));
    outside_fd = open(".", O_RDONLY | O_DIRECTORY);

    int status = fs_in_child(jailed);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    status = fs_in_child(cwd_left_outside);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(says("f", "outside")); /* the parent's root is unchanged */
    char buf[4096];
    CHECK(syscall(SYS_getcwd, buf, sizeof buf) > 0 && strcmp(buf, fs_scratch) == 0);

    /* Errors. */
    CHECK_ERR(chroot("f"), ENOTDIR);
    CHECK_ERR(chroot("missing"), ENOENT);
    CHECK_ERR(chroot((char *)1), EFAULT);
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(mkdir("private", 0700));
    FS_AS_USER(65534, 65534, unprivileged);

    CHECK_OK(close(outside_fd));
    fs_leave_scratch();
    return check_status();
}
