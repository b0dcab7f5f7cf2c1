/* alarm and interval timers: alarm returns the previous timer's remaining
 * seconds (rounded), alarm(0) cancels, and alarm and ITIMER_REAL are one
 * timer; an alarm delivers SIGALRM with si_code SI_KERNEL after at least
 * its time; setitimer returns the old value, getitimer counts down, an
 * interval reloads; ITIMER_VIRTUAL and ITIMER_PROF fire only after the
 * process has used that much CPU (not while it sleeps), with SIGVTALRM and
 * SIGPROF; a forked child starts with no timers; bad timer kinds and
 * microsecond values are EINVAL. */
#include "check.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static long long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long tv_us(struct timeval tv) { return tv.tv_sec * 1000000LL + tv.tv_usec; }

static void alarms(void) {
    CHECK_RET(alarm(0), 0);
    CHECK_RET(alarm(10), 0);
    CHECK_RET(alarm(5), 10); /* 9.99... rounds to 10 */
    struct itimerval it;
    CHECK_OK(getitimer(ITIMER_REAL, &it));
    CHECK(it.it_value.tv_sec >= 4 && tv_us(it.it_value) <= 5000000);
    CHECK(tv_us(it.it_interval) == 0);
    CHECK_RET(alarm(0), 5);
    CHECK_RET(alarm(0), 0);
    CHECK_OK(getitimer(ITIMER_REAL, &it));
    CHECK(tv_us(it.it_value) == 0);
    /* One timer: setitimer then alarm sees it. */
    struct itimerval three = {{0, 0}, {3, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &three, NULL));
    CHECK_RET(alarm(0), 3);
    struct itimerval half = {{0, 0}, {0, 400000}};
    CHECK_OK(setitimer(ITIMER_REAL, &half, NULL));
    CHECK_RET(alarm(0), 1); /* under a second still reports 1 */

    /* A real alarm, taken with sigwaitinfo. */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_RET(alarm(1), 0);
    siginfo_t si;
    CHECK_RET(sigwaitinfo(&s, &si), SIGALRM);
    long long t1 = now_ns(CLOCK_MONOTONIC);
    CHECK(si.si_code == SI_KERNEL);
    CHECK(t1 - t0 >= 1000000000LL);
    CHECK_RET(alarm(0), 0); /* it is spent */
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void real_itimer(void) {
    struct itimerval it, old;
    CHECK_OK(getitimer(ITIMER_REAL, &it));
    CHECK(tv_us(it.it_value) == 0 && tv_us(it.it_interval) == 0);
    struct itimerval set = {{0, 0}, {0, 300000}};
    CHECK_OK(setitimer(ITIMER_REAL, &set, &old));
    CHECK(tv_us(old.it_value) == 0);
    CHECK_OK(getitimer(ITIMER_REAL, &it));
    CHECK(tv_us(it.it_value) > 0 && tv_us(it.it_value) <= 300000);
    struct itimerval zero = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &zero, &old));
    CHECK(tv_us(old.it_value) > 0 && tv_us(old.it_value) <= 300000);
    CHECK(tv_us(old.it_interval) == 0);

    /* An interval timer fires repeatedly. */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct itimerval rep = {{0, 10000}, {0, 10000}};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_OK(setitimer(ITIMER_REAL, &rep, NULL));
    int got = 0;
    siginfo_t si;
    for (int i = 0; i < 5; i++)
        if (sigwaitinfo(&s, &si) == SIGALRM)
            got++;
    long long t1 = now_ns(CLOCK_MONOTONIC);
    CHECK_OK(getitimer(ITIMER_REAL, &it));
    CHECK(tv_us(it.it_interval) == 10000);
    CHECK(tv_us(it.it_value) > 0 && tv_us(it.it_value) <= 10000);
    CHECK_OK(setitimer(ITIMER_REAL, &zero, NULL));
    CHECK_RET(got, 5);
    CHECK(t1 - t0 >= 50000000LL);
    struct timespec nap = {0, 30000000};
    nanosleep(&nap, NULL);
    sigset_t pend;
    sigpending(&pend);
    if (sigismember(&pend, SIGALRM))
        sigwaitinfo(&s, &si); /* one may have landed before the disarm */
    nanosleep(&nap, NULL);
    sigpending(&pend);
    CHECK(!sigismember(&pend, SIGALRM)); /* disarmed: no more */
    sigprocmask(SIG_UNBLOCK, &s, NULL);

    /* A forked child starts without timers. */
    CHECK_OK(setitimer(ITIMER_REAL, &set, NULL));
    pid_t pid = fork();
    if (pid == 0) {
        struct itimerval c;
        getitimer(ITIMER_REAL, &c);
        _exit(tv_us(c.it_value) == 0 && alarm(0) == 0 ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(setitimer(ITIMER_REAL, &zero, NULL));
}

static volatile int fired_sig, fired_code;
static void on_cpu_timer(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fired_sig = sig;
    fired_code = si->si_code;
}

static void cpu_itimer(int which, int sig) {
    struct sigaction sa = {.sa_sigaction = on_cpu_timer, .sa_flags = SA_SIGINFO};
    sigaction(sig, &sa, NULL);
    fired_sig = 0;
    struct itimerval set = {{0, 0}, {0, 20000}}, it;
    /* Sleeping uses no CPU: it does not fire. */
    CHECK_OK(setitimer(which, &set, NULL));
    struct timespec nap = {0, 60000000};
    nanosleep(&nap, NULL);
    CHECK(fired_sig == 0);
    CHECK_OK(getitimer(which, &it));
    /* Linux adds one tick (1/HZ, at most 10 ms) to a CPU timer's value. */
    CHECK(tv_us(it.it_value) > 0 && tv_us(it.it_value) <= 30000);
    /* Busy: it fires after at least 20 ms of CPU. */
    long long wall0 = now_ns(CLOCK_MONOTONIC);
    volatile unsigned long spin = 0;
    while (!fired_sig && now_ns(CLOCK_MONOTONIC) - wall0 < 3000000000LL)
        spin++;
    long long wall1 = now_ns(CLOCK_MONOTONIC);
    CHECK(fired_sig == sig);
    CHECK(fired_code == SI_KERNEL);
    /* Most of the 20 ms was left. Measured in wall time: Linux charges these
     * timers by whole ticks to whoever runs at the tick, so when the CPU is
     * shared they can run ahead of CLOCK_PROCESS_CPUTIME_ID, but never ahead
     * of the ticks themselves. */
    CHECK(wall1 - wall0 >= 15000000LL);
    CHECK_OK(getitimer(which, &it));
    CHECK(tv_us(it.it_value) == 0);
    signal(sig, SIG_DFL);
}

static void errors(void) {
    struct itimerval it = {{0, 0}, {0, 0}};
    CHECK_ERR(setitimer(3, &it, NULL), EINVAL);
    CHECK_ERR(setitimer(-1, &it, NULL), EINVAL);
    CHECK_ERR(getitimer(3, &it), EINVAL);
    it.it_value.tv_usec = 1000000;
    CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
    it.it_value.tv_usec = -1;
    CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
    it.it_value.tv_usec = 0;
    it.it_interval.tv_usec = 1000000;
    CHECK_ERR(setitimer(ITIMER_VIRTUAL, &it, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL), EFAULT);
}

int main(void) {
    alarms();
    real_itimer();
    cpu_itimer(ITIMER_VIRTUAL, SIGVTALRM);
    cpu_itimer(ITIMER_PROF, SIGPROF);
    errors();
    return check_status();
}
