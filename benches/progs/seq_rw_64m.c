/* Sequential I/O of a 64 MiB file under /tmp in 64 KiB calls: MODE
 * "write" writes it (truncating first), "read" reads it back. */
#include <fcntl.h>

#include "bench.h"

#define FILE_SIZE (64UL << 20)

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    int reading = argc > 2 && strcmp(argv[2], "read") == 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/bench-seq-%d", (int)getpid());
    static char buf[BENCH_CHUNK];
    memset(buf, 'x', sizeof buf);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0) {
        bench_fail("open failed");
    }
    if (reading) {
        for (unsigned long off = 0; off < FILE_SIZE; off += BENCH_CHUNK) {
            if (write(fd, buf, BENCH_CHUNK) != (ssize_t)BENCH_CHUNK) {
                bench_fail("write failed");
            }
        }
    }
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        if (lseek(fd, 0, SEEK_SET) != 0) {
            bench_fail("lseek failed");
        }
        if (!reading && ftruncate(fd, 0) != 0) {
            bench_fail("ftruncate failed");
        }
        for (unsigned long off = 0; off < FILE_SIZE; off += BENCH_CHUNK) {
            ssize_t r = reading ? read(fd, buf, BENCH_CHUNK) : write(fd, buf, BENCH_CHUNK);
            if (r != (ssize_t)BENCH_CHUNK) {
                bench_fail("I/O failed");
            }
        }
    }
    uint64_t t1 = bench_now_ns();
    close(fd);
    unlink(path);
    bench_report(reading ? "seq_read_64m" : "seq_write_64m", n, t1 - t0);
    return 0;
}
