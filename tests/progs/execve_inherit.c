/* What survives execve (the program re-executes its own argv[0] with
 * argv[1] = "child"): the pid and parent, argv and envp exactly as passed,
 * descriptors without close-on-exec (their flags read 0) while
 * FD_CLOEXEC / O_CLOEXEC / F_DUPFD_CLOEXEC ones are closed (EBADF); caught
 * signals reset to SIG_DFL, ignored ones stay SIG_IGN, and every action's
 * flags and mask are cleared; the blocked mask and pending signals are
 * kept; the alternate signal stack is dropped; ITIMER_REAL (alarm) keeps
 * running; children forked before the exec are still ours; the umask is
 * kept; the name (PR_GET_NAME) becomes the file's basename. execve
 * failures (ENOENT, EACCES, EFAULT, ENOTDIR) leave the caller intact. */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static void handler(int sig) { (void)sig; }

static int child(int argc, char **argv) {
    CHECK_RET(argc, 7);
    int fd_cloexec = atoi(argv[2]), fd_kept = atoi(argv[3]), fd_pipe = atoi(argv[4]);
    pid_t old_pid = atoi(argv[5]), old_ppid = atoi(argv[6]);
    CHECK(getpid() == old_pid);
    CHECK(getppid() == old_ppid);
    CHECK(environ[0] && strcmp(environ[0], "FIRST=1") == 0);
    CHECK(environ[1] && strcmp(environ[1], "SECOND=two words") == 0);
    CHECK(environ[2] == NULL);
    CHECK(strcmp(argv[1], "child") == 0);
    CHECK(argv[7] == NULL);

    /* Descriptors. */
    CHECK_ERR(fcntl(fd_cloexec, F_GETFD), EBADF);
    CHECK_ERR(fcntl(fd_pipe, F_GETFD), EBADF);
    CHECK_RET(fcntl(fd_kept, F_GETFD), 0);
    CHECK_RET(write(fd_kept, "ok write through the kept descriptor\n", 37), 37);
    CHECK_RET(fcntl(0, F_GETFD), 0);

    /* Signal actions. */
    struct sigaction sa;
    CHECK_OK(sigaction(SIGUSR1, NULL, &sa));
    CHECK(sa.sa_handler == SIG_DFL);
    CHECK(sa.sa_flags == 0);
    CHECK_OK(sigaction(SIGUSR2, NULL, &sa));
    CHECK(sa.sa_handler == SIG_IGN);
    CHECK(sa.sa_flags == 0);
    CHECK(sigisemptyset(&sa.sa_mask));
    CHECK_OK(sigaction(SIGTERM, NULL, &sa));
    CHECK(sa.sa_handler == SIG_DFL);

    /* The mask and the pending set. */
    sigset_t set;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &set));
    CHECK(sigismember(&set, SIGINT) == 1);
    CHECK(sigismember(&set, SIGRTMIN + 2) == 1);
    CHECK(sigismember(&set, SIGHUP) == 1);
    CHECK(sigismember(&set, SIGUSR1) == 0);
    CHECK_OK(sigpending(&set));
    CHECK(sigismember(&set, SIGHUP) == 1);
    CHECK(sigismember(&set, SIGINT) == 0);
    /* The pending SIGHUP still carries what was sent (the raw syscall:
     * glibc's sigtimedwait folds SI_TKILL into SI_USER). */
    siginfo_t si;
    struct timespec zero = {0, 0};
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    CHECK_RET(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), SIGHUP);
    CHECK(si.si_code == SI_TKILL);
    CHECK(si.si_pid == old_pid);

    /* No alternate stack any more. */
    stack_t ss;
    CHECK_OK(sigaltstack(NULL, &ss));
    CHECK(ss.ss_flags == SS_DISABLE);
    CHECK(ss.ss_size == 0);

    /* alarm kept running. */
    unsigned left = alarm(0);
    CHECK(left >= 1 && left <= 100);

    /* A child from before the exec. */
    int st;
    pid_t w = wait(&st);
    CHECK(w > 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);

    mode_t m = umask(0);
    CHECK(m == 027);

    char name[16] = {0};
    CHECK_OK(prctl(PR_GET_NAME, name, 0, 0, 0));
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    CHECK(strncmp(name, base, 15) == 0);
    return check_status();
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "child") == 0)
        return child(argc, argv);

    /* Failures first: the process carries on. */
    char *none[] = {"x", NULL};
    CHECK_ERR(execve("/nonexistent", none, NULL), ENOENT);
    CHECK_ERR(execve("/", none, NULL), EACCES);
    CHECK_ERR(syscall(SYS_execve, 8, none, NULL), EFAULT);
    CHECK_ERR(execve("", none, NULL), ENOENT);
    char notdir[4096];
    snprintf(notdir, sizeof notdir, "%s/x", argv[0]);
    CHECK_ERR(execve(notdir, none, NULL), ENOTDIR);

    pid_t pid = fork();
    if (pid == 0) {
        int fd_cloexec = fcntl(1, F_DUPFD_CLOEXEC, 10);
        int fd_kept = dup(1);
        int p[2];
        pipe2(p, O_CLOEXEC);
        int fd_set = dup(1);
        fcntl(fd_set, F_SETFD, FD_CLOEXEC);
        (void)fd_set;

        struct sigaction sa = {.sa_handler = handler, .sa_flags = SA_RESTART | SA_ONSTACK};
        sigfillset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGUSR2, &sa, NULL);

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGRTMIN + 2);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(SIGHUP);

        static char altstack[65536];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
        sigaltstack(&ss, NULL);
        alarm(100);
        umask(027);
        prctl(PR_SET_NAME, "renamed", 0, 0, 0);
        if (fork() == 0)
            _exit(7);

        char a[16], b[16], c[16], d[16], e[16];
        snprintf(a, sizeof a, "%d", fd_cloexec);
        snprintf(b, sizeof b, "%d", fd_kept);
        snprintf(c, sizeof c, "%d", p[0]);
        snprintf(d, sizeof d, "%d", getpid());
        snprintf(e, sizeof e, "%d", getppid());
        char *args[] = {argv[0], "child", a, b, c, d, e, NULL};
        char *env[] = {"FIRST=1", "SECOND=two words", NULL};
        execve(argv[0], args, env);
        _exit(127);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 0);
    return check_status();
}
