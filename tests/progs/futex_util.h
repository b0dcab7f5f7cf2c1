/* futex helpers shared by the futex behaviour programs. */
#ifndef FUTEX_UTIL_H
#define FUTEX_UTIL_H
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline long futex(void *uaddr, int op, uint32_t val, const void *timeout, void *uaddr2,
                         uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

/* How many waiters are queued on `w`: requeueing a word onto itself moves
 * nobody and counts them. */
static inline long queued(uint32_t *w, int private_flag) {
    return futex(w, FUTEX_REQUEUE | private_flag, 0, (void *)(long)INT_MAX, w, 0);
}

/* Waits until at least `n` waiters are queued on `w`. */
static inline void wait_queued(uint32_t *w, int private_flag, long n) {
    while (queued(w, private_flag) < n)
        usleep(1000);
}
#endif
