/* Grow the heap by 64 KiB with raw brk, write every page, shrink it back:
 * shrinking unmaps, so each round faults 16 fresh pages. Raw syscalls, not
 * sbrk, so glibc's idea of the break stays out of it (nothing here mallocs). */
#include <sys/syscall.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    unsigned long base = (unsigned long)syscall(SYS_brk, 0UL);
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        unsigned long top = (unsigned long)syscall(SYS_brk, base + BENCH_CHUNK);
        if (top != base + BENCH_CHUNK) {
            bench_fail("brk grow failed");
        }
        volatile char *p = (volatile char *)base;
        for (unsigned long off = 0; off < BENCH_CHUNK; off += BENCH_PAGE) {
            p[off] = (char)i;
        }
        if ((unsigned long)syscall(SYS_brk, base) != base) {
            bench_fail("brk shrink failed");
        }
    }
    uint64_t t1 = bench_now_ns();
    bench_report("brk_churn", n, t1 - t0);
    return 0;
}
