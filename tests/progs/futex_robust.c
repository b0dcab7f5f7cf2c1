/* Robust futexes. Raw: a thread registers its own robust list
 * (set_robust_list) and exits holding two entries plus a pending one; the
 * kernel marks the words it owned FUTEX_OWNER_DIED (keeping FUTEX_WAITERS,
 * dropping the tid), leaves a word owned by someone else alone, and wakes
 * exactly one *shared* waiter per dead word (a private waiter sleeps on)
 * before pthread_join returns. Through glibc: a robust mutex whose owner
 * thread, or owner child process (exited or killed), died is EOWNERDEAD to
 * the next locker, usable after pthread_mutex_consistent, and
 * ENOTRECOVERABLE if unlocked without. */
#include "check.h"
#include "futex_util.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

struct entry {
    struct robust_list list;
    uint32_t lock;
};

static struct robust_list_head head;
static struct entry e1, e2, e3, e4;
static uint32_t ready, go, dying_tid, main_tid;
static long set_ret = -2;

static void *dying(void *arg) {
    (void)arg;
    uint32_t tid = gettid();
    head.list.next = &e1.list;
    e1.list.next = &e2.list;
    e2.list.next = &e4.list;
    e4.list.next = &head.list;
    head.futex_offset = offsetof(struct entry, lock);
    head.list_op_pending = &e3.list;
    e1.lock = tid | FUTEX_WAITERS; /* owned, contended */
    e2.lock = main_tid;            /* someone else's */
    e3.lock = tid;                 /* pending acquisition, owned */
    e4.lock = tid;                 /* owned, uncontended */
    set_ret = syscall(SYS_set_robust_list, &head, sizeof head);
    dying_tid = tid;
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    futex(&ready, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST))
        futex(&go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL; /* exits holding e1, e3, e4 */
}

struct waiter {
    uint32_t *addr;
    uint32_t val;
    int op;
    const struct timespec *ts;
    long ret;
    int err;
    int done;
    pthread_t t;
};

static void *wait_main(void *arg) {
    struct waiter *w = arg;
    w->ret = futex(w->addr, w->op, w->val, w->ts, NULL, 0);
    w->err = errno;
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static pthread_mutex_t tm;

static void *lock_and_die(void *arg) {
    (void)arg;
    pthread_mutex_lock(&tm);
    return NULL;
}

static int wait_child(pid_t pid) {
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

int main(void) {
    main_tid = gettid();

    /* --- Raw robust list. --- */
    pthread_t d;
    pthread_create(&d, NULL, dying, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
        futex(&ready, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    CHECK_RET(set_ret, 0);
    uint32_t held = dying_tid | FUTEX_WAITERS;
    /* Two shared waiters and one private (with a timeout) on e1. */
    struct waiter w[3] = {
        {&e1.lock, held, FUTEX_WAIT, NULL, 0, 0, 0, 0},
        {&e1.lock, held, FUTEX_WAIT, NULL, 0, 0, 0, 0},
        {&e1.lock, held, FUTEX_WAIT_PRIVATE, NULL, 0, 0, 0, 0},
    };
    struct timespec t300 = {0, 300000000};
    w[2].ts = &t300;
    for (int i = 0; i < 3; i++)
        pthread_create(&w[i].t, NULL, wait_main, &w[i]);
    wait_queued(&e1.lock, 0, 2);
    /* (Should the private waiter time out first, the outcome is the same.) */
    while (queued(&e1.lock, FUTEX_PRIVATE_FLAG) < 1 && !__atomic_load_n(&w[2].done, __ATOMIC_SEQ_CST))
        usleep(1000);
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    futex(&go, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(d, NULL);
    /* By the time join returns the list has been walked. */
    CHECK(e1.lock == (FUTEX_OWNER_DIED | FUTEX_WAITERS));
    CHECK(e2.lock == main_tid);
    CHECK(e3.lock == FUTEX_OWNER_DIED);
    CHECK(e4.lock == FUTEX_OWNER_DIED);
    /* One shared waiter was woken; the other still sleeps; so does the
     * private one, until its timeout. */
    CHECK_RET(queued(&e1.lock, 0), 1);
    CHECK_RET(futex(&e1.lock, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 1);
    for (int i = 0; i < 3; i++)
        pthread_join(w[i].t, NULL);
    CHECK(w[0].ret == 0 && w[1].ret == 0);
    CHECK(w[2].ret == -1 && w[2].err == ETIMEDOUT);

    /* --- A glibc robust mutex whose owner thread died. --- */
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    CHECK_RET(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), 0);
    CHECK_RET(pthread_mutex_init(&tm, &a), 0);
    pthread_t t;
    pthread_create(&t, NULL, lock_and_die, NULL);
    pthread_join(t, NULL);
    CHECK_RET(pthread_mutex_lock(&tm), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(&tm), 0);
    CHECK_RET(pthread_mutex_unlock(&tm), 0);
    CHECK_RET(pthread_mutex_lock(&tm), 0);
    CHECK_RET(pthread_mutex_unlock(&tm), 0);
    /* Again, but unlocked without being made consistent. */
    pthread_create(&t, NULL, lock_and_die, NULL);
    pthread_join(t, NULL);
    CHECK_RET(pthread_mutex_trylock(&tm), EOWNERDEAD);
    CHECK_RET(pthread_mutex_unlock(&tm), 0);
    CHECK_RET(pthread_mutex_lock(&tm), ENOTRECOVERABLE);
    CHECK_RET(pthread_mutex_trylock(&tm), ENOTRECOVERABLE);

    /* --- A process-shared robust mutex whose owner process died. --- */
    pthread_mutex_t *pm = mmap(NULL, sizeof *pm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(pm != MAP_FAILED);
    CHECK_RET(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED), 0);
    CHECK_RET(pthread_mutex_init(pm, &a), 0);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(pm);
        _exit(7);
    }
    CHECK_RET(wait_child(pid), 7);
    CHECK_RET(pthread_mutex_lock(pm), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(pm), 0);
    CHECK_RET(pthread_mutex_unlock(pm), 0);
    /* Killed while holding it, with the parent blocked on it. */
    int pfd[2];
    CHECK_OK(pipe(pfd));
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(pm);
        if (write(pfd[1], "x", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char c;
    CHECK_RET(read(pfd[0], &c, 1), 1);
    CHECK_RET(pthread_mutex_trylock(pm), EBUSY);
    CHECK_RET(kill(pid, SIGKILL), 0);
    CHECK_RET(pthread_mutex_lock(pm), EOWNERDEAD);
    CHECK_RET(wait_child(pid), 1000 + SIGKILL);
    CHECK_RET(pthread_mutex_consistent(pm), 0);
    CHECK_RET(pthread_mutex_unlock(pm), 0);
    CHECK_RET(pthread_mutex_lock(pm), 0);
    CHECK_RET(pthread_mutex_unlock(pm), 0);
    return check_status();
}
