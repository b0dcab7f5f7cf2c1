/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake up to nr_wake waiters on the
 * first word, move up to nr_requeue of the rest to the second word, and
 * return woken + requeued; CMP_REQUEUE is EAGAIN (and moves nobody) when the
 * first word no longer holds val3; negative counts are EINVAL; requeued
 * waiters are woken by a wake on the second word and their FUTEX_WAIT
 * returns 0. */
#include "check.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>

static long futex(void *uaddr, int op, uint32_t val, long val2, void *uaddr2, uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

/* Requeueing a word onto itself counts its waiters without waking them. */
static long queued(uint32_t *w) { return futex(w, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, w, 0); }

static void wait_queued(uint32_t *w, long n) {
    while (queued(w) < n)
        usleep(1000);
}

static uint32_t a = 7, b = 9, c;
static long results[8];

static void *waiter(void *arg) {
    long i = (long)arg;
    results[i] = futex(&a, FUTEX_WAIT_PRIVATE, 7, 0, NULL, 0) == 0 ? 0 : errno;
    return NULL;
}

int main(void) {
    pthread_t t[8];

    /* No waiters: nothing to wake or move. */
    CHECK_RET(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, 1, &b, 0), 0);
    CHECK_RET(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 7), 0);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 8), EAGAIN);
    /* Bad arguments. */
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, -1, 1, &b, 7), EINVAL);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, -1, &b, 7), EINVAL);
    CHECK_ERR(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, -1, &b, 0), EINVAL);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, (char *)&b + 1, 7), EINVAL);
    /* The first word is read for the comparison; the second, private, is
     * never touched, so a NULL one with nobody to move is no error. */
    CHECK_ERR(futex(NULL, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 7), EFAULT);
    CHECK_RET(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, NULL, 7), 0);
    CHECK_ERR(futex((char *)&a + 2, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 7), EINVAL);

    for (long i = 0; i < 6; i++)
        pthread_create(&t[i], NULL, waiter, (void *)i);
    wait_queued(&a, 6);
    CHECK_RET(queued(&a), 6);

    /* A stale expected value: EAGAIN, and every waiter stays put. */
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &b, 8), EAGAIN);
    CHECK_RET(queued(&a), 6);
    CHECK_RET(queued(&b), 0);

    /* Wake 1, move 2: returns 3. */
    CHECK_RET(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &b, 7), 3);
    CHECK_RET(queued(&a), 3);
    CHECK_RET(queued(&b), 2);

    /* Wake none, move 1. */
    CHECK_RET(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &b, 7), 1);
    CHECK_RET(queued(&a), 2);
    CHECK_RET(queued(&b), 3);

    /* The uncompared FUTEX_REQUEUE: wake 0, move the rest to c. */
    CHECK_RET(futex(&a, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, &c, 0), 2);
    CHECK_RET(queued(&a), 0);
    CHECK_RET(queued(&c), 2);

    /* Waking the old word finds nobody; waking the new words finds them.
     * The waiters' values (7) never matched b or c: requeued waiters do
     * not re-check. */
    CHECK_RET(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 0);
    CHECK_RET(futex(&b, FUTEX_WAKE_PRIVATE, 2, 0, NULL, 0), 2);
    CHECK_RET(queued(&b), 1);
    /* A requeue with both counts 0 moves and wakes nobody. */
    CHECK_RET(futex(&b, FUTEX_CMP_REQUEUE_PRIVATE, 0, 0, &c, 9), 0);
    CHECK_RET(queued(&b), 1);
    /* A requeue may also wake all and move none: here it wakes the last on b. */
    CHECK_RET(futex(&b, FUTEX_CMP_REQUEUE_PRIVATE, INT_MAX, 0, &c, 9), 1);
    CHECK_RET(futex(&c, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 2);

    int all_zero = 1;
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        all_zero &= results[i] == 0;
    }
    CHECK(all_zero);
    CHECK_RET(queued(&a) + queued(&b) + queued(&c), 0);
    CHECK(a == 7 && b == 9 && c == 0);
    return check_status();
}
