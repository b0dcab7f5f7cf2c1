/* A signal to oneself with a handler: send, frame, handler, sigreturn. */
#include <signal.h>

#include "bench.h"

static volatile sig_atomic_t hits;
static void on_usr1(int sig) {
    (void)sig;
    hits++;
}

int main(int argc, char **argv) {
    unsigned long n = bench_iters(argc, argv);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    uint64_t t0 = bench_now_ns();
    for (unsigned long i = 0; i < n; i++)
        kill(me, SIGUSR1);
    uint64_t t1 = bench_now_ns();
    if ((unsigned long)hits != n)
        bench_fail("lost signals");
    bench_report("signal_roundtrip", n, t1 - t0);
    return 0;
}
