/* mmap 64 KiB anonymous, write every page (16 faults), munmap: the memory
 * manager's map, fault and unmap paths. */
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        volatile char *p = mmap(NULL, BENCH_CHUNK, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            bench_fail("mmap failed");
        }
        for (unsigned long off = 0; off < BENCH_CHUNK; off += BENCH_PAGE) {
            p[off] = (char)i;
        }
        if (munmap((void *)p, BENCH_CHUNK) != 0) {
            bench_fail("munmap failed");
        }
    }
    uint64_t t1 = bench_now_ns();
    bench_report("mmap_touch", n, t1 - t0);
    return 0;
}
