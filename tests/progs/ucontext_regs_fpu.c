/* The ucontext an SA_SIGINFO handler gets is the state sigreturn restores:
 * REG_RIP is the faulting instruction (ud2, a NULL load) and moving it past
 * the instruction resumes there; changes to REG_RAX, the carry flag in
 * REG_EFL, a saved xmm register and uc_sigmask all take effect on return.
 * The FPU/SSE state (xmm0-15, the x87 stack and control word, MXCSR) is
 * saved around a handler that clobbers all of it. Signals nest: one raised
 * inside a handler runs at once unless blocked by sa_mask, in which case it
 * runs right after the handler returns. */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

static volatile uintptr_t ud2_addr, resume_addr;
static volatile uintptr_t seen_rip, seen_addr;
static volatile int mode;

static void on_fault(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    (void)sig;
    seen_rip = uc->uc_mcontext.gregs[REG_RIP];
    seen_addr = (uintptr_t)si->si_addr;
    if (mode == 0) { /* skip ud2, change rax */
        uc->uc_mcontext.gregs[REG_RIP] += 2;
        uc->uc_mcontext.gregs[REG_RAX] = 1234;
    } else if (mode == 1) { /* set CF */
        uc->uc_mcontext.gregs[REG_RIP] += 2;
        uc->uc_mcontext.gregs[REG_EFL] |= 1;
    } else if (mode == 2) { /* jump to a label */
        uc->uc_mcontext.gregs[REG_RIP] = resume_addr;
    } else if (mode == 3) { /* block SIGHUP after return */
        uc->uc_mcontext.gregs[REG_RIP] += 2;
        sigaddset(&uc->uc_sigmask, SIGHUP);
    }
}

static void registers(void) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    long rax;
    mode = 0;
    __asm__ volatile("xor %%eax, %%eax\n"
                     "lea 1f(%%rip), %%rcx\n"
                     "mov %%rcx, %1\n"
                     "1: ud2\n"
                     : "=a"(rax), "=m"(ud2_addr)
                     :
                     : "rcx", "memory");
    CHECK(rax == 1234);
    CHECK(seen_rip == ud2_addr);
    CHECK(seen_addr == ud2_addr);

    unsigned char cf;
    mode = 1;
    __asm__ volatile("clc\n ud2\n setc %0\n" : "=r"(cf) : : "cc", "memory");
    CHECK(cf == 1);

    mode = 2;
    long val = 5;
    __asm__ volatile("lea 2f(%%rip), %%rcx\n"
                     "mov %%rcx, %1\n"
                     "xor %%ecx, %%ecx\n"
                     "1: mov (%%rcx), %0\n"
                     "2:\n"
                     : "+r"(val), "=m"(resume_addr)
                     :
                     : "rcx", "memory");
    CHECK(val == 5);
    CHECK(seen_addr == 0);
    CHECK(seen_rip != 0 && seen_rip < resume_addr && resume_addr - seen_rip <= 8);

    mode = 3;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(sigismember(&now, SIGHUP) == 0);
    __asm__ volatile("ud2" ::: "memory");
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(sigismember(&now, SIGHUP) == 1);
    CHECK(sigismember(&now, SIGILL) == 0);
    sigprocmask(SIG_UNBLOCK, &now, NULL);
    signal(SIGILL, SIG_DFL);
    signal(SIGSEGV, SIG_DFL);
}

static volatile int change_xmm0;
static volatile int handler_ran;

static void clobber(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    unsigned int mx = 0x1f80;
    unsigned short cw = 0x37f;
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n pcmpeqd %%xmm1, %%xmm1\n pcmpeqd %%xmm2, %%xmm2\n"
                     "pcmpeqd %%xmm3, %%xmm3\n pcmpeqd %%xmm4, %%xmm4\n pcmpeqd %%xmm5, %%xmm5\n"
                     "pcmpeqd %%xmm6, %%xmm6\n pcmpeqd %%xmm7, %%xmm7\n pcmpeqd %%xmm8, %%xmm8\n"
                     "pcmpeqd %%xmm9, %%xmm9\n pcmpeqd %%xmm10, %%xmm10\n pcmpeqd %%xmm11, %%xmm11\n"
                     "pcmpeqd %%xmm12, %%xmm12\n pcmpeqd %%xmm13, %%xmm13\n pcmpeqd %%xmm14, %%xmm14\n"
                     "pcmpeqd %%xmm15, %%xmm15\n"
                     "fninit\n fldz\n fldz\n fldz\n"
                     "ldmxcsr %0\n fldcw %1\n"
                     :
                     : "m"(mx), "m"(cw)
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st",
                       "st(1)", "st(2)", "memory");
    if (change_xmm0) {
        for (int i = 0; i < 4; i++)
            uc->uc_mcontext.fpregs->_xmm[0].element[i] = 0xabcd0000 + i;
    }
    handler_ran++;
}

