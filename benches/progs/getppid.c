/* The cheapest trapping syscall: the sandbox's round trip, nothing more. */
#include <sys/syscall.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    long sum = 0;
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        sum += syscall(SYS_getppid); /* glibc's getppid would do too; be explicit */
    }
    uint64_t t1 = bench_now_ns();
    if (sum < 0) {
        bench_fail("getppid failed");
    }
    bench_report("getppid", n, t1 - t0);
    return 0;
}
