/* getpriority/setpriority and ioprio_get/ioprio_set on other tasks: a
 * thread id names one thread (nice and the I/O priority are per thread), a
 * process group or a user every thread in it; getpriority answers the
 * highest priority (lowest nice) among them, ioprio_get the best (lowest)
 * value. Children and new threads inherit both. Another user's task is
 * EPERM, lowering nice needs RLIMIT_NICE or CAP_SYS_NICE (EACCES), the
 * realtime I/O class needs CAP_SYS_NICE or CAP_SYS_ADMIN (EPERM), and bad
 * classes, levels and `which` values are EINVAL; nobody found is ESRCH. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define PRIO(class, data) (((class) << 13) | (data))

static long ioprio_get(int which, int who) { return syscall(SYS_ioprio_get, which, who); }
static long ioprio_set(int which, int who, int prio) {
    return syscall(SYS_ioprio_set, which, who, prio);
}

/* A child that waits in pause() until killed, in process group `group`
 * (0: a group of its own). */
static pid_t sleeper_in(pid_t group) {
    pid_t p = fork();
    if (p == 0) {
        setpgid(0, group);
        for (;;)
            pause();
    }
    setpgid(p, group);
    return p;
}

static pid_t sleeper(void) { return sleeper_in(0); }

static void reap(pid_t p) {
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
}

static volatile int thread_nice = -100, thread_io = -100, go_on;
static int thread_tid;

static void *thread_main(void *arg) {
    (void)arg;
    thread_tid = (int)syscall(SYS_gettid);
    errno = 0;
    thread_nice = getpriority(PRIO_PROCESS, 0);
    thread_io = (int)ioprio_get(IOPRIO_WHO_PROCESS, 0);
    while (!__atomic_load_n(&go_on, __ATOMIC_ACQUIRE))
        usleep(1000);
    return NULL;
}

static void nice_of_others(void) {
    CHECK_OK(setpriority(PRIO_PROCESS, 0, 0));
    pid_t a = sleeper();
    CHECK_RET(getpriority(PRIO_PROCESS, a), 0);
    CHECK_OK(setpriority(PRIO_PROCESS, a, 7));
    CHECK_RET(getpriority(PRIO_PROCESS, a), 7);
    CHECK_RET(getpriority(PRIO_PROCESS, 0), 0);
    /* The group: one member at 7, then another at 3; the answer is 3. */
    CHECK_RET(getpriority(PRIO_PGRP, a), 7);
    pid_t b = sleeper_in(a);
    CHECK_OK(setpriority(PRIO_PROCESS, b, 3));
    CHECK_RET(getpriority(PRIO_PGRP, a), 3);
    CHECK_OK(setpriority(PRIO_PGRP, a, 11));
    CHECK_RET(getpriority(PRIO_PROCESS, a), 11);
    CHECK_RET(getpriority(PRIO_PROCESS, b), 11);
    CHECK_ERR(getpriority(PRIO_PGRP, 999999), ESRCH);
    CHECK_ERR(setpriority(PRIO_PGRP, 999999, 1), ESRCH);
    reap(a);
    reap(b);

    /* Inherited by a child and a thread. */
    CHECK_OK(setpriority(PRIO_PROCESS, 0, 5));
    pid_t c = fork();
    if (c == 0)
        _exit(getpriority(PRIO_PROCESS, 0));
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, thread_main, NULL), 0);
    while (!__atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE))
        usleep(1000);
    while (thread_io == -100)
        usleep(1000);
    CHECK_RET(thread_nice, 5);
    /* Per thread: the thread's own value moves alone. */
    CHECK_OK(setpriority(PRIO_PROCESS, thread_tid, 9));
    CHECK_RET(getpriority(PRIO_PROCESS, thread_tid), 9);
    CHECK_RET(getpriority(PRIO_PROCESS, 0), 5);
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, thread_tid, PRIO(IOPRIO_CLASS_IDLE, 0)));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, thread_tid), PRIO(IOPRIO_CLASS_IDLE, 0));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, 0), PRIO(IOPRIO_CLASS_NONE, 0));
    __atomic_store_n(&go_on, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    CHECK_OK(setpriority(PRIO_PROCESS, 0, 0));
}

