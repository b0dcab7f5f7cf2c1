/* List a directory of 1,000 files (made first, under /tmp): open,
 * getdents64 to the end, close. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bench-dents-%d", (int)getpid());
    if (mkdir(dir, 0755) != 0) {
        bench_fail("mkdir failed");
    }
    char path[128];
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof path, "%s/file-%04d", dir, i);
        int fd = open(path, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) {
            bench_fail("create failed");
        }
        close(fd);
    }
    static char buf[32768];
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
            bench_fail("open failed");
        }
        long got, total = 0;
        while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
            total += got;
        }
        if (got < 0 || total == 0) {
            bench_fail("getdents64 failed");
        }
        close(fd);
    }
    uint64_t t1 = bench_now_ns();
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof path, "%s/file-%04d", dir, i);
        unlink(path);
    }
    rmdir(dir);
    bench_report("getdents_1000", n, t1 - t0);
    return 0;
}
