/* fork, the child _exits at once, the parent waits: process creation and
 * teardown, address-space copy included. */
#include <sys/wait.h>

#include "bench.h"

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        int st;
        if (p < 0 || waitpid(p, &st, 0) != p)
            bench_fail("fork/wait failed");
    }
    bench_report("fork_exit_wait", n, bench_now_ns() - t0);
    return 0;
}
