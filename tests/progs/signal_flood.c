/* 100,000 signals between two processes, counted on both sides: a signal
 * is never lost nor delivered twice. Half go through sigwaitinfo, half
 * through handlers woken from sigsuspend; each side answers every signal,
 * so a lost one would hang (and time out) and a duplicate would show in
 * the counts. Real-time signals sent in bursts while blocked all queue. */
#include "check.h"
#include <signal.h>
#include <sys/wait.h>

#define ROUNDS 50000
#define BURST 64

static volatile sig_atomic_t handled;
static void on_sig(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)si;
    (void)uc;
    handled++;
}

static int waitinfo(const sigset_t *set, int expect) {
    siginfo_t si;
    int s = sigwaitinfo(set, &si);
    return s == expect ? 0 : -1;
}

int main(void) {
    sigset_t both, usr1, usr2, rt, none;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    sigaddset(&both, SIGRTMIN);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    sigemptyset(&none);
    CHECK_OK(sigprocmask(SIG_BLOCK, &both, NULL));
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));

    int report[2];
    CHECK_OK(pipe(report));
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        long got = 0;
        /* Phase 1: sigwaitinfo. */
        for (int i = 0; i < ROUNDS; i++) {
            if (waitinfo(&usr1, SIGUSR1) != 0)
                _exit(1);
            got++;
            kill(parent, SIGUSR2);
        }
        /* Phase 2: handlers. */
        for (int i = 0; i < ROUNDS; i++) {
            while (handled == 0)
                sigsuspend(&none);
            handled--;
            got++;
            kill(parent, SIGUSR2);
        }
        /* Phase 3: bursts of queued real-time signals. */
        long rts = 0;
        for (int b = 0; b < 8; b++) {
            for (int i = 0; i < BURST; i++) {
                if (waitinfo(&rt, SIGRTMIN) != 0)
                    _exit(2);
                rts++;
            }
            kill(parent, SIGUSR2);
        }
        write(report[1], &got, sizeof got);
        write(report[1], &rts, sizeof rts);
        _exit(0);
    }
    long sent = 0, acked = 0;
    for (int i = 0; i < ROUNDS; i++) {
        CHECK_OK(kill(child, SIGUSR1) == 0 ? 0 : -1);
        sent++;
        if (waitinfo(&usr2, SIGUSR2) == 0)
            acked++;
    }
    for (int i = 0; i < ROUNDS; i++) {
        kill(child, SIGUSR1);
        sent++;
        if (waitinfo(&usr2, SIGUSR2) == 0)
            acked++;
    }
    union sigval v = {0};
    long rt_sent = 0;
    for (int b = 0; b < 8; b++) {
        for (int i = 0; i < BURST; i++)
            if (sigqueue(child, SIGRTMIN, v) == 0)
                rt_sent++;
        waitinfo(&usr2, SIGUSR2);
    }
    long got = -1, rts = -1;
    CHECK_RET(read(report[0], &got, sizeof got), sizeof got);
    CHECK_RET(read(report[0], &rts, sizeof rts), sizeof rts);
    int st;
    CHECK_RET(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(sent == 2 * ROUNDS);
    CHECK(acked == 2 * ROUNDS);
    CHECK(got == 2 * ROUNDS);
    CHECK(rt_sent == 8 * BURST && rts == 8 * BURST);
    sigset_t pending;
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGUSR2)); /* nothing left over */
    return check_status();
}
