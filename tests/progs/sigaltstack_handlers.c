/* sigaltstack: a new thread starts with none (SS_DISABLE); an SA_ONSTACK
 * handler runs on the alternate stack (a local's address lies inside it),
 * where sigaltstack reports SS_ONSTACK and refuses changes (EPERM); the
 * ucontext's uc_stack describes the stack; a nested SA_ONSTACK handler stays
 * on it, further down; handlers without SA_ONSTACK, or with the stack
 * disabled, run on the normal stack; SS_AUTODISARM disarms it inside the
 * handler and restores it afterwards; sizes below MINSIGSTKSZ (2048) are
 * ENOMEM, unknown flags EINVAL; fork keeps it; a thread overflowing its
 * small stack into the guard page gets its SIGSEGV on its own alternate
 * stack (SEGV_ACCERR: the guard is PROT_NONE) and siglongjmps out. */
#include "check.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define ALT 65536
static char alt[ALT] __attribute__((aligned(16)));

static int on_alt(const void *p) {
    return (uintptr_t)p >= (uintptr_t)alt && (uintptr_t)p < (uintptr_t)alt + ALT;
}

static volatile int h_on_alt, h_flags, h_eperm, h_eperm_disable, h_uc_ok, nested_on_alt, nested_below;
static volatile uintptr_t outer_local;

static void nested(int sig) {
    (void)sig;
    int local;
    nested_on_alt = on_alt(&local);
    nested_below = (uintptr_t)&local < outer_local;
}

static void handler(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    int local;
    h_on_alt = on_alt(&local);
    outer_local = (uintptr_t)&local;
    stack_t now;
    sigaltstack(NULL, &now);
    h_flags = now.ss_flags;
    stack_t other = {.ss_sp = alt, .ss_size = ALT / 2};
    errno = 0;
    h_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
    other.ss_flags = SS_DISABLE;
    errno = 0;
    h_eperm_disable = sigaltstack(&other, NULL) == -1 && errno == EPERM;
    h_uc_ok = uc->uc_stack.ss_sp == alt && uc->uc_stack.ss_size == ALT && uc->uc_stack.ss_flags == 0;
    raise(SIGUSR2);
}

static volatile int autodisarm_flags, autodisarm_on_alt, autodisarm_uc_flags;
static void autodisarm_handler(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    int local;
    autodisarm_on_alt = on_alt(&local);
    stack_t now;
    sigaltstack(NULL, &now);
    autodisarm_flags = now.ss_flags;
    autodisarm_uc_flags = uc->uc_stack.ss_flags;
}

