/* POSIX timers through the raw syscalls: timer_create with SIGEV_SIGNAL
 * delivers its signal with si_code SI_TIMER, the sigev value and
 * si_timerid; a NULL sigevent means SIGALRM carrying the timer id;
 * SIGEV_NONE only counts down; SIGEV_THREAD_ID targets one thread (the
 * handler's gettid). timer_settime returns the old setting, works relative
 * and TIMER_ABSTIME (a past deadline fires at once), and a zero value
 * disarms; timer_gettime reports the interval and what is left; overruns
 * of a blocked interval timer show in si_overrun and timer_getoverrun;
 * timer_delete makes the id invalid; a forked child has no timers; bad
 * clocks, notify kinds, signals, thread ids, times and ids are EINVAL. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static int tcreate(clockid_t c, struct sigevent *sev, int *id) {
    return syscall(SYS_timer_create, c, sev, id);
}
static int tset(int id, int flags, const struct itimerspec *n, struct itimerspec *o) {
    return syscall(SYS_timer_settime, id, flags, n, o);
}
static int tget(int id, struct itimerspec *cur) { return syscall(SYS_timer_gettime, id, cur); }
static int tdel(int id) { return syscall(SYS_timer_delete, id); }
static int toverrun(int id) { return syscall(SYS_timer_getoverrun, id); }

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ns(t);
}
static struct itimerspec after(long nsec, long interval) {
    struct itimerspec it = {{interval / 1000000000, interval % 1000000000},
                            {nsec / 1000000000, nsec % 1000000000}};
    return it;
}

static void block(int sig) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
}
static int wait_for(int sig, siginfo_t *si) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    return syscall(SYS_rt_sigtimedwait, &s, si, NULL, 8);
}

static void signal_timers(void) {
    block(SIGUSR1);
    block(SIGALRM);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    sev.sigev_value.sival_int = 4242;
    int id = -1;
    CHECK_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
    CHECK(id >= 0);
    struct itimerspec cur;
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_value) == 0 && ns(cur.it_interval) == 0);

    struct itimerspec it = after(20000000, 0), old;
    long long t0 = now_ns();
    CHECK_OK(tset(id, 0, &it, &old));
    CHECK(ns(old.it_value) == 0);
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_value) > 0 && ns(cur.it_value) <= 20000000);
    siginfo_t si;
    CHECK_RET(wait_for(SIGUSR1, &si), SIGUSR1);
    CHECK(now_ns() - t0 >= 20000000);
    CHECK(si.si_code == SI_TIMER);
    CHECK(si.si_value.sival_int == 4242);
    CHECK(si.si_timerid == id);
    CHECK(si.si_overrun == 0);
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_value) == 0); /* one-shot: spent */

    /* Absolute deadline. */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 15000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    it.it_interval.tv_sec = it.it_interval.tv_nsec = 0;
    it.it_value = deadline;
    CHECK_OK(tset(id, TIMER_ABSTIME, &it, NULL));
    CHECK_RET(wait_for(SIGUSR1, &si), SIGUSR1);
    CHECK(now_ns() >= ns(deadline));
    /* In the past: at once. */
    it.it_value.tv_sec = 1;
    it.it_value.tv_nsec = 0;
    CHECK_OK(tset(id, TIMER_ABSTIME, &it, NULL));
    struct timespec zero = {0, 0};
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    struct timespec tenth = {0, 100000000};
    CHECK_RET(sigtimedwait(&s, &si, &tenth), SIGUSR1);

    /* Replace a pending setting: old value comes back, then disarm. */
    it = after(5000000000L, 1000000000L);
    CHECK_OK(tset(id, 0, &it, NULL));
    it = after(0, 0);
    CHECK_OK(tset(id, 0, &it, &old));
    CHECK(ns(old.it_value) > 4000000000LL && ns(old.it_value) <= 5000000000LL);
    CHECK(ns(old.it_interval) == 1000000000LL);
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_value) == 0 && ns(cur.it_interval) == 0);
    CHECK_ERR(sigtimedwait(&s, &si, &zero), EAGAIN);

    /* Overruns while the signal is blocked and pending. */
    it = after(1000000, 1000000);
    CHECK_OK(tset(id, 0, &it, NULL));
    struct timespec nap = {0, 50000000};
    nanosleep(&nap, NULL);
    CHECK_RET(wait_for(SIGUSR1, &si), SIGUSR1);
    CHECK(si.si_overrun >= 10);
    CHECK(toverrun(id) == si.si_overrun);
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_interval) == 1000000);
    it = after(0, 0);
    CHECK_OK(tset(id, 0, &it, NULL));
    /* Drain one that may have been queued again before the disarm. */
    sigtimedwait(&s, &si, &zero);

    /* A forked child does not have it. */
    pid_t pid = fork();
    if (pid == 0)
        _exit(tget(id, &cur) == -1 && errno == EINVAL ? 0 : 1);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    CHECK_OK(tdel(id));
    CHECK_ERR(tget(id, &cur), EINVAL);
    CHECK_ERR(tdel(id), EINVAL);
    CHECK_ERR(tset(id, 0, &it, NULL), EINVAL);
    CHECK_ERR(toverrun(id), EINVAL);

    /* NULL sigevent: SIGALRM with the id as value. */
    int id2 = -1;
    CHECK_OK(tcreate(CLOCK_REALTIME, NULL, &id2));
    it = after(5000000, 0);
    CHECK_OK(tset(id2, 0, &it, NULL));
    CHECK_RET(wait_for(SIGALRM, &si), SIGALRM);
    CHECK(si.si_code == SI_TIMER);
    CHECK(si.si_value.sival_int == id2);
    CHECK(si.si_timerid == id2);
    CHECK_OK(tdel(id2));

    /* SIGEV_NONE counts down silently. */
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    CHECK_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
    it = after(20000000, 0);
    CHECK_OK(tset(id, 0, &it, NULL));
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_value) > 0);
    nanosleep(&tenth, NULL);
    CHECK_OK(tget(id, &cur));
    CHECK(ns(cur.it_value) == 0);
    CHECK_OK(tdel(id));

    /* CPU-time clocks can drive timers too. */
    CHECK_OK(tcreate(CLOCK_PROCESS_CPUTIME_ID, &sev, &id));
    CHECK_OK(tdel(id));
    CHECK_OK(tcreate(CLOCK_THREAD_CPUTIME_ID, &sev, &id));
    CHECK_OK(tdel(id));
    CHECK_OK(tcreate(CLOCK_BOOTTIME, &sev, &id));
    CHECK_OK(tdel(id));
}

