/* Synchronous signals from faults, as Linux reports them to an SA_SIGINFO
 * handler that siglongjmps out (the mask saved by sigsetjmp comes back):
 * a NULL write is SIGSEGV SEGV_MAPERR with si_addr the address and trap 14;
 * a write to a read-only mapping SEGV_ACCERR; a jump into a non-executable
 * page SEGV_ACCERR at that page; a read of a kernel address SEGV_MAPERR;
 * hlt and a non-canonical address are SIGSEGV SI_KERNEL with si_addr 0
 * (general protection, trap 13); integer divide by zero and INT_MIN / -1
 * are SIGFPE FPE_INTDIV at the instruction; ud2 is SIGILL ILL_ILLOPN at the
 * instruction; int3 is SIGTRAP with si_code SI_KERNEL, si_addr 0 and the
 * saved RIP just past it (trap 3). A fault while its signal is blocked or
 * ignored still kills (the child's status says which signal), and an
 * SA_RESETHAND handler catches only the first fault. */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip, got_trapno, got_err;
static volatile uintptr_t label;

static void on_fault(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    got_rip = uc->uc_mcontext.gregs[REG_RIP];
    got_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    got_err = uc->uc_mcontext.gregs[REG_ERR];
    siglongjmp(jb, 1);
}

static void reset(void) {
    got_sig = got_code = -1;
    got_addr = got_rip = got_trapno = got_err = 12345;
    label = 0;
}

#define LABELLED(insn, ...)                                                                   \
    __asm__ volatile("lea 1f(%%rip), %%r11\n mov %%r11, %[lbl]\n 1: " insn                    \
                     : [lbl] "=m"(label)__VA_ARGS__)

static void faults(void) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    long page = sysconf(_SC_PAGESIZE);

    /* NULL write. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("movq $1, 0x10", : : "r11", "memory");
    CHECK(got_sig == SIGSEGV);
    CHECK(got_code == SEGV_MAPERR);
    CHECK(got_addr == 0x10);
    CHECK(got_rip == label);
    CHECK(got_trapno == 14);
    /* The write bit of a fault on an unmapped page: the ptrace platform
     * cannot see the CPU's error code (docs/compatibility.md). */
    CHECK((got_err & 4) == 4); /* user */

    /* Read-only mapping. */
    char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(ro != MAP_FAILED);
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("movb $1, (%[p])", : [p] "r"(ro + 100) : "r11", "memory");
    CHECK(got_sig == SIGSEGV);
    CHECK(got_code == SEGV_ACCERR);
    CHECK(got_addr == (uintptr_t)(ro + 100));
    CHECK(got_rip == label);
    CHECK((got_err & 6) == 6); /* write, user */
    /* Reading it is fine, PROT_NONE is not. */
    CHECK(ro[100] == 0);
    CHECK_OK(mprotect(ro, page, PROT_NONE));
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("movb (%[p]), %%al", : [p] "r"(ro + 8) : "r11", "rax", "memory");
    CHECK(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == (uintptr_t)(ro + 8));
    CHECK((got_err & 6) == 4); /* read, user */

    /* Executing a non-executable page: the fault is at the page itself. */
    CHECK_OK(mprotect(ro, page, PROT_READ | PROT_WRITE));
    ro[0] = (char)0xc3; /* ret */
    CHECK_OK(mprotect(ro, page, PROT_READ));
    reset();
    if (sigsetjmp(jb, 1) == 0)
        ((void (*)(void))ro)();
    CHECK(got_sig == SIGSEGV && got_code == SEGV_ACCERR);
    CHECK(got_addr == (uintptr_t)ro);
    CHECK(got_rip == (uintptr_t)ro);
    CHECK((got_err & 0x10) == 0x10); /* instruction fetch */
    munmap(ro, page);

    /* An unmapped address after munmap. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("movb (%[p]), %%al", : [p] "r"(ro + 1) : "r11", "rax", "memory");
    CHECK(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == (uintptr_t)(ro + 1));

    /* A kernel address. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("movq (%[p]), %%rax", : [p] "r"(0xffff800000000000UL) : "r11", "rax", "memory");
    CHECK(got_sig == SIGSEGV && got_code == SEGV_MAPERR);
    CHECK(got_addr == 0xffff800000000000UL);

    /* General protection: no address. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("movq (%[p]), %%rax", : [p] "r"(0x8000000000000000UL) : "r11", "rax", "memory");
    CHECK(got_sig == SIGSEGV && got_code == SI_KERNEL && got_addr == 0);
    CHECK(got_rip == label && got_trapno == 13);
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("hlt", : : "r11", "memory");
    CHECK(got_sig == SIGSEGV && got_code == SI_KERNEL && got_addr == 0);
    CHECK(got_rip == label && got_trapno == 13);

    /* Division. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("xor %%ecx, %%ecx\n mov $7, %%eax\n cltd\n 2: idivl %%ecx", : : "r11", "rax", "rcx", "rdx", "memory");
    CHECK(got_sig == SIGFPE);
    CHECK(got_code == FPE_INTDIV);
    CHECK(got_addr == got_rip);
    CHECK(got_rip == label + 2 + 5 + 1); /* past xor, mov, cltd */
    CHECK(got_trapno == 0);
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("mov $-1, %%ecx\n mov $0x80000000, %%eax\n cltd\n idivl %%ecx", : : "r11", "rax", "rcx", "rdx", "memory");
    CHECK(got_sig == SIGFPE && got_code == FPE_INTDIV);

    /* ud2. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("ud2", : : "r11", "memory");
    CHECK(got_sig == SIGILL);
    CHECK(got_code == ILL_ILLOPN);
    CHECK(got_addr == label && got_rip == label);
    CHECK(got_trapno == 6);

    /* int3: SI_KERNEL, no address, RIP past the instruction. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED("int3", : : "r11", "memory");
    CHECK(got_sig == SIGTRAP);
    CHECK(got_code == SI_KERNEL);
    CHECK(got_addr == 0);
    CHECK(got_rip == label + 1);
    CHECK(got_trapno == 3);
    /* The two-byte form int $3 too. */
    reset();
    if (sigsetjmp(jb, 1) == 0)
        LABELLED(".byte 0xcd, 0x03", : : "r11", "memory");
    CHECK(got_sig == SIGTRAP && got_code == SI_KERNEL && got_rip == label + 2);

    /* siglongjmp restored the mask each time; many in a row work. */
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(!sigismember(&now, SIGSEGV) && !sigismember(&now, SIGTRAP));
    int caught = 0;
    for (int i = 0; i < 200; i++) {
        reset();
        if (sigsetjmp(jb, 1) == 0)
            *(volatile int *)(uintptr_t)(8 + i) = i;
        if (got_sig == SIGSEGV && got_addr == (uintptr_t)(8 + i))
            caught++;
    }
    CHECK_RET(caught, 200);
    /* Without the saved mask, the signal stays blocked after the jump. */
    reset();
    if (sigsetjmp(jb, 0) == 0)
        *(volatile int *)16 = 0;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(sigismember(&now, SIGSEGV) == 1);
    sigprocmask(SIG_UNBLOCK, &now, NULL);
}