static void fpu_state(void) {
    struct sigaction sa = {.sa_sigaction = clobber, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    static uint32_t in[16][4], out[16][4];
    for (int r = 0; r < 16; r++)
        for (int i = 0; i < 4; i++)
            in[r][i] = 0x01010101u * (r + 1) + i;
    long pid = getpid(), tid = gettid();
    unsigned int mx_in = 0x7f80 /* round toward zero, all masked */, mx_out = 0;
    unsigned short cw_in = 0x27f /* double precision */, cw_out = 0;
    double top = 0, second = 0;

    for (int pass = 0; pass < 2; pass++) {
        change_xmm0 = pass;
        handler_ran = 0;
        memset(out, 0, sizeof out);
        __asm__ volatile(
            "movdqu 0(%[in]), %%xmm0\n movdqu 16(%[in]), %%xmm1\n movdqu 32(%[in]), %%xmm2\n"
            "movdqu 48(%[in]), %%xmm3\n movdqu 64(%[in]), %%xmm4\n movdqu 80(%[in]), %%xmm5\n"
            "movdqu 96(%[in]), %%xmm6\n movdqu 112(%[in]), %%xmm7\n movdqu 128(%[in]), %%xmm8\n"
            "movdqu 144(%[in]), %%xmm9\n movdqu 160(%[in]), %%xmm10\n movdqu 176(%[in]), %%xmm11\n"
            "movdqu 192(%[in]), %%xmm12\n movdqu 208(%[in]), %%xmm13\n movdqu 224(%[in]), %%xmm14\n"
            "movdqu 240(%[in]), %%xmm15\n"
            "fld1\n fldpi\n"
            "ldmxcsr %[mxi]\n fldcw %[cwi]\n"
            "mov %[nr], %%eax\n mov %[pid], %%rdi\n mov %[tid], %%rsi\n mov %[sig], %%edx\n"
            "syscall\n"
            "stmxcsr %[mxo]\n fnstcw %[cwo]\n"
            "fstpl %[top]\n fstpl %[second]\n"
            "movdqu %%xmm0, 0(%[out])\n movdqu %%xmm1, 16(%[out])\n movdqu %%xmm2, 32(%[out])\n"
            "movdqu %%xmm3, 48(%[out])\n movdqu %%xmm4, 64(%[out])\n movdqu %%xmm5, 80(%[out])\n"
            "movdqu %%xmm6, 96(%[out])\n movdqu %%xmm7, 112(%[out])\n movdqu %%xmm8, 128(%[out])\n"
            "movdqu %%xmm9, 144(%[out])\n movdqu %%xmm10, 160(%[out])\n movdqu %%xmm11, 176(%[out])\n"
            "movdqu %%xmm12, 192(%[out])\n movdqu %%xmm13, 208(%[out])\n movdqu %%xmm14, 224(%[out])\n"
            "movdqu %%xmm15, 240(%[out])\n"
            "mov $0x1f80, %%eax\n push %%rax\n ldmxcsr (%%rsp)\n pop %%rax\n"
            "mov $0x37f, %%eax\n push %%rax\n fldcw (%%rsp)\n pop %%rax\n"
            : [mxo] "=m"(mx_out), [cwo] "=m"(cw_out), [top] "=m"(top), [second] "=m"(second)
            : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_tgkill), [pid] "r"(pid), [tid] "r"(tid),
              [sig] "i"(SIGUSR1), [mxi] "m"(mx_in), [cwi] "m"(cw_in)
            : "rax", "rdi", "rsi", "rdx", "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2",
              "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
              "xmm13", "xmm14", "xmm15");
        CHECK(handler_ran == 1);
        int same = 1;
        for (int r = 1; r < 16; r++)
            if (memcmp(in[r], out[r], 16) != 0)
                same = 0;
        CHECK(same); /* xmm1-15 */
        if (pass == 0) {
            CHECK(memcmp(in[0], out[0], 16) == 0);
        } else {
            CHECK(out[0][0] == 0xabcd0000 && out[0][1] == 0xabcd0001 && out[0][2] == 0xabcd0002 &&
                  out[0][3] == 0xabcd0003);
        }
        CHECK(mx_out == 0x7f80);
        CHECK(cw_out == 0x27f);
        CHECK(top > 3.14159 && top < 3.1416); /* pi */
        CHECK(second == 1.0);
    }
    signal(SIGUSR1, SIG_DFL);
}

static char trace[16];
static volatile int ntrace;
static void note(char c) {
    if (ntrace < 15)
        trace[ntrace++] = c;
}
static void outer(int sig) {
    (void)sig;
    note('A');
    raise(SIGUSR2);
    note('a');
}
static void inner(int sig) {
    (void)sig;
    note('B');
}

static void nesting(void) {
    struct sigaction so = {.sa_handler = outer}, si = {.sa_handler = inner};
    sigaction(SIGUSR1, &so, NULL);
    sigaction(SIGUSR2, &si, NULL);
    ntrace = 0;
    raise(SIGUSR1);
    note('.');
    CHECK(strcmp(trace, "ABa.") == 0);

    /* With SIGUSR2 in sa_mask it waits for the outer handler. */
    sigaddset(&so.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &so, NULL);
    memset(trace, 0, sizeof trace);
    ntrace = 0;
    raise(SIGUSR1);
    note('.');
    CHECK(strcmp(trace, "AaB.") == 0);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

int main(void) {
    registers();
    fpu_state();
    nesting();
    return check_status();
}
