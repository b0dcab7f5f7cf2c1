/* Signals in a multi-threaded process: each thread has its own mask (a new
 * thread starts with its creator's) and its own pending set, next to the
 * process-wide one: a tgkill'd signal blocked by its thread is pending for
 * that thread only, runs on it once unblocked, is invisible to another
 * thread's sigwaitinfo, and vanishes if the thread exits; a kill()ed one
 * is pending for every thread and whichever takes it with sigwaitinfo
 * consumes it for all; sigsuspend in a thread is woken by tgkill; a fault
 * is handled on the faulting thread. A blocked signal is queued even when
 * ignored, and setting SIG_IGN discards pending instances. */
#include "check.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

static volatile pid_t handled_on;
static volatile int handled_sig;
static void on_sig(int sig) {
    handled_sig = sig;
    handled_on = gettid();
}

static sigset_t only(int sig) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    return s;
}

/* A worker that runs steps told to it through a tiny mailbox. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int step, done_step;
static volatile pid_t worker_tid;
static int worker_result[16];

static void wait_step(int n) {
    pthread_mutex_lock(&mu);
    while (step < n)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}
static void finish_step(int n) {
    pthread_mutex_lock(&mu);
    done_step = n;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}
static void run_step(int n) {
    pthread_mutex_lock(&mu);
    step = n;
    pthread_cond_broadcast(&cv);
    while (done_step < n)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void *worker(void *arg) {
    (void)arg;
    sigset_t s, pend;
    worker_tid = gettid();
    /* 1: report the inherited mask, then block SIGUSR1 for this thread. */
    wait_step(1);
    pthread_sigmask(SIG_BLOCK, NULL, &s);
    worker_result[0] = sigismember(&s, SIGHUP);
    s = only(SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    s = only(SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    finish_step(1);
    /* 2: the main thread tgkill'd us SIGUSR1: pending here. */
    wait_step(2);
    sigpending(&pend);
    worker_result[1] = sigismember(&pend, SIGUSR1);
    finish_step(2);
    /* 3: unblock: the handler runs here. */
    wait_step(3);
    s = only(SIGUSR1);
    handled_on = 0;
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    worker_result[2] = handled_on == gettid();
    finish_step(3);
    /* 4: a process-directed SIGUSR2 (blocked everywhere): visible here,
     * then taken here with sigwaitinfo. */
    wait_step(4);
    sigpending(&pend);
    worker_result[3] = sigismember(&pend, SIGUSR2);
    s = only(SIGUSR2);
    siginfo_t si;
    worker_result[4] = sigwaitinfo(&s, &si) == SIGUSR2 && si.si_code == SI_USER;
    finish_step(4);
    /* 5: a SIGTERM tgkill'd at the main thread is not ours to wait for. */
    wait_step(5);
    s = only(SIGTERM);
    struct timespec short_ts = {0, 10000000};
    errno = 0;
    worker_result[5] = sigtimedwait(&s, &si, &short_ts) == -1 && errno == EAGAIN;
    finish_step(5);
    /* 6: sigsuspend until a tgkill'd SIGUSR1. */
    wait_step(6);
    s = only(SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    finish_step(6);
    sigset_t none;
    sigemptyset(&none);
    handled_on = 0;
    errno = 0;
    worker_result[6] = sigsuspend(&none) == -1 && errno == EINTR && handled_on == gettid();
    pthread_sigmask(SIG_BLOCK, NULL, &s);
    worker_result[7] = sigismember(&s, SIGUSR1); /* mask restored */
    /* 7: exit with a thread-directed signal pending. */
    wait_step(7);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    sigpending(&pend);
    worker_result[8] = sigismember(&pend, SIGUSR1);
    return NULL;
}

static sigjmp_buf fault_jmp;
static volatile pid_t fault_on;
static void on_segv(int sig) {
    (void)sig;
    fault_on = gettid();
    siglongjmp(fault_jmp, 1);
}
static void *faulter(void *arg) {
    (void)arg;
    if (sigsetjmp(fault_jmp, 1) == 0)
        *(volatile int *)0 = 1;
    return (void *)(long)gettid();
}

int main(void) {
    signal(SIGUSR1, on_sig);
    signal(SIGUSR2, on_sig);
    signal(SIGTERM, on_sig);
    sigset_t s = only(SIGHUP), pend;
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    CHECK_RET(pthread_create(&t, NULL, worker, NULL), 0);
    while (!worker_tid)
        usleep(200);

    run_step(1);
    CHECK(worker_result[0] == 1); /* inherited */
    pthread_sigmask(SIG_BLOCK, NULL, &s);
    CHECK(sigismember(&s, SIGHUP) == 1); /* its unblock did not touch ours */
    CHECK(sigismember(&s, SIGUSR1) == 0);

    handled_on = 0;
    CHECK_OK(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
    run_step(2);
    CHECK(worker_result[1] == 1);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR1) == 0); /* not ours */
    CHECK(handled_on == 0);
    run_step(3);
    CHECK(worker_result[2] == 1);

    CHECK_OK(kill(getpid(), SIGUSR2));
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR2) == 1); /* shared pending */
    run_step(4);
    CHECK(worker_result[3] == 1);
    CHECK(worker_result[4] == 1);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR2) == 0); /* consumed for all */

    CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGTERM));
    run_step(5);
    CHECK(worker_result[5] == 1);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGTERM) == 1); /* still ours */
    siginfo_t si;
    s = only(SIGTERM);
    CHECK_RET(sigwaitinfo(&s, &si), SIGTERM);

    run_step(6);
    usleep(10000);
    CHECK_OK(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
    /* step 7 starts once the worker has left sigsuspend (it waits for it) */
    pthread_mutex_lock(&mu);
    step = 7;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    CHECK_RET(pthread_join(t, NULL), 0);
    CHECK(worker_result[6] == 1);
    CHECK(worker_result[7] == 1);
    CHECK(worker_result[8] == 1);
    /* Its pending SIGUSR1 died with it. */
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR1) == 0);

    /* A fault is handled on the thread that faulted. */
    signal(SIGSEGV, on_segv);
    void *ret;
    pthread_create(&t, NULL, faulter, NULL);
    pthread_join(t, &ret);
    CHECK(fault_on == (pid_t)(long)ret);
    CHECK(fault_on != gettid());
    signal(SIGSEGV, SIG_DFL);

    /* Blocked and ignored: still queued; SIG_IGN flushes it. */
    signal(SIGHUP, SIG_IGN);
    CHECK_OK(kill(getpid(), SIGHUP));
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGHUP) == 1);
    signal(SIGHUP, on_sig);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGHUP) == 1); /* a handler keeps it */
    signal(SIGHUP, SIG_IGN);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGHUP) == 0); /* SIG_IGN discards it */
    /* SIG_DFL for a default-ignored signal discards too. */
    s = only(SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    CHECK_OK(kill(getpid(), SIGCHLD));
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGCHLD) == 1);
    signal(SIGCHLD, SIG_DFL);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGCHLD) == 0);
    return check_status();
}