static void no_core(void) {
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static volatile int once_hits;
static void once(int sig) {
    (void)sig;
    once_hits++;
}

static int dies_of(int which) {
    pid_t pid = fork();
    if (pid == 0) {
        no_core();
        sigset_t s;
        sigemptyset(&s);
        struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
        switch (which) {
        case 0: /* handled but blocked */
            sigaction(SIGSEGV, &sa, NULL);
            sigaddset(&s, SIGSEGV);
            sigprocmask(SIG_BLOCK, &s, NULL);
            *(volatile int *)0 = 1;
            break;
        case 1: /* ignored */
            signal(SIGFPE, SIG_IGN);
            __asm__ volatile("xor %%ecx, %%ecx\n mov $1, %%eax\n cltd\n idivl %%ecx" ::: "rax", "rcx", "rdx");
            break;
        case 2: /* blocked, no handler */
            sigaddset(&s, SIGILL);
            sigprocmask(SIG_BLOCK, &s, NULL);
            __asm__ volatile("ud2");
            break;
        case 3: { /* SA_RESETHAND: first caught, second fatal */
            struct sigaction r = {.sa_handler = once, .sa_flags = SA_RESETHAND};
            sigaction(SIGTRAP, &r, NULL);
            __asm__ volatile("int3");
            if (once_hits != 1)
                _exit(2);
            __asm__ volatile("int3");
            break;
        }
        }
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st))
        return -1;
    return WTERMSIG(st);
}

int main(void) {
    faults();
    CHECK_RET(dies_of(0), SIGSEGV);
    CHECK_RET(dies_of(1), SIGFPE);
    CHECK_RET(dies_of(2), SIGILL);
    CHECK_RET(dies_of(3), SIGTRAP);
    return check_status();
}
