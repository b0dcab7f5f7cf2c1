/* A fault while SIGSEGV is blocked kills the process with SIGSEGV, even
 * though a handler is installed: the kernel cannot deliver a synchronous
 * signal it may not block, so it forces the default action. A pending,
 * blocked SIGSEGV sent with kill() beforehand does not matter, and the
 * handler never runs. */
/* expect: signal 11 */
#include "check.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static void handler(int sig) {
    (void)sig;
    printf("FAIL handler ran\n");
    _exit(1);
}

int main(void) {
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl); /* no core file from the test */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct sigaction sa = {.sa_handler = handler};
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
    CHECK_OK(kill(getpid(), SIGSEGV));
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGSEGV) == 1);
    if (check_status())
        return 1;
    printf("faulting now\n");
    *(volatile int *)0 = 1;
    printf("FAIL survived\n");
    return 1;
}
