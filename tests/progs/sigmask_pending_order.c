/* The signal mask and the pending set: rt_sigprocmask SIG_BLOCK /
 * SIG_UNBLOCK / SIG_SETMASK (bad how and sigsetsize EINVAL; SIGKILL and
 * SIGSTOP silently never blocked); a blocked signal is pending
 * (sigpending) until unblocked; a standard signal sent 5 times while
 * blocked is delivered once, a real-time one 5 times in order with its
 * values; unblocking many at once delivers the synchronous ones (SIGILL,
 * SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS) first, then lowest number first
 * (real-time after standard); with handlers that block nothing extra the
 * later ones nest inside, so they *run* in the reverse order; sigsuspend
 * swaps the mask, returns EINTR and restores it; sigtimedwait/sigwaitinfo
 * take a pending signal without a handler running, time out with EAGAIN,
 * and reject a bad timeout with EINVAL. */
#include "check.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static void block_only(int sig, int how) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

static void masks(void) {
    sigset_t s, old, now;
    sigemptyset(&s);
    CHECK_OK(sigprocmask(SIG_SETMASK, &s, &old));
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGRTMIN + 3);
    CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGRTMIN + 3));
    CHECK(!sigismember(&now, SIGUSR2));
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &s, &old));
    CHECK(!sigismember(&old, SIGUSR2) && sigismember(&old, SIGUSR1));
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &s, NULL));
    CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
    CHECK(!sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2));
    /* SIGKILL and SIGSTOP are dropped from any mask. */
    sigfillset(&s);
    CHECK_OK(sigprocmask(SIG_SETMASK, &s, NULL));
    CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
    CHECK(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP));
    CHECK(sigismember(&now, SIGTERM) && sigismember(&now, SIGRTMAX));
    /* The raw mask word: glibc's sigprocmask kept its own signals 32 and
     * 33 out; the kernel dropped SIGKILL and SIGSTOP. */
    unsigned long raw = 0;
    CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &raw, 8));
    CHECK(raw == ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)) | (3UL << 31)));
    unsigned long bits = ~0UL;
    CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &bits, NULL, 8));
    CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &raw, 8));
    CHECK(raw == ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1))));
    sigemptyset(&s);
    CHECK_OK(sigprocmask(SIG_SETMASK, &s, NULL));

    CHECK_ERR(syscall(SYS_rt_sigprocmask, 3, &s, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, -1, &s, NULL, 8), EINVAL);
    CHECK_OK(syscall(SYS_rt_sigprocmask, 3, NULL, NULL, 8)); /* how unused */
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)8, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, (void *)8, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigpending, &raw, 16), EINVAL);
}

static volatile int usr1_count, rt_count, rt_values[8];

static void on_usr1(int sig) {
    (void)sig;
    usr1_count++;
}
static void on_rt(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    if (rt_count < 8)
        rt_values[rt_count] = si->si_value.sival_int;
    rt_count++;
}

static void queueing(void) {
    signal(SIGUSR1, on_usr1);
    struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO};
    sigaction(SIGRTMIN, &sa, NULL);
    block_only(SIGUSR1, SIG_BLOCK);
    block_only(SIGRTMIN, SIG_BLOCK);
    for (int i = 0; i < 5; i++) {
        kill(getpid(), SIGUSR1);
        sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 100 + i});
    }
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR1) && sigismember(&pend, SIGRTMIN));
    CHECK(!sigismember(&pend, SIGUSR2));
    CHECK(usr1_count == 0 && rt_count == 0);
    block_only(SIGUSR1, SIG_UNBLOCK);
    CHECK(usr1_count == 1);
    block_only(SIGRTMIN, SIG_UNBLOCK);
    CHECK(rt_count == 5);
    int in_order = 1;
    for (int i = 0; i < 5; i++)
        if (rt_values[i] != 100 + i)
            in_order = 0;
    CHECK(in_order);
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGRTMIN));
    signal(SIGUSR1, SIG_DFL);
    signal(SIGRTMIN, SIG_DFL);
}

static volatile int order[16], norder;
static void record(int sig) {
    if (norder < 16)
        order[norder] = sig;
    norder++;
}

static const int sent[] = {SIGUSR2, SIGHUP, 35, SIGTERM, SIGSEGV, SIGUSR1, 34, SIGTRAP, SIGCHLD, SIGFPE};
#define NSENT ((int)(sizeof sent / sizeof sent[0]))

