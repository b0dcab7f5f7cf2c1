/* pthread_create of a thread that returns at once, then pthread_join. */
#include <pthread.h>

#include "bench.h"

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0)
            bench_fail("pthread_create/join failed");
    }
    bench_report("thread_create_join", n, bench_now_ns() - t0);
    return 0;
}
