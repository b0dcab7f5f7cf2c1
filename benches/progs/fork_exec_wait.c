/* fork, the child execs this same static program (which exits at once),
 * the parent waits. */
#include <sys/wait.h>

#include "bench.h"

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return 0;
    unsigned long n = bench_iters(argc, argv);
    char *child[] = {argv[0], "child", NULL};
    char *env[] = {NULL};
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            execve(argv[0], child, env);
            _exit(127);
        }
        int st;
        if (p < 0 || waitpid(p, &st, 0) != p || st != 0)
            bench_fail("fork/exec/wait failed");
    }
    bench_report("fork_exec_wait", n, bench_now_ns() - t0);
    return 0;
}
