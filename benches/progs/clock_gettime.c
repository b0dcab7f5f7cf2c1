/* clock_gettime(CLOCK_MONOTONIC): mode "syscall" (default) makes the raw
 * syscall, which traps; mode "vdso" calls glibc, which reads the vDSO when the
 * kernel (or sandbox) provides one and falls back to the syscall otherwise. */
#include <sys/syscall.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    int vdso = argc > 2 && strcmp(argv[2], "vdso") == 0;
    if (argc > 2 && !vdso && strcmp(argv[2], "syscall") != 0) {
        bench_fail("mode: want syscall or vdso");
    }
    struct timespec ts;
    uint64_t sum = 0;
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        long r = vdso ? clock_gettime(CLOCK_MONOTONIC, &ts)
                      : syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
        if (r != 0) {
            bench_fail("clock_gettime failed");
        }
        sum += (uint64_t)ts.tv_nsec;
    }
    uint64_t t1 = bench_now_ns();
    (void)sum;
    bench_report(vdso ? "clock_gettime_vdso" : "clock_gettime", n, t1 - t0);
    return 0;
}
