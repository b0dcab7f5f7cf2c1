/* Priority-inheritance futexes: FUTEX_LOCK_PI on a free word stores the
 * caller's tid; locking again is EDEADLK; another thread's TRYLOCK_PI is
 * EAGAIN, its UNLOCK_PI EPERM, its timed LOCK_PI (absolute CLOCK_REALTIME)
 * ETIMEDOUT, and each such attempt leaves FUTEX_WAITERS set; UNLOCK_PI hands
 * a contended lock to the waiter (FUTEX_WAITERS | its tid in the word); a
 * word naming a nonexistent owner is ESRCH; FUTEX_OWNER_DIED survives
 * acquisition; plain wake and requeue refuse a PI waiter with EINVAL;
 * FUTEX_LOCK_PI2 takes a CLOCK_MONOTONIC deadline. */
#include "check.h"
#include "futex_util.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

/* Run one futex op on another thread; its result, and errno, come back. */
struct job {
    uint32_t *addr;
    int op;
    const struct timespec *ts;
    long ret;
    int err;
    pid_t tid;
};

static void *job_main(void *arg) {
    struct job *j = arg;
    j->tid = gettid();
    j->ret = futex(j->addr, j->op, 0, j->ts, NULL, 0);
    j->err = errno;
    return NULL;
}

static long in_thread(uint32_t *addr, int op, const struct timespec *ts) {
    struct job j = {addr, op, ts, 0, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, job_main, &j);
    pthread_join(t, NULL);
    errno = j.err;
    return j.ret;
}

static struct timespec in_ns(clockid_t c, long ns) {
    struct timespec t;
    clock_gettime(c, &t);
    t.tv_nsec += ns;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

static int after(clockid_t c, struct timespec d) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec > d.tv_sec || (t.tv_sec == d.tv_sec && t.tv_nsec >= d.tv_nsec);
}

static uint32_t lock, lock2, lock3;

int main(void) {
    pid_t me = gettid();

    /* Uncontended: the word becomes our tid. */
    CHECK_RET(futex(&lock, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    CHECK(lock == (uint32_t)me);
    CHECK_ERR(futex(&lock, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
    CHECK_ERR(futex(&lock, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
    CHECK(lock == (uint32_t)me);

    /* Another thread cannot take it or release it. */
    CHECK_ERR(in_thread(&lock, FUTEX_TRYLOCK_PI_PRIVATE, NULL), EAGAIN);
    CHECK_ERR(in_thread(&lock, FUTEX_UNLOCK_PI_PRIVATE, NULL), EPERM);
    struct timespec past = {1, 0};
    CHECK_ERR(in_thread(&lock, FUTEX_LOCK_PI_PRIVATE, &past), ETIMEDOUT);
    struct timespec d = in_ns(CLOCK_REALTIME, 20000000);
    CHECK_ERR(in_thread(&lock, FUTEX_LOCK_PI_PRIVATE, &d), ETIMEDOUT);
    CHECK(after(CLOCK_REALTIME, d));
    /* FUTEX_LOCK_PI2 measures CLOCK_MONOTONIC (or realtime on request). */
    d = in_ns(CLOCK_MONOTONIC, 20000000);
    CHECK_ERR(in_thread(&lock, FUTEX_LOCK_PI2 | FUTEX_PRIVATE_FLAG, &d), ETIMEDOUT);
    CHECK(after(CLOCK_MONOTONIC, d));
    CHECK_ERR(in_thread(&lock, FUTEX_LOCK_PI2 | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, &past), ETIMEDOUT);
    /* FUTEX_LOCK_PI itself refuses FUTEX_CLOCK_REALTIME. */
    CHECK_ERR(in_thread(&lock, FUTEX_LOCK_PI_PRIVATE | FUTEX_CLOCK_REALTIME, &past), ENOSYS);
    /* The failed attempts left the owner in place, and FUTEX_WAITERS set
     * (even the trylock set it, and nothing cleared it). */
    CHECK(lock == (FUTEX_WAITERS | (uint32_t)me));
    CHECK_RET(futex(&lock, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    CHECK_RET(lock, 0);

    /* Unlocking a free lock, or someone else's, is EPERM. */
    CHECK_ERR(futex(&lock, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);
    CHECK_RET(in_thread(&lock, FUTEX_LOCK_PI_PRIVATE, NULL), 0);
    /* The thread exited holding it: its tid is still in the word (no
     * robust list entry), and we may not unlock it. */
    CHECK(lock != 0 && (lock & FUTEX_TID_MASK) != (uint32_t)me);
    CHECK_ERR(futex(&lock, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);

    /* A word naming no live task: ESRCH. */
    lock = 0x3ffffffe;
    CHECK_ERR(futex(&lock, FUTEX_LOCK_PI_PRIVATE, 0, &past, NULL, 0), ESRCH);
    CHECK_ERR(futex(&lock, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), ESRCH);

    /* FUTEX_OWNER_DIED with no owner: free to take, and the bit stays. */
    lock = FUTEX_OWNER_DIED;
    CHECK_RET(futex(&lock, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    CHECK(lock == (FUTEX_OWNER_DIED | (uint32_t)me));
    CHECK_RET(futex(&lock, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    CHECK_RET(lock, 0);

    /* The user-space fast path: a cmpxchg'd tid is a valid owner. */
    uint32_t zero = 0;
    CHECK(__atomic_compare_exchange_n(&lock2, &zero, (uint32_t)me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    CHECK_ERR(futex(&lock2, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
    CHECK_ERR(in_thread(&lock2, FUTEX_TRYLOCK_PI_PRIVATE, NULL), EAGAIN);
    CHECK(lock2 == (FUTEX_WAITERS | (uint32_t)me));
    CHECK_RET(futex(&lock2, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    CHECK_RET(lock2, 0);

    /* Contention: a waiter sets FUTEX_WAITERS, and unlock hands over. */
    CHECK_RET(futex(&lock3, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    struct job j = {&lock3, FUTEX_LOCK_PI_PRIVATE, NULL, 0, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, job_main, &j);
    while (!(__atomic_load_n(&lock3, __ATOMIC_SEQ_CST) & FUTEX_WAITERS))
        usleep(1000);
    CHECK(lock3 == (FUTEX_WAITERS | (uint32_t)me));
    /* Plain wakes and requeues refuse a PI waiter. */
    CHECK_ERR(futex(&lock3, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex(&lock3, FUTEX_REQUEUE_PRIVATE, 0, (void *)1L, &lock2, 0), EINVAL);
    /* FUTEX_WAIT compares the whole word: the bare tid no longer matches. */
    CHECK_ERR(futex(&lock3, FUTEX_WAIT_PRIVATE, (uint32_t)me, &past, NULL, 0), EAGAIN);
    CHECK_RET(futex(&lock3, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
    pthread_join(t, NULL);
    CHECK_RET(j.ret, 0);
    /* The new owner's tid is in the word, with FUTEX_WAITERS still set
     * though nobody else waits; we are not the owner. */
    CHECK(lock3 == (FUTEX_WAITERS | (uint32_t)j.tid));
    CHECK(j.tid != me);
    CHECK_ERR(futex(&lock3, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);

    /* Bad addresses. */
    CHECK_ERR(futex((char *)&lock2 + 1, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex(NULL, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex(NULL, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex(NULL, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    return check_status();
}