static void delivery_order(int full_mask) {
    struct sigaction sa = {.sa_handler = record};
    if (full_mask)
        sigfillset(&sa.sa_mask);
    else
        sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NSENT; i++)
        sigaction(sent[i], &sa, NULL);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int i = 0; i < NSENT; i++)
        kill(getpid(), sent[i]);
    norder = 0;
    sigprocmask(SIG_SETMASK, &none, NULL);
    CHECK(norder == NSENT);
    /* Delivery order: synchronous first (4 SIGILL, 5 SIGTRAP, 8 SIGFPE,
     * 11 SIGSEGV), then 1, 10, 12, 15, 17, 34, 35. */
    static const int want[] = {SIGTRAP, SIGFPE, SIGSEGV, SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, SIGCHLD, 34, 35};
    int match = norder == NSENT;
    for (int i = 0; match && i < NSENT; i++) {
        int w = full_mask ? want[i] : want[NSENT - 1 - i];
        if (order[i] != w)
            match = 0;
    }
    int in_delivery_order = full_mask && match;   /* one at a time */
    int in_reverse_order = !full_mask && match;   /* frames stacked first */
    if (full_mask)
        CHECK(in_delivery_order);
    else
        CHECK(in_reverse_order);
    for (int i = 0; i < NSENT; i++)
        signal(sent[i], SIG_DFL);
}

static volatile int suspend_hits;
static volatile int mask_in_handler_has_usr2;
static void on_suspend(int sig) {
    (void)sig;
    suspend_hits++;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    mask_in_handler_has_usr2 = sigismember(&now, SIGUSR2);
}

static void suspend(void) {
    signal(SIGUSR1, on_suspend);
    block_only(SIGUSR1, SIG_BLOCK);
    kill(getpid(), SIGUSR1);
    CHECK(suspend_hits == 0);
    sigset_t during;
    sigemptyset(&during);
    sigaddset(&during, SIGUSR2);
    CHECK_ERR(sigsuspend(&during), EINTR);
    CHECK(suspend_hits == 1);
    CHECK(mask_in_handler_has_usr2 == 1); /* the sigsuspend mask + the signal */
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1) == 1); /* restored */
    CHECK(sigismember(&now, SIGUSR2) == 0);
    CHECK_ERR(syscall(SYS_rt_sigsuspend, &during, 4), EINVAL);
    block_only(SIGUSR1, SIG_UNBLOCK);
    signal(SIGUSR1, SIG_DFL);
}

static volatile int waited_handler_hits;
static void on_waited(int sig) {
    (void)sig;
    waited_handler_hits++;
}

static void timed_wait(void) {
    signal(SIGUSR2, on_waited);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct timespec zero = {0, 0}, short_ts = {0, 10000000};
    siginfo_t si;
    CHECK_ERR(sigtimedwait(&s, &si, &zero), EAGAIN);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK_ERR(sigtimedwait(&s, &si, &short_ts), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &b);
    CHECK((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec) >= 10000000);
    kill(getpid(), SIGUSR2);
    sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = 9});
    memset(&si, 0, sizeof si);
    CHECK_RET(sigwaitinfo(&s, &si), SIGUSR2);
    CHECK(si.si_signo == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid());
    CHECK_RET(sigtimedwait(&s, &si, &zero), SIGRTMIN + 1);
    CHECK(si.si_code == SI_QUEUE && si.si_value.sival_int == 9);
    CHECK(waited_handler_hits == 0);
    /* Raw syscall: tkill shows as SI_TKILL (glibc folds it into SI_USER). */
    syscall(SYS_tkill, gettid(), SIGUSR2);
    CHECK_RET(syscall(SYS_rt_sigtimedwait, &s, &si, NULL, 8), SIGUSR2);
    CHECK(si.si_code == SI_TKILL);
    syscall(SYS_tkill, gettid(), SIGUSR2);
    CHECK_RET(sigwaitinfo(&s, &si), SIGUSR2);
    CHECK(si.si_code == SI_USER);
    /* NULL info is fine. */
    kill(getpid(), SIGUSR2);
    CHECK_RET(sigtimedwait(&s, NULL, &zero), SIGUSR2);

    struct timespec bad = {0, 1000000000};
    CHECK_ERR(sigtimedwait(&s, &si, &bad), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(sigtimedwait(&s, &si, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &s, &si, &zero, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, (void *)8, &si, &zero, 8), EFAULT);
    /* A signal not in the set still interrupts the wait. */
    signal(SIGALRM, on_waited);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec long_ts = {5, 0};
    CHECK_ERR(sigtimedwait(&s, &si, &long_ts), EINTR);
    CHECK(waited_handler_hits == 1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
}

int main(void) {
    masks();
    queueing();
    delivery_order(1);
    delivery_order(0);
    suspend();
    timed_wait();
    return check_status();
}
