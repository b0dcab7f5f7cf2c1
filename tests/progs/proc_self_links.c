/* The magic links of /proc/self: "cwd" reads as the getcwd path, follows chdir
 * and gains " (deleted)" when the directory is removed; "root" is "/"; "exe"
 * is an absolute path to an existing regular file, the same inode as argv[0],
 * openable for reading; /proc/self and /proc/thread-self name our pid and tid;
 * mount boundaries: rename into /proc and rename or link out of it are EXDEV
 * (but link into it is ENOENT: the new name's lookup fails first), and openat2
 * with RESOLVE_NO_XDEV cannot walk from "/" into /proc. */
#include "fs_util.h"
#include <linux/openat2.h>

static const char *rl(const char *p) {
    static char buf[2][4200];
    static int next;
    char *b = buf[next++ % 2];
    ssize_t n = readlink(p, b, sizeof buf[0] - 1);
    if (n < 0)
        return errno_name(errno);
    b[n] = 0;
    return b;
}

int main(int argc, char **argv) {
    (void)argc;
    char want[4200];
    struct stat a, b;
    fs_enter_scratch();

    /* cwd. */
    CHECK(strcmp(rl("/proc/self/cwd"), fs_scratch) == 0);
    CHECK_OK(stat("/proc/self/cwd", &a));
    CHECK_OK(stat(".", &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    CHECK_OK(mkdir("sub", 0755));
    CHECK_OK(chdir("sub"));
    snprintf(want, sizeof want, "%s/sub", fs_scratch);
    CHECK(strcmp(rl("/proc/self/cwd"), want) == 0);
    CHECK_OK(rmdir(want));
    snprintf(want, sizeof want, "%s/sub (deleted)", fs_scratch);
    CHECK(strcmp(rl("/proc/self/cwd"), want) == 0);
    CHECK_OK(chdir(fs_scratch));
    CHECK(strcmp(rl("/proc/self/root"), "/") == 0);

    /* exe. */
    const char *exe = rl("/proc/self/exe");
    CHECK(exe[0] == '/');
    CHECK_OK(stat(exe, &a));
    CHECK(S_ISREG(a.st_mode));
    CHECK_OK(stat("/proc/self/exe", &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    CHECK_OK(stat(argv[0], &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    int fd = open("/proc/self/exe", O_RDONLY);
    char magic[4];
    CHECK_RET(read(fd, magic, 4), 4);
    CHECK(memcmp(magic, "\177ELF", 4) == 0);
    close(fd);

    /* self and thread-self. */
    snprintf(want, sizeof want, "%d", getpid());
    CHECK(strcmp(rl("/proc/self"), want) == 0);
    snprintf(want, sizeof want, "%d/task/%d", getpid(), gettid());
    CHECK(strcmp(rl("/proc/thread-self"), want) == 0);
    CHECK_OK(stat("/proc/self/", &a));
    CHECK(S_ISDIR(a.st_mode));

    /* Mount boundaries. */
    CHECK_OK(fs_write_file("f", "x"));
    CHECK_ERR(rename("f", "/proc/self/f"), EXDEV);
    CHECK_ERR(link("/proc/self/status", "g"), EXDEV);
    CHECK_ERR(rename("/proc/self/status", "g"), EXDEV);
    /* Into /proc the lookup of the new name fails first: procfs has no
     * negative entries. */
    CHECK_ERR(link("f", "/proc/self/f"), ENOENT);
    int root = open("/", O_RDONLY | O_DIRECTORY);
    struct open_how how = {.flags = O_RDONLY | O_DIRECTORY, .resolve = RESOLVE_NO_XDEV};
    CHECK_ERR(syscall(SYS_openat2, root, "proc/self", &how, sizeof how), EXDEV);
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "/proc", &how, sizeof how), EXDEV);
    int proc = open("/proc", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(syscall(SYS_openat2, proc, "..", &how, sizeof how), EXDEV);
    how.resolve = 0;
    long pfd = syscall(SYS_openat2, root, "proc/self", &how, sizeof how);
    CHECK(pfd >= 0);
    close(pfd);
    close(proc);
    close(root);

    fs_leave_scratch();
    return check_status();
}
