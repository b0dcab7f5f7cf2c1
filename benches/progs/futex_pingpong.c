/* Two threads hand a token back and forth through a futex word: one
 * iteration is a round trip (two waits, two wakes). */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "bench.h"

static _Atomic int word;
static unsigned long rounds;

static void wait_for(int want) {
    int v;
    while ((v = atomic_load(&word)) != want)
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void hand(int to) {
    atomic_store(&word, to);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg) {
    for (unsigned long i = 0; i < rounds; i++) {
        wait_for(1);
        hand(0);
    }
    return arg;
}

int main(int argc, char **argv) {
    rounds = bench_iters(argc, argv);
    pthread_t t;
    if (pthread_create(&t, NULL, other, NULL) != 0)
        bench_fail("pthread_create failed");
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < rounds; i++) {
        hand(1);
        wait_for(0);
    }
    uint64_t t1 = bench_now_ns();
    pthread_join(t, NULL);
    bench_report("futex_pingpong", rounds, t1 - t0);
    return 0;
}
