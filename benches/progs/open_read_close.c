/* open a host file, read 4 KiB, close: the path walk (cached), the open
 * and a read of a file the sandbox reaches through its gofer. */
#include <fcntl.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    const char *path = argc > 2 ? argv[2] : "/etc/ld.so.cache";
    static char buf[4096];
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            bench_fail("open failed");
        }
        if (read(fd, buf, sizeof buf) <= 0) {
            bench_fail("read failed");
        }
        close(fd);
    }
    uint64_t t1 = bench_now_ns();
    bench_report("open_read_close", n, t1 - t0);
    return 0;
}