static volatile pid_t handler_tid;
static volatile int handler_code;
static void on_usr2(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    handler_code = si->si_code;
    handler_tid = gettid();
}
static volatile pid_t target_tid;
static volatile int target_stop;
static void *target(void *arg) {
    (void)arg;
    target_tid = gettid();
    while (!target_stop)
        usleep(500);
    return NULL;
}

static void thread_id_timer(void) {
    struct sigaction sa = {.sa_sigaction = on_usr2, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, target, NULL);
    while (!target_tid)
        usleep(200);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGUSR2;
    sev._sigev_un._tid = target_tid;
    int id;
    CHECK_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
    struct itimerspec it = after(5000000, 0);
    CHECK_OK(tset(id, 0, &it, NULL));
    for (int i = 0; i < 4000 && !handler_tid; i++)
        usleep(500);
    CHECK(handler_tid == target_tid);
    CHECK(handler_code == SI_TIMER);
    CHECK_OK(tdel(id));
    target_stop = 1;
    pthread_join(t, NULL);

    /* A tid outside the thread group is EINVAL. */
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    sev._sigev_un._tid = pid;
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    sev._sigev_un._tid = 0;
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
    signal(SIGUSR2, SIG_DFL);
}

static void errors(void) {
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    int id;
    CHECK_ERR(tcreate(99, &sev, &id), EINVAL);
    CHECK_ERR(tcreate(-1, &sev, &id), EINVAL);
    sev.sigev_notify = 99;
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = 0;
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
    sev.sigev_signo = 65;
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, &sev, &id), EINVAL);
    sev.sigev_signo = SIGUSR1;
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, &sev, (int *)8), EFAULT);
    CHECK_ERR(tcreate(CLOCK_MONOTONIC, (struct sigevent *)8, &id), EFAULT);
    CHECK_OK(tcreate(CLOCK_MONOTONIC, &sev, &id));
    struct itimerspec it = after(0, 0);
    it.it_value.tv_nsec = 1000000000;
    CHECK_ERR(tset(id, 0, &it, NULL), EINVAL);
    it.it_value.tv_nsec = -1;
    CHECK_ERR(tset(id, 0, &it, NULL), EINVAL);
    it = after(1000000, 0);
    it.it_interval.tv_nsec = 1000000000;
    CHECK_ERR(tset(id, 0, &it, NULL), EINVAL);
    CHECK_ERR(tset(id, 0, NULL, NULL), EINVAL);
    CHECK_ERR(tset(id, 0, (void *)8, NULL), EFAULT);
    CHECK_ERR(tget(id, (void *)8), EFAULT);
    CHECK_ERR(tget(123456, (void *)8), EINVAL);
    CHECK_ERR(tdel(-1), EINVAL);
    CHECK_OK(tdel(id));
}

int main(void) {
    signal_timers();
    thread_id_timer();
    errors();
    return check_status();
}
