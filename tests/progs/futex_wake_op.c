/* FUTEX_WAKE_OP: atomically oldval = *uaddr2, *uaddr2 = oldval OP oparg,
 * wake up to nr_wake on uaddr, and, if oldval CMP cmparg, up to nr_wake2 on
 * uaddr2; the result is the total woken. Each op (SET, ADD, OR, ANDN, XOR,
 * with and without FUTEX_OP_OPARG_SHIFT), each comparison, the 12-bit sign
 * extension of oparg and cmparg, and the errors: an unknown op is ENOSYS
 * before touching the word, an unknown comparison is ENOSYS after the op was
 * applied, and a bad or read-only uaddr2 is EFAULT. */
#include "check.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#define OP(op, oparg, cmp, cmparg)                                                          \
    ((((uint32_t)(op) & 0xf) << 28) | (((uint32_t)(cmp) & 0xf) << 24) |                     \
     (((uint32_t)(oparg) & 0xfff) << 12) | ((uint32_t)(cmparg) & 0xfff))

static long futex(void *uaddr, int op, uint32_t val, long val2, void *uaddr2, uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static long queued(uint32_t *w) { return futex(w, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, w, 0); }

static void wait_queued(uint32_t *w, long n) {
    while (queued(w) < n)
        usleep(1000);
}

static long wake_op(uint32_t *w1, int n1, int n2, uint32_t *w2, uint32_t op) {
    return futex(w1, FUTEX_WAKE_OP_PRIVATE, n1, n2, w2, op);
}

struct waiter {
    uint32_t *addr;
    uint32_t val;
    long ret;
    pthread_t t;
};

static void *wait_main(void *arg) {
    struct waiter *w = arg;
    w->ret = futex(w->addr, FUTEX_WAIT_PRIVATE, w->val, 0, NULL, 0) == 0 ? 0 : errno;
    return NULL;
}

static void start(struct waiter *w, uint32_t *addr, uint32_t val) {
    w->addr = addr;
    w->val = val;
    pthread_create(&w->t, NULL, wait_main, w);
}

static uint32_t w1, w2;

int main(void) {
    long page = sysconf(_SC_PAGESIZE);

    /* The ops, with nobody waiting: each returns 0 and updates w2. */
    w2 = 5;
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 3, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 3);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 4, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 7);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_OR, 8, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 15);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ANDN, 2, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 13);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_XOR, 1, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 12);
    /* FUTEX_OP_OPARG_SHIFT makes the argument 1 << oparg. */
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 16);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT, 3, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 24);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 31, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 0x80000018u);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT, 31, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 24);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_XOR | FUTEX_OP_OPARG_SHIFT, 0, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 25);
    /* oparg is a signed 12-bit field: 0xfff adds -1, 0x800 sets -2048. */
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 24);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 0x800, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == (uint32_t)-2048);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 0x7ff, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == 2047);

    /* Unknown ops (5..7) are ENOSYS and leave the word alone. */
    CHECK_ERR(wake_op(&w1, 1, 1, &w2, OP(5, 1, FUTEX_OP_CMP_EQ, 0)), ENOSYS);
    CHECK_ERR(wake_op(&w1, 1, 1, &w2, OP(7, 1, FUTEX_OP_CMP_EQ, 0)), ENOSYS);
    CHECK(w2 == 2047);
    /* An unknown comparison is ENOSYS too, but only after the op ran. */
    CHECK_ERR(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 9, 6, 0)), ENOSYS);
    CHECK(w2 == 9);
    CHECK_ERR(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 1, 15, 0)), ENOSYS);
    CHECK(w2 == 10);

    /* Faults: uaddr2 must be writable; uaddr must be aligned. */
    uint32_t *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(ro != MAP_FAILED);
    CHECK_ERR(wake_op(&w1, 1, 1, ro, OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)), EFAULT);
    CHECK(ro[0] == 0);
    CHECK_ERR(wake_op(&w1, 1, 1, NULL, OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)), EFAULT);
    CHECK_ERR(wake_op((uint32_t *)((char *)&w1 + 1), 1, 1, &w2, OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)),
              EINVAL);
    CHECK_ERR(wake_op(&w1, 1, 1, (uint32_t *)((char *)&w2 + 1), OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)),
              EINVAL);
    CHECK(w2 == 10);

    /* Who wakes: two waiters on w1, two on w2. */
    struct waiter w[10];
    w1 = 0;
    w2 = 100;
    start(&w[0], &w1, 0);
    start(&w[1], &w1, 0);
    start(&w[2], &w2, 100);
    start(&w[3], &w2, 100);
    wait_queued(&w1, 2);
    wait_queued(&w2, 2);
    /* oldval 100 == 100: one from each word. */
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 100)), 2);
    CHECK(w2 == 101);
    CHECK_RET(queued(&w1), 1);
    CHECK_RET(queued(&w2), 1);
    /* oldval 101 != 100: only w1's waiter; w2 still changes. */
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 100)), 1);
    CHECK(w2 == 102);
    CHECK_RET(queued(&w1), 0);
    CHECK_RET(queued(&w2), 1);
    /* Like FUTEX_WAKE's count, an nr_wake2 of 0 still wakes one. */
    CHECK_RET(wake_op(&w1, 1, 0, &w2, OP(FUTEX_OP_SET, 100, FUTEX_OP_CMP_EQ, 102)), 1);
    CHECK(w2 == 100);
    CHECK_RET(queued(&w2), 0);
    CHECK_RET(wake_op(&w1, INT_MAX, INT_MAX, &w2, OP(FUTEX_OP_SET, 100, FUTEX_OP_CMP_EQ, 100)), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(w[i].t, NULL);
    CHECK(w[0].ret == 0 && w[1].ret == 0 && w[2].ret == 0 && w[3].ret == 0);

    /* The comparisons, each true once and false once, on oldval 100 (SET
     * 100 keeps it there). Six waiters; each true comparison wakes one. */
    for (int i = 0; i < 6; i++)
        start(&w[i], &w2, 100);
    wait_queued(&w2, 6);
    static const struct {
        int cmp, yes, no;
    } cmps[] = {
        {FUTEX_OP_CMP_EQ, 100, 99}, {FUTEX_OP_CMP_NE, 99, 100}, {FUTEX_OP_CMP_LT, 101, 100},
        {FUTEX_OP_CMP_LE, 100, 99}, {FUTEX_OP_CMP_GT, 99, 100}, {FUTEX_OP_CMP_GE, 100, 101},
    };
    for (int i = 0; i < 6; i++) {
        printf("cmp %d:\n", cmps[i].cmp);
        CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 100, cmps[i].cmp, cmps[i].no)), 0);
        CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 100, cmps[i].cmp, cmps[i].yes)), 1);
        CHECK_RET(queued(&w2), 5 - i);
    }
    for (int i = 0; i < 6; i++)
        pthread_join(w[i].t, NULL);

    /* Comparisons are signed, against a sign-extended 12-bit cmparg. */
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_SET, 0xffb, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK(w2 == (uint32_t)-5);
    start(&w[0], &w2, (uint32_t)-5);
    start(&w[1], &w2, (uint32_t)-5);
    wait_queued(&w2, 2);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_GT, 0)), 0);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_LT, 0)), 1);
    CHECK_RET(wake_op(&w1, 1, 1, &w2, OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 0xffb)), 1);
    pthread_join(w[0].t, NULL);
    pthread_join(w[1].t, NULL);
    CHECK(w[0].ret == 0 && w[1].ret == 0);
    CHECK(w2 == (uint32_t)-5);
    return check_status();
}
