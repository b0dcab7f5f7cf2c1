/* stat of a path four components deep on the root filesystem. */
#include <sys/stat.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    const char *path = argc > 2 ? argv[2] : "/usr/lib/x86_64-linux-gnu/libc.so.6";
    struct stat st;
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        if (stat(path, &st) != 0) {
            bench_fail("stat failed");
        }
    }
    uint64_t t1 = bench_now_ns();
    bench_report("stat_deep", n, t1 - t0);
    return 0;
}
