/* Default signal actions as a parent sees them: terminating signals (SIGHUP,
 * SIGINT, SIGTERM, SIGUSR1/2, SIGALRM, SIGPIPE, real-time ones) and
 * core-dumping ones (SIGQUIT, SIGABRT via abort, SIGSYS; the core flag is
 * not checked) end a child with WTERMSIG; SIGCHLD, SIGURG and SIGWINCH are
 * ignored and do not even interrupt a blocking read; SIGTSTP and SIGTTIN
 * stop a child (in a non-orphaned group) and SIGCONT resumes it. A SIGCHLD
 * handler hears CLD_EXITED / CLD_KILLED / CLD_STOPPED / CLD_CONTINUED with
 * the status (stops not reported with SA_NOCLDSTOP); SIGCHLD set to SIG_IGN
 * or SA_NOCLDWAIT reaps children automatically (wait ends with ECHILD; the
 * SA_NOCLDWAIT handler still runs). Writing to a pipe with no reader raises
 * SIGPIPE (SI_USER from ourselves) and, if the process survives, EPIPE. */
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void no_core(void) {
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static pid_t sleeper(void) {
    pid_t pid = fork();
    if (pid == 0) {
        no_core();
        for (;;)
            pause();
    }
    return pid;
}

static int killed_by(int sig) {
    pid_t pid = sleeper();
    kill(pid, sig);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st))
        return -1;
    return WTERMSIG(st);
}

static void terminating(void) {
    static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS,
                               SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM,
                               SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
                               SIGIO, SIGPWR, SIGSYS};
    int all = 1;
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int got = killed_by(sigs[i]);
        if (got != sigs[i]) {
            printf("FAIL signal %d: child got %d\n", sigs[i], got);
            all = 0;
        }
    }
    CHECK(all);
    int rt_all = 1;
    for (int s = SIGRTMIN; s <= SIGRTMAX; s += 7)
        if (killed_by(s) != s)
            rt_all = 0;
    CHECK(rt_all);
    CHECK_RET(killed_by(SIGRTMAX), SIGRTMAX);

    pid_t pid = fork();
    if (pid == 0) {
        no_core();
        abort();
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

static void ignored(void) {
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        ssize_t n = read(p[0], &c, 1);
        _exit(n == 1 && c == 'x' ? 0 : 1);
    }
    kill(pid, SIGCHLD);
    kill(pid, SIGURG);
    kill(pid, SIGWINCH);
    kill(pid, SIGCONT);
    usleep(10000);
    CHECK_RET(waitpid(pid, NULL, WNOHANG), 0);
    CHECK_RET(write(p[1], "x", 1), 1);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(p[0]);
    close(p[1]);
}

static void stopping(void) {
    static const int sigs[] = {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};
    for (int i = 0; i < 4; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            setpgid(0, 0);
            for (;;)
                pause();
        }
        setpgid(pid, pid);
        CHECK_OK(kill(pid, sigs[i]));
        int st;
        CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
        CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == sigs[i]);
        CHECK_OK(kill(pid, SIGCONT));
        CHECK_RET(waitpid(pid, &st, WCONTINUED), pid);
        CHECK(WIFCONTINUED(st));
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
}

static volatile int chld_n, chld_code[8], chld_status[8];
static volatile pid_t chld_pid[8];

static void on_chld(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    if (chld_n < 8) {
        chld_code[chld_n] = si->si_code;
        chld_status[chld_n] = si->si_status;
        chld_pid[chld_n] = si->si_pid;
    }
    chld_n++;
}

/* The SIGCHLD for a stop or continue may come a moment after waitpid
 * already saw the state change: wait for it (bounded). */
static void await_chld(int n) {
    for (int i = 0; i < 2000 && chld_n < n; i++)
        usleep(1000);
}

static void sigchld_handler(void) {
    struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO};
    sigaction(SIGCHLD, &sa, NULL);
    chld_n = 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(13);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(chld_n == 1);
    CHECK(chld_code[0] == CLD_EXITED && chld_status[0] == 13 && chld_pid[0] == pid);

    chld_n = 0;
    pid = sleeper();
    kill(pid, SIGSTOP);
    CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
    await_chld(1);
    CHECK(chld_n == 1);
    CHECK(chld_code[0] == CLD_STOPPED && chld_status[0] == SIGSTOP && chld_pid[0] == pid);
    kill(pid, SIGCONT);
    CHECK_RET(waitpid(pid, &st, WCONTINUED), pid);
    await_chld(2);
    CHECK(chld_n == 2);
    CHECK(chld_code[1] == CLD_CONTINUED && chld_status[1] == SIGCONT);
    kill(pid, SIGTERM);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(chld_n == 3);
    CHECK(chld_code[2] == CLD_KILLED && chld_status[2] == SIGTERM);

    /* SA_NOCLDSTOP: no SIGCHLD for stop or continue, still for exit. */
    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    chld_n = 0;
    pid = sleeper();
    kill(pid, SIGSTOP);
    CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
    kill(pid, SIGCONT);
    CHECK_RET(waitpid(pid, &st, WCONTINUED), pid);
    usleep(20000); /* time for a (wrong) SIGCHLD to show up */
    CHECK(chld_n == 0);
    kill(pid, SIGKILL);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(chld_n == 1 && chld_code[0] == CLD_KILLED && chld_status[0] == SIGKILL);
    signal(SIGCHLD, SIG_DFL);
}

static void autoreap(void) {
    /* SIG_IGN: wait blocks until all have gone, then ECHILD. */
    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 5; i++)
        if (fork() == 0) {
            usleep(5000 * i);
            _exit(i);
        }
    int st;
    CHECK_ERR(wait(&st), ECHILD);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    pid_t pid = sleeper();
    kill(pid, SIGKILL);
    CHECK_ERR(waitpid(pid, &st, 0), ECHILD);
    CHECK_ERR(kill(pid, 0), ESRCH);
    signal(SIGCHLD, SIG_DFL);

    /* SA_NOCLDWAIT with a handler: reaped, and the handler still runs. */
    struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_NOCLDWAIT};
    sigaction(SIGCHLD, &sa, NULL);
    chld_n = 0;
    pid = fork();
    if (pid == 0)
        _exit(3);
    CHECK_ERR(waitpid(pid, &st, 0), ECHILD);
    CHECK(chld_n == 1);
    CHECK(chld_code[0] == CLD_EXITED && chld_status[0] == 3);
    signal(SIGCHLD, SIG_DFL);

    /* Back to default: zombies again. */
    pid = fork();
    if (pid == 0)
        _exit(4);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WEXITSTATUS(st) == 4);
}

static volatile int pipe_hits, pipe_code;
static volatile pid_t pipe_pid;
static void on_pipe(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    pipe_hits++;
    pipe_code = si->si_code;
    pipe_pid = si->si_pid;
}

static void sigpipe(void) {
    int p[2];
    CHECK_OK(pipe(p));
    close(p[0]);
    pid_t pid = fork();
    if (pid == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);

    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);

    struct sigaction sa = {.sa_sigaction = on_pipe, .sa_flags = SA_SIGINFO};
    sigaction(SIGPIPE, &sa, NULL);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK(pipe_hits == 1);
    CHECK(pipe_code == SI_USER);
    CHECK(pipe_pid == getpid());

    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(SIG_BLOCK, &s, NULL);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    sigset_t pend;
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGPIPE) == 1);
    CHECK(pipe_hits == 1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK(pipe_hits == 2);
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);
}

int main(void) {
    terminating();
    ignored();
    stopping();
    sigchld_handler();
    autoreap();
    sigpipe();
    return check_status();
}
