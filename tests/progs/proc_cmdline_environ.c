/* /proc/pid/cmdline and environ after execve: exactly the argument and
 * environment strings with their NULs (empty strings and spaces kept), the
 * same when another process of the same user reads them; cmdline follows
 * writes to the argument strings; once the program writes over the NUL
 * after the last argument (setproctitle), cmdline is the first string
 * from argv[0] on, with its NUL, even where it runs into the environment. */
#include "proc_util.h"

static const char want_args[] = "prog\0\0two words\0x";
static const char want_env[] = "A=1\0EMPTY=\0B=two words";

static int same(const char *path, const char *want, size_t len) {
    ssize_t n;
    const char *got = proc_read(path, &n);
    return got && (size_t)n == len && memcmp(got, want, len) == 0;
}

/* The exec'd program: checks itself, reports ready on fd 10, waits for
 * fd 11 to close (printing nothing meanwhile, so the output keeps its
 * order), then plays setproctitle. */
static int execd(char **argv) {
    CHECK(same("/proc/self/cmdline", want_args, sizeof want_args));
    CHECK(same("/proc/self/environ", want_env, sizeof want_env));
    ssize_t w = write(10, "r", 1);
    char c;
    ssize_t r = read(11, &c, 1);
    CHECK(w == 1);
    CHECK(r == 0);
    argv[2][3] = '_';
    CHECK(same("/proc/self/cmdline", "prog\0\0two_words\0x", sizeof want_args));
    /* Over the last NUL, into the environment. */
    static const char title[] = "a title longer than all the arguments";
    memcpy(argv[0], title, sizeof title);
    CHECK(same("/proc/self/cmdline", title, sizeof title));
    return check_status();
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[0], "prog") == 0)
        return execd(argv);
    int ready[2], hold[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(hold));
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ready[1], 10);
        dup2(hold[0], 11);
        close(ready[0]);
        close(ready[1]);
        close(hold[0]);
        close(hold[1]);
        char *args[] = {"prog", "", "two words", "x", NULL};
        char *env[] = {"A=1", "EMPTY=", "B=two words", NULL};
        execve("/proc/self/exe", args, env);
        _exit(99);
    }
    close(ready[1]);
    close(hold[0]);
    char c, path[64];
    CHECK_RET(read(ready[0], &c, 1), 1);
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    CHECK(same(path, want_args, sizeof want_args));
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    CHECK(same(path, want_env, sizeof want_env));
    close(hold[1]);
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_status();
}
