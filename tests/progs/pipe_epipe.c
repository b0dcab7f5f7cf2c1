/* Writing to a pipe with no reader: with SIGPIPE ignored, write and writev
 * fail with EPIPE (blocking or not); with a handler, the handler runs once
 * per write with si_code SI_USER and si_pid our own pid, and the write is
 * EPIPE; with SIGPIPE blocked, EPIPE and SIGPIPE left pending; a zero-length
 * write succeeds without a signal; a child with the default action is
 * killed by SIGPIPE; a writer blocked on a full pipe gets EPIPE when the
 * last reader closes. */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/uio.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits, last_code, last_pid_ok;

static void on_pipe(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (sig == SIGPIPE)
        hits++;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid();
}

static int rfd;

static void *close_reader_later(void *arg) {
    (void)arg;
    usleep(30000);
    close(rfd);
    return NULL;
}

int main(void) {
    int p[2];
    char big[100000];
    memset(big, 'b', sizeof big);

    /* Ignored: EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    struct iovec v[2] = {{"ab", 2}, {"cd", 2}};
    CHECK_ERR(writev(p[1], v, 2), EPIPE);
    CHECK_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    CHECK_ERR(write(p[1], big, sizeof big), EPIPE);
    /* A zero-length write never reaches the reader check. */
    CHECK_RET(write(p[1], "", 0), 0);

    /* A handler: it runs, and the write still fails. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_pipe;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_RET(hits, 1);
    CHECK_RET(last_code, SI_USER);
    CHECK(last_pid_ok);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_RET(hits, 2);
    CHECK_RET(write(p[1], "", 0), 0);
    CHECK_RET(hits, 2);

    /* Blocked: EPIPE, and the signal waits in the pending set (once). */
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGPIPE));
    CHECK_RET(hits, 2);
    siginfo_t si;
    struct timespec zero = {0, 0};
    CHECK_RET(sigtimedwait(&set, &si, &zero), SIGPIPE);
    CHECK_RET(si.si_code, SI_USER);
    CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    CHECK_RET(hits, 2);
    close(p[1]);

    /* A writer blocked on a full pipe: when the reader closes it wakes with
     * EPIPE (not EINTR), and the handler runs once. */
    hits = 0;
    CHECK_OK(pipe(p));
    rfd = p[0];
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
    CHECK_RET(write(p[1], big, 4096), 4096);
    pthread_t t;
    pthread_create(&t, NULL, close_reader_later, NULL);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    pthread_join(t, NULL);
    CHECK_RET(hits, 1);
    close(p[1]);

    /* Default action: a child dies of SIGPIPE. */
    CHECK_OK(pipe(p));
    close(p[0]);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        ssize_t r = write(p[1], "x", 1);
        _exit(r == -1 ? 3 : 4);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
    /* An ignored SIGPIPE is inherited across fork. */
    signal(SIGPIPE, SIG_IGN);
    pid = fork();
    if (pid == 0) {
        ssize_t r = write(p[1], "x", 1);
        _exit(r == -1 && errno == EPIPE ? 0 : 4);
    }
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(p[1]);
    return check_status();
}
