/* FUTEX_WAKE returns how many waiters it woke, never more than asked (and a
 * count of 0 or less still wakes one); FUTEX_WAKE_BITSET wakes only waiters
 * whose bitset shares a bit with its own, and a plain FUTEX_WAIT waits with
 * every bit set; a private waiter is invisible to a shared wake and the other
 * way round; a woken waiter's FUTEX_WAIT returns 0, even with a timeout.
 * Waiters are known to be queued by requeueing the word onto itself, which
 * returns the number of waiters without waking any. */
#include "check.h"
#include "futex_util.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* How many tasks wait on w (private or shared key, as given). */
struct waiter {
    uint32_t *addr;
    int op;
    uint32_t val;
    uint32_t bitset;
    const struct timespec *timeout;
    long ret;
    int err;
    int done;
    pthread_t thread;
};

static void *wait_main(void *arg) {
    struct waiter *w = arg;
    long r = futex(w->addr, w->op, w->val, w->timeout, NULL, w->bitset);
    w->err = r == -1 ? errno : 0;
    w->ret = r;
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void start(struct waiter *w, uint32_t *addr, int op, uint32_t val, uint32_t bitset) {
    w->addr = addr;
    w->op = op;
    w->val = val;
    w->bitset = bitset;
    w->done = 0;
    pthread_create(&w->thread, NULL, wait_main, w);
}

static int done(struct waiter *w) { return __atomic_load_n(&w->done, __ATOMIC_SEQ_CST); }

static uint32_t word, other;

int main(void) {
    struct waiter w[6];
    memset(w, 0, sizeof w);

    /* The probe itself: no waiters, no count. */
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 0);

    /* Four waiters; wakes of 1, 2 and "all" return 1, 2 and the 1 left. */
    for (int i = 0; i < 4; i++)
        start(&w[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
    wait_queued(&word, FUTEX_PRIVATE_FLAG, 4);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 4);
    CHECK_RET(futex(&other, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 3);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0), 2);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 1);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 0);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
    int all_zero = 1;
    for (int i = 0; i < 4; i++) {
        pthread_join(w[i].thread, NULL);
        all_zero &= w[i].ret == 0;
    }
    CHECK(all_zero);

    /* A count of 0, or a negative one, still wakes one waiter. */
    for (int i = 0; i < 3; i++)
        start(&w[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
    wait_queued(&word, FUTEX_PRIVATE_FLAG, 3);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0), 1);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 2);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, -1, NULL, NULL, 0), 1);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 1);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
    for (int i = 0; i < 3; i++)
        pthread_join(w[i].thread, NULL);
    CHECK(w[0].ret == 0 && w[1].ret == 0 && w[2].ret == 0);

    /* Bitsets: four waiters on bits 1, 2, 4, 8 and a plain FUTEX_WAIT. */
    for (int i = 0; i < 4; i++)
        start(&w[i], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 1u << i);
    start(&w[4], &word, FUTEX_WAIT_PRIVATE, 0, 0);
    wait_queued(&word, FUTEX_PRIVATE_FLAG, 5);
    /* Only the plain waiter (all bits) has bit 16. */
    CHECK_RET(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x10), 1);
    pthread_join(w[4].thread, NULL);
    CHECK(w[4].ret == 0);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 4);
    /* Bits 2|8 wake the waiters on 2 and 8 only. */
    CHECK_RET(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x2 | 0x8), 2);
    pthread_join(w[1].thread, NULL);
    pthread_join(w[3].thread, NULL);
    CHECK(w[1].ret == 0 && w[3].ret == 0);
    CHECK(!done(&w[0]) && !done(&w[2]));
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 2);
    /* A bitset wake limited to one waiter wakes exactly one. */
    CHECK_RET(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x1 | 0x4), 1);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 1);
    /* A plain FUTEX_WAKE matches any bitset. */
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
    pthread_join(w[0].thread, NULL);
    pthread_join(w[2].thread, NULL);
    CHECK(w[0].ret == 0 && w[2].ret == 0);

    /* Private and shared keys differ: each wake only sees its own kind. */
    start(&w[0], &word, FUTEX_WAIT_PRIVATE, 0, 0);
    start(&w[1], &word, FUTEX_WAIT, 0, 0);
    wait_queued(&word, FUTEX_PRIVATE_FLAG, 1);
    wait_queued(&word, 0, 1);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 1);
    CHECK_RET(queued(&word, 0), 1);
    CHECK_RET(futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 1);
    pthread_join(w[1].thread, NULL);
    CHECK(w[1].ret == 0);
    CHECK(!done(&w[0]));
    CHECK_RET(futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
    pthread_join(w[0].thread, NULL);
    CHECK(w[0].ret == 0);

    /* A waiter with a long timeout woken early returns 0, not ETIMEDOUT. */
    struct timespec ten = {10, 0};
    w[0].timeout = &ten;
    start(&w[0], &word, FUTEX_WAIT_PRIVATE, 0, 0);
    wait_queued(&word, FUTEX_PRIVATE_FLAG, 1);
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
    pthread_join(w[0].thread, NULL);
    CHECK_RET(w[0].ret, 0);

    /* A waiter that finds the value changed never queues. */
    word = 1;
    w[0].timeout = NULL;
    start(&w[0], &word, FUTEX_WAIT_PRIVATE, 0, 0);
    pthread_join(w[0].thread, NULL);
    CHECK(w[0].ret == -1 && w[0].err == EAGAIN);
    CHECK_RET(queued(&word, FUTEX_PRIVATE_FLAG), 0);
    return check_status();
}
