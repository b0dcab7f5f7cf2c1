/* FUTEX_WAIT and FUTEX_WAIT_BITSET without a waker: a value mismatch is
 * EAGAIN; a relative FUTEX_WAIT timeout (CLOCK_MONOTONIC) and absolute
 * FUTEX_WAIT_BITSET deadlines on CLOCK_MONOTONIC and (FUTEX_CLOCK_REALTIME)
 * CLOCK_REALTIME expire with ETIMEDOUT no earlier than asked; bad addresses
 * are EFAULT, unaligned ones EINVAL, bad timeouts and a zero bitset EINVAL,
 * unknown commands and FUTEX_CLOCK_REALTIME on anything but the bitset wait
 * ENOSYS. */
#include "check.h"
#include "futex_util.h"
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

static long long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct timespec ts_of(long long ns) {
    struct timespec t = {ns / 1000000000LL, ns % 1000000000LL};
    return t;
}

int main(void) {
    static uint32_t word __attribute__((aligned(8))) = 5;
    long page = sysconf(_SC_PAGESIZE);

    /* A mismatched value returns at once with EAGAIN, private or not. */
    CHECK_ERR(futex(&word, FUTEX_WAIT, 4, NULL, NULL, 0), EAGAIN);
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 6, NULL, NULL, 0), EAGAIN);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY), EAGAIN);
    CHECK(word == 5);

    /* Relative timeouts on FUTEX_WAIT measure CLOCK_MONOTONIC. */
    struct timespec rel = {0, 20000000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
    t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, FUTEX_WAIT, 5, &rel, NULL, 0), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
    struct timespec zero = {0, 0};
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &zero, NULL, 0), ETIMEDOUT);
    /* The relative timeout is not written back. */
    CHECK(rel.tv_sec == 0 && rel.tv_nsec == 20000000);
    /* FUTEX_CLOCK_REALTIME is refused on plain FUTEX_WAIT (despite futex(2)
     * saying Linux 4.5 allowed it): only the bitset/PI waits take it. */
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &rel, NULL, 0), ENOSYS);

    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline... */
    long long deadline = now_ns(CLOCK_MONOTONIC) + 20000000;
    struct timespec abs = ts_of(deadline);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) >= deadline);
    /* ...a deadline already past times out at once... */
    struct timespec past = {1, 0};
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &zero, NULL, 1), ETIMEDOUT);
    /* ...or, with FUTEX_CLOCK_REALTIME, an absolute CLOCK_REALTIME one. */
    deadline = now_ns(CLOCK_REALTIME) + 20000000;
    abs = ts_of(deadline);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &abs, NULL,
                    FUTEX_BITSET_MATCH_ANY),
              ETIMEDOUT);
    CHECK(now_ns(CLOCK_REALTIME) >= deadline);
    /* A realtime deadline of 1 second after the epoch has long passed. */
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 5, &past, NULL, FUTEX_BITSET_MATCH_ANY),
              ETIMEDOUT);

    /* Invalid timeouts are EINVAL, checked before the value. */
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0), EINVAL);
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 4, &bad, NULL, 0), EINVAL);
    bad.tv_nsec = -1;
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0), EINVAL);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &bad, NULL, FUTEX_BITSET_MATCH_ANY), EINVAL);
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, (void *)8, NULL, 0), EFAULT);

    /* A zero bitset is EINVAL for both wait and wake. */
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &zero, NULL, 0), EINVAL);
    CHECK_ERR(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);

    /* Unaligned addresses are EINVAL. */
    char *cw = (char *)&word;
    CHECK_ERR(futex(cw + 1, FUTEX_WAIT_PRIVATE, 5, &zero, NULL, 0), EINVAL);
    CHECK_ERR(futex(cw + 2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex(cw + 3, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);

    /* Bad addresses: waiting must read the word, so EFAULT. */
    CHECK_ERR(futex(NULL, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), EFAULT);
    CHECK_ERR(futex(NULL, FUTEX_WAIT, 0, &zero, NULL, 0), EFAULT);
    char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(munmap(p + page, page) == 0);
    CHECK_ERR(futex(p + page, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), EFAULT);
    CHECK_ERR(futex(p + page, FUTEX_WAIT, 0, &zero, NULL, 0), EFAULT);
    /* A private wake never touches the word: no waiters, no error. */
    CHECK_RET(futex(p + page, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
    /* A shared wake must find the mapping behind the address. */
    CHECK_ERR(futex(p + page, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    /* A read-only word can be waited on; PROT_NONE cannot. */
    CHECK(mprotect(p, page, PROT_READ) == 0);
    CHECK_ERR(futex(p, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), ETIMEDOUT);
    CHECK_ERR(futex(p, FUTEX_WAIT_PRIVATE, 1, &zero, NULL, 0), EAGAIN);
    CHECK(mprotect(p, page, PROT_NONE) == 0);
    CHECK_ERR(futex(p, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), EFAULT);
    CHECK(munmap(p, page) == 0);

    /* Wakes with nobody waiting wake nobody. */
    CHECK_RET(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
    CHECK_RET(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
    CHECK_RET(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x10), 0);

    /* Unknown commands, the removed FUTEX_FD, and FUTEX_CLOCK_REALTIME on
     * commands that do not wait are ENOSYS. */
    CHECK_ERR(futex(&word, 14, 0, NULL, NULL, 0), ENOSYS);
    CHECK_ERR(futex(&word, 99 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0), ENOSYS);
    CHECK_ERR(futex(&word, FUTEX_FD, 0, NULL, NULL, 0), ENOSYS);
    CHECK_ERR(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
    CHECK_ERR(futex(&word, FUTEX_REQUEUE | FUTEX_CLOCK_REALTIME, 1, NULL, &word, 0), ENOSYS);
    CHECK(word == 5);
    return check_status();
}
