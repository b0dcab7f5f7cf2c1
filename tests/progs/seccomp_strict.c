/* Strict mode: read, write, exit and rt_sigreturn only; any other call,
 * PR_GET_SECCOMP and exit_group included, kills the thread with SIGKILL. */
#include "seccomp_util.h"

static void say(const char *s) { syscall(SYS_write, 1, s, strlen(s)); }

static void strict_then(long nr) {
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        if (nr == SYS_prctl) {
            if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0)
                syscall(SYS_exit, 2);
        } else if (sc_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) != 0) {
            syscall(SYS_exit, 2);
        }
        say("  strict: write works\n");
        char c = 'x';
        if (syscall(SYS_write, p[1], &c, 1) != 1 || syscall(SYS_read, p[0], &c, 1) != 1)
            syscall(SYS_exit, 3);
        say("  strict: read works\n");
        if (nr == SYS_exit)
            syscall(SYS_exit, 7);
        if (nr == SYS_prctl)
            syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0);
        else
            syscall(nr, 0, 0, 0);
        say("  FAIL survived\n");
        syscall(SYS_exit, 4);
    }
    close(p[0]);
    close(p[1]);
    int st = 0;
    waitpid(pid, &st, 0);
    sc_report("  child", st);
}

int main(void) {
    printf("exit:\n");
    strict_then(SYS_exit);
    printf("getpid:\n");
    strict_then(SYS_getpid);
    printf("PR_GET_SECCOMP (strict set by prctl):\n");
    strict_then(SYS_prctl);
    printf("exit_group:\n");
    strict_then(SYS_exit_group);
    printf("seccomp:\n");
    strict_then(SYS_seccomp);
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    return check_status();
}
