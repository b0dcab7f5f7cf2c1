/* One byte back and forth between two processes over two pipes: one
 * iteration is a round trip (two writes, two blocking reads, two wake-ups). */
#include <sys/wait.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    int ab[2], ba[2];
    if (pipe(ab) || pipe(ba))
        bench_fail("pipe failed");
    pid_t p = fork();
    char c = 'x';
    if (p == 0) {
        for (unsigned long i = 0; i < n; i++)
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++)
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            bench_fail("ping-pong failed");
    uint64_t t1 = bench_now_ns();
    int st;
    waitpid(p, &st, 0);
    bench_report("pipe_pingpong", n, t1 - t0);
    return 0;
}