static void ioprio(void) {
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, 0), PRIO(IOPRIO_CLASS_NONE, 0));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, getpid()), PRIO(IOPRIO_CLASS_NONE, 0));
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_BE, 6)));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, 0), PRIO(IOPRIO_CLASS_BE, 6));
    /* Inherited by a child. */
    pid_t c = fork();
    if (c == 0)
        _exit(ioprio_get(IOPRIO_WHO_PROCESS, 0) == PRIO(IOPRIO_CLASS_BE, 6) ? 0 : 1);
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* Another process, then its group: the best (lowest value) wins. */
    pid_t a = sleeper();
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, a), PRIO(IOPRIO_CLASS_BE, 6));
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, a, PRIO(IOPRIO_CLASS_IDLE, 0)));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, a), PRIO(IOPRIO_CLASS_IDLE, 0));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PGRP, a), PRIO(IOPRIO_CLASS_IDLE, 0));
    /* A member with none set counts with the priority its nice value gives:
     * best-effort, level (nice + 20) / 5. */
    pid_t b = sleeper_in(a);
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, b), PRIO(IOPRIO_CLASS_BE, 6));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PGRP, a), PRIO(IOPRIO_CLASS_BE, 6));
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, b, PRIO(IOPRIO_CLASS_NONE, 0)));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, b), PRIO(IOPRIO_CLASS_NONE, 0));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PGRP, a), PRIO(IOPRIO_CLASS_BE, 4));
    CHECK_OK(setpriority(PRIO_PROCESS, b, 15));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PGRP, a), PRIO(IOPRIO_CLASS_BE, 7));
    CHECK_OK(ioprio_set(IOPRIO_WHO_PGRP, a, PRIO(IOPRIO_CLASS_RT, 2)));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, a), PRIO(IOPRIO_CLASS_RT, 2));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, b), PRIO(IOPRIO_CLASS_RT, 2));
    reap(b);
    CHECK_ERR(ioprio_get(IOPRIO_WHO_PGRP, 999999), ESRCH);
    CHECK_ERR(ioprio_get(IOPRIO_WHO_PROCESS, 999999), ESRCH);
    CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 999999, 0), ESRCH);
    reap(a);
    /* Every class and level. */
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_RT, 7)));
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_IDLE, 0)));
    CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_NONE, 0)));
    CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, 0), PRIO(IOPRIO_CLASS_NONE, 0));
    CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_NONE, 1)), EINVAL);
    CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(4, 0)), EINVAL);
    CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(7, 0)), EINVAL);
    CHECK_ERR(ioprio_set(0, 0, PRIO(IOPRIO_CLASS_BE, 0)), EINVAL);
    CHECK_ERR(ioprio_set(4, 0, PRIO(IOPRIO_CLASS_BE, 0)), EINVAL);
    CHECK_ERR(ioprio_get(0, 0), EINVAL);
    CHECK_ERR(ioprio_get(4, 0), EINVAL);
}

/* As uid 4242 with RLIMIT_NICE 0: raising nice is fine, lowering it
 * EACCES; root's processes are EPERM, for both calls; the realtime class
 * EPERM; PRIO_USER finds this uid's processes. */
static void unprivileged(void) {
    pid_t root_child = sleeper();
    pid_t p = fork();
    if (p == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_NICE, &rl);
        if (setgid(4242) < 0 || setuid(4242) < 0)
            _exit(99);
        CHECK_OK(setpriority(PRIO_PROCESS, 0, 4));
        CHECK_ERR(setpriority(PRIO_PROCESS, 0, 2), EACCES);
        CHECK_RET(getpriority(PRIO_PROCESS, 0), 4);
        CHECK_RET(getpriority(PRIO_USER, 0), 4);
        CHECK_RET(getpriority(PRIO_USER, 4242), 4);
        CHECK_OK(setpriority(PRIO_USER, 4242, 6));
        CHECK_RET(getpriority(PRIO_PROCESS, 0), 6);
        CHECK_ERR(getpriority(PRIO_USER, 4343), ESRCH);
        CHECK_RET(getpriority(PRIO_PROCESS, root_child), 0);
        CHECK_ERR(setpriority(PRIO_PROCESS, root_child, 10), EPERM);
        CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, root_child, PRIO(IOPRIO_CLASS_IDLE, 0)), EPERM);
        CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_RT, 0)), EPERM);
        CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, 0, PRIO(IOPRIO_CLASS_BE, 7)));
        CHECK_RET(ioprio_get(IOPRIO_WHO_USER, 4242), PRIO(IOPRIO_CLASS_BE, 7));
        /* ioprio_set's user 0 is uid 0, not the caller (ioprio_get's is
         * the caller's real uid). */
        CHECK_ERR(ioprio_set(IOPRIO_WHO_USER, 0, PRIO(IOPRIO_CLASS_IDLE, 0)), EPERM);
        CHECK_RET(ioprio_get(IOPRIO_WHO_USER, 0), PRIO(IOPRIO_CLASS_BE, 7));
        CHECK_OK(ioprio_set(IOPRIO_WHO_USER, 4242, PRIO(IOPRIO_CLASS_IDLE, 0)));
        CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, 0), PRIO(IOPRIO_CLASS_IDLE, 0));
        CHECK_ERR(ioprio_get(IOPRIO_WHO_USER, 4343), ESRCH);
        /* Values are 16 bits; hint bits above the level are kept. */
        CHECK_OK(ioprio_set(IOPRIO_WHO_PROCESS, 0, 0x10000 | PRIO(IOPRIO_CLASS_BE, 0x1ff8)));
        CHECK_RET(ioprio_get(IOPRIO_WHO_PROCESS, 0), PRIO(IOPRIO_CLASS_BE, 0x1ff8));
        CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, -1), EINVAL);
        _exit(check_status());
    }
    int st;
    CHECK_RET(waitpid(p, &st, 0), p);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    reap(root_child);
}

int main(void) {
    nice_of_others();
    ioprio();
    unprivileged();
    return check_status();
}