static void basics(void) {
    stack_t ss, old;
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    struct sigaction sn = {.sa_handler = nested, .sa_flags = SA_ONSTACK};
    CHECK_OK(sigaction(SIGUSR2, &sn, NULL));

    /* Registered but no stack yet: the normal stack. */
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_flags == SS_DISABLE);
    raise(SIGUSR1);
    CHECK(h_on_alt == 0);
    CHECK(h_flags == SS_DISABLE);

    ss.ss_sp = alt;
    ss.ss_size = ALT;
    ss.ss_flags = 0;
    CHECK_OK(sigaltstack(&ss, &old));
    CHECK(old.ss_flags == SS_DISABLE);
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_sp == alt && old.ss_size == ALT && old.ss_flags == 0);
    raise(SIGUSR1);
    CHECK(h_on_alt == 1);
    CHECK(h_flags == SS_ONSTACK);
    CHECK(h_eperm == 1);
    CHECK(h_eperm_disable == 1);
    CHECK(h_uc_ok == 1);
    CHECK(nested_on_alt == 1);
    CHECK(nested_below == 1);
    /* After the handler: off it again, unchanged. */
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_sp == alt && old.ss_size == ALT && old.ss_flags == 0);

    /* Without SA_ONSTACK: the normal stack. */
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CHECK(h_on_alt == 0);
    CHECK(h_flags == 0);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);

    /* Forked children keep it. */
    pid_t pid = fork();
    if (pid == 0) {
        stack_t c;
        sigaltstack(NULL, &c);
        _exit(c.ss_sp == alt && c.ss_size == ALT && c.ss_flags == 0 ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* SS_AUTODISARM. */
    struct sigaction sd = {.sa_sigaction = autodisarm_handler, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigaction(SIGHUP, &sd, NULL);
    ss.ss_flags = SS_AUTODISARM;
    CHECK_OK(sigaltstack(&ss, NULL));
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_flags == (int)SS_AUTODISARM);
    raise(SIGHUP);
    CHECK(autodisarm_on_alt == 1);
    CHECK(autodisarm_flags == SS_DISABLE);
    CHECK(autodisarm_uc_flags == (int)SS_AUTODISARM);
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_sp == alt && old.ss_flags == (int)SS_AUTODISARM);

    /* Disabled: normal stack again. */
    ss.ss_flags = SS_DISABLE;
    CHECK_OK(sigaltstack(&ss, NULL));
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_flags == SS_DISABLE);
    raise(SIGUSR1);
    CHECK(h_on_alt == 0);

    /* Errors. */
    ss.ss_flags = 0;
    ss.ss_size = 1;
    CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
    ss.ss_size = 2047;
    CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
    ss.ss_size = 2048;
    CHECK_OK(sigaltstack(&ss, NULL));
    ss.ss_size = ALT;
    ss.ss_flags = 0x1234;
    CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
    ss.ss_flags = SS_ONSTACK; /* accepted as 0 */
    CHECK_OK(sigaltstack(&ss, NULL));
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_flags == 0 && old.ss_size == ALT);
    /* With SS_DISABLE the size is not checked. */
    ss.ss_flags = SS_DISABLE;
    ss.ss_size = 0;
    CHECK_OK(sigaltstack(&ss, NULL));
    CHECK_ERR(sigaltstack((void *)8, NULL), EFAULT);
    CHECK_ERR(sigaltstack(NULL, (void *)8), EFAULT);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

/* Stack overflow on a thread with a small stack. */
static sigjmp_buf overflow_jmp;
static char *thread_alt;
static volatile int segv_on_alt, segv_code;
static volatile long depth;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    int local;
    segv_on_alt = (uintptr_t)&local >= (uintptr_t)thread_alt &&
                  (uintptr_t)&local < (uintptr_t)thread_alt + ALT;
    segv_code = si->si_code;
    siglongjmp(overflow_jmp, 1);
}

static volatile long limit = 1L << 40;
static long recurse(long n) {
    volatile char pad[512];
    pad[0] = (char)n;
    depth = n;
    if (n > limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

static int initially_disabled, jumped_out, mask_restored;

static void *overflow_thread(void *arg) {
    (void)arg;
    stack_t ss;
    sigaltstack(NULL, &ss);
    initially_disabled = ss.ss_flags == SS_DISABLE;
    thread_alt = malloc(ALT);
    ss.ss_sp = thread_alt;
    ss.ss_size = ALT;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
    if (sigsetjmp(overflow_jmp, 1) == 0) {
        recurse(0);
    } else {
        jumped_out = 1;
        sigset_t now;
        pthread_sigmask(SIG_BLOCK, NULL, &now);
        mask_restored = !sigismember(&now, SIGSEGV);
    }
    return NULL;
}

static void overflow(void) {
    struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigaction(SIGSEGV, &sa, NULL);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 256 * 1024);
    pthread_t t;
    CHECK_RET(pthread_create(&t, &at, overflow_thread, NULL), 0);
    CHECK_RET(pthread_join(t, NULL), 0);
    CHECK(initially_disabled == 1);
    CHECK(jumped_out == 1);
    CHECK(segv_on_alt == 1);
    CHECK(segv_code == SEGV_ACCERR); /* the PROT_NONE guard page */
    CHECK(mask_restored == 1);
    CHECK(depth > 100);
    signal(SIGSEGV, SIG_DFL);
}

int main(void) {
    basics();
    overflow();
    return check_status();
}
