/* Root and the DAC capabilities: with them root reads and writes mode-000
 * files, lists and enters mode-000 directories, creates and removes in
 * read-only directories, chmods and sets times on other users' files, but may
 * execute a file only if some x bit is set (EACCES otherwise). In forked
 * children capabilities are dropped from the effective set: without
 * CAP_DAC_OVERRIDE but with CAP_DAC_READ_SEARCH reading and searching still
 * work while writing and creating are EACCES; without both, uid 0 is judged by
 * its mode bits like anyone else; without CAP_FOWNER chmod and explicit
 * utimensat of another's file are EPERM. The program re-executes itself
 * (argv[0]) for the exec checks. */
#include "fs_util.h"
#include <linux/capability.h>

static const char *self;

static int try_open(const char *p, int flags) {
    int fd = open(p, flags, 0644);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int try_exec(const char *p) {
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {(char *)p, "exec-probe", NULL};
        execv(p, argv);
        _exit(errno == EACCES ? 13 : 99);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 42)
        return 0;
    errno = WIFEXITED(st) && WEXITSTATUS(st) == 13 ? EACCES : EIO;
    return -1;
}

/* Removes the given capabilities from the effective set. */
static int drop_caps(unsigned long long caps) {
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return -1;
    d[0].effective &= ~(unsigned)caps;
    d[1].effective &= ~(unsigned)(caps >> 32);
    return syscall(SYS_capset, &h, d);
}

#define BIT(c) (1ULL << (c))

static void read_search_only(void) {
    CHECK_OK(drop_caps(BIT(CAP_DAC_OVERRIDE)));
    CHECK_OK(try_open("f000", O_RDONLY));
    CHECK_ERR(try_open("f000", O_WRONLY), EACCES);
    CHECK_OK(try_open("d000", O_RDONLY | O_DIRECTORY));
    CHECK_OK(try_open("d000/inner", O_RDONLY));
    CHECK_ERR(try_open("d555/new", O_WRONLY | O_CREAT), EACCES);
    CHECK_ERR(unlink("d555/f"), EACCES);
}

static void no_dac(void) {
    CHECK_OK(drop_caps(BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH)));
    CHECK_ERR(try_open("f000", O_RDONLY), EACCES);
    CHECK_OK(try_open("f600", O_RDWR)); /* root's own, owner bits rw */
    CHECK_ERR(try_open("u600", O_RDONLY), EACCES); /* 1000's: "other" bits */
    CHECK_ERR(try_open("d000/inner", O_RDONLY), EACCES);
    CHECK_ERR(chdir("d000"), EACCES);
    CHECK_OK(chmod("f000", 0)); /* still the owner */
}

static void no_fowner(void) {
    CHECK_OK(drop_caps(BIT(CAP_FOWNER)));
    CHECK_ERR(chmod("u600", 0644), EPERM);
    struct timespec ts[2] = {{1, 0}, {2, 0}};
    CHECK_ERR(utimensat(AT_FDCWD, "u600", ts, 0), EPERM);
    CHECK_OK(utimensat(AT_FDCWD, "u600", NULL, 0)); /* "now" needs only write access */
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec-probe") == 0)
        return 42;
    self = argv[0];
    umask(0);
    fs_enter_scratch();
    char buf[16];

    CHECK_OK(fs_write_file("f000", "secret"));
    CHECK_OK(chmod("f000", 0));
    CHECK_OK(fs_write_file("f600", ""));
    CHECK_OK(chmod("f600", 0600));
    CHECK_OK(fs_write_file("u600", ""));
    CHECK_OK(chown("u600", 1000, 1000));
    CHECK_OK(chmod("u600", 0600));
    CHECK_OK(mkdir("d000", 0755));
    CHECK_OK(fs_write_file("d000/inner", ""));
    CHECK_OK(chmod("d000", 0));
    CHECK_OK(mkdir("d555", 0755));
    CHECK_OK(fs_write_file("d555/f", ""));
    CHECK_OK(chmod("d555", 0555));

    /* Full root. */
    CHECK_RET(fs_read_file("f000", buf, sizeof buf), 6);
    CHECK_OK(try_open("f000", O_RDWR));
    CHECK_OK(try_open("u600", O_RDWR));
    int dfd = open("d000", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    static char dents[512];
    CHECK(syscall(SYS_getdents64, dfd, dents, sizeof dents) > 0); /* listing works */
    close(dfd);
    CHECK_OK(try_open("d000/inner", O_RDWR));
    CHECK_OK(chdir("d000"));
    CHECK_OK(chdir(fs_scratch));
    CHECK_OK(try_open("d555/new", O_WRONLY | O_CREAT));
    CHECK_OK(unlink("d555/new"));
    CHECK_OK(chmod("u600", 0600));
    struct timespec ts[2] = {{1, 0}, {2, 0}};
    CHECK_OK(utimensat(AT_FDCWD, "u600", ts, 0));

    /* Exec needs an x bit even for root. */
    int in = open(self, O_RDONLY), ok = in >= 0;
    static char chunk[1 << 16];
    const char *progs[] = {"p644", "p001", "p010", "p100"};
    const mode_t modes[] = {0644, 0001, 0010, 0100};
    for (int i = 0; i < 4 && ok; i++) {
        int out = open(progs[i], O_WRONLY | O_CREAT | O_TRUNC, 0700);
        ssize_t n;
        lseek(in, 0, SEEK_SET);
        while ((n = read(in, chunk, sizeof chunk)) > 0)
            if (write(out, chunk, n) != n)
                ok = 0;
        close(out);
        if (chmod(progs[i], modes[i]) != 0)
            ok = 0;
    }
    CHECK(ok);
    close(in);
    CHECK_ERR(try_exec("./p644"), EACCES);
    CHECK_OK(try_exec("./p001"));
    CHECK_OK(try_exec("./p010"));
    CHECK_OK(try_exec("./p100"));

    /* Without capabilities. */
    int st = fs_in_child(read_search_only);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = fs_in_child(no_dac);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = fs_in_child(no_fowner);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    fs_leave_scratch();
    return check_status();
}
