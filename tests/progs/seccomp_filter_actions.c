/* seccomp filters' actions: ERRNO, TRAP (siginfo and the handler's view),
 * KILL_THREAD and KILL_PROCESS, TRACE and USER_NOTIF without a tracer or
 * listener, LOG; precedence over several filters; inheritance over fork
 * and exec; filters on arguments, arch and the instruction pointer. */
#include "seccomp_util.h"
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

/* getppid at a known address: `sc_raw_getppid_ret` follows the syscall. */
long sc_raw_getppid(void);
extern char sc_raw_getppid_ret[];
__asm__(".text\n.globl sc_raw_getppid\nsc_raw_getppid:\n  mov $110, %eax\n  syscall\n"
        ".globl sc_raw_getppid_ret\nsc_raw_getppid_ret:\n  ret\n");

static void nnp(void) { CHECK_RET(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0); }

static void errno_action(void) {
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_ERRNO | ENOTTY), 0);
    CHECK_ERR(syscall(SYS_getppid), ENOTTY);
    CHECK_RET(sc_on_nr(0, SYS_getuid, SECCOMP_RET_ERRNO | 0), 0);
    CHECK_RET(syscall(SYS_getuid), 0);
    CHECK_RET(sc_on_nr(0, SYS_getgid, SECCOMP_RET_ERRNO | 5000), 0);
    CHECK_ERR(syscall(SYS_getgid), 4095);
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 2);
    CHECK_RET(proc_status_field("Seccomp"), 2);
    CHECK_RET(proc_status_field("Seccomp_filters"), 3);
}

static volatile siginfo_t got;
static volatile long got_rax, got_rip;

static void on_sigsys(int sig, siginfo_t *si, void *uc) {
    ucontext_t *u = uc;
    got = *si;
    got_rax = u->uc_mcontext.gregs[REG_RAX];
    got_rip = u->uc_mcontext.gregs[REG_RIP];
}

static void trap_action(void) {
    struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
    CHECK_OK(sigaction(SIGSYS, &sa, NULL));
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_TRAP | 0x42), 0);
    long r = sc_raw_getppid();
    CHECK_RET(r, SYS_getppid); /* rax as the handler left it */
    CHECK_RET(got.si_signo, SIGSYS);
    CHECK_RET(got.si_code, 1); /* SYS_SECCOMP */
    CHECK_RET(got.si_errno, 0x42);
    CHECK_RET(got.si_syscall, SYS_getppid);
    CHECK_RET(got.si_arch, AUDIT_ARCH_X86_64);
    CHECK(got.si_call_addr == (void *)sc_raw_getppid_ret);
    CHECK_RET(got_rax, SYS_getppid);
    CHECK(got_rip == (long)sc_raw_getppid_ret);
    /* A blocked SIGSYS is forced through: the default action kills. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSYS);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    syscall(SYS_getppid);
    CHECK(!"survived a blocked SIGSYS");
}

static void kill_thread_alone(void) {
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_KILL_THREAD), 0);
    syscall(SYS_getppid);
    CHECK(!"survived KILL_THREAD");
}

static void kill_process(void) {
    struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
    CHECK_OK(sigaction(SIGSYS, &sa, NULL)); /* a handler does not help */
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_KILL_PROCESS), 0);
    syscall(SYS_getppid);
    CHECK(!"survived KILL_PROCESS");
}

static void kill_unknown_action(void) {
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, 0x00010000), 0);
    syscall(SYS_getppid);
    CHECK(!"survived an unknown action");
}

static void *call_getppid(void *arg) {
    syscall(SYS_getppid);
    return (void *)1;
}

static void kill_one_thread(void) {
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_KILL_THREAD), 0);
    pthread_t th;
    void *ret = NULL;
    CHECK_RET(pthread_create(&th, NULL, call_getppid, NULL), 0);
    CHECK_RET(pthread_join(th, &ret), 0);
    CHECK(ret == NULL); /* never returned from its function */
    printf("main thread survived\n");
}

static void trace_notif_log(void) {
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_TRACE | 3), 0);
    CHECK_ERR(syscall(SYS_getppid), ENOSYS);
    CHECK_RET(sc_on_nr(0, SYS_getuid, SECCOMP_RET_USER_NOTIF), 0);
    CHECK_ERR(syscall(SYS_getuid), ENOSYS);
    CHECK_RET(sc_on_nr(0, SYS_getgid, SECCOMP_RET_LOG), 0);
    CHECK_RET(syscall(SYS_getgid), getegid() == getgid() ? (long)getgid() : -2);
    CHECK_RET(sc_on_nr(SECCOMP_FILTER_FLAG_LOG, SYS_getpgrp, SECCOMP_RET_ALLOW), 0);
    CHECK(syscall(SYS_getpgrp) > 0);
}

static void precedence(void) {
    nnp();
    /* Equal actions: the most recent filter's data. */
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_ERRNO | EPERM), 0);
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_ERRNO | ENOENT), 0);
    CHECK_ERR(syscall(SYS_getppid), ENOENT);
    /* ERRNO beats a later TRACE, LOG and ALLOW. */
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_TRACE), 0);
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_LOG), 0);
    CHECK_ERR(syscall(SYS_getppid), ENOENT);
    /* KILL_PROCESS beats everything, wherever it is. */
    CHECK_RET(sc_on_nr(0, SYS_getuid, SECCOMP_RET_KILL_PROCESS), 0);
    CHECK_RET(sc_on_nr(0, SYS_getuid, SECCOMP_RET_ERRNO | EPERM), 0);
    syscall(SYS_getuid);
    CHECK(!"survived KILL_PROCESS under ERRNO");
}

static void args_arch_ip(void) {
    nnp();
    /* dup(100) fails with EXDEV; other descriptors dup. */
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_dup, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_OFF(0)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 100, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EXDEV),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog p = {.len = sizeof f / sizeof f[0], .filter = f};
    CHECK_RET(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, &p), 0);
    CHECK_ERR(syscall(SYS_dup, 100), EXDEV);
    CHECK_ERR(syscall(SYS_dup, 101), EBADF);
    int fd = syscall(SYS_dup, 1);
    CHECK(fd > 2);
    /* The filter reads the low half of the argument only. */
    CHECK_ERR(syscall(SYS_dup, 0x100000064L), EXDEV);

    /* getppid from one instruction address only: EXDEV. */
    unsigned long ret = (unsigned long)sc_raw_getppid_ret;
    struct sock_filter g[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP_OFF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)ret, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP_OFF + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)(ret >> 32), 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EXDEV),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog q = {.len = sizeof g / sizeof g[0], .filter = g};
    CHECK_RET(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &q, 0, 0), 0);
    CHECK_RET(sc_raw_getppid(), -EXDEV);
    CHECK(syscall(SYS_getppid) > 0);
}

static void inherit(void) {
    nnp();
    CHECK_RET(sc_on_nr(0, SYS_getppid, SECCOMP_RET_ERRNO | ENOTTY), 0);
    pid_t pid = fork();
    if (pid == 0) {
        if (syscall(SYS_getppid) == -1 && errno == ENOTTY && prctl(PR_GET_SECCOMP) == 2)
            _exit(7);
        _exit(1);
    }
    int st = 0;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
    char *argv[] = {"/proc/self/exe", "exec-child", NULL};
    execv("/proc/self/exe", argv);
    CHECK(!"execv failed");
}

static void exec_child(void) {
    CHECK_ERR(syscall(SYS_getppid), ENOTTY);
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 2);
    CHECK_RET(proc_status_field("Seccomp"), 2);
    CHECK_RET(proc_status_field("Seccomp_filters"), 1);
    CHECK_RET(proc_status_field("NoNewPrivs"), 1);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
        exec_child();
        return check_status();
    }
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    sc_report("errno", sc_in_child(errno_action));
    sc_report("trap", sc_in_child(trap_action));
    sc_report("kill_thread alone", sc_in_child(kill_thread_alone));
    sc_report("kill_process", sc_in_child(kill_process));
    sc_report("unknown action", sc_in_child(kill_unknown_action));
    sc_report("kill_thread with threads", sc_in_child(kill_one_thread));
    sc_report("trace, user_notif, log", sc_in_child(trace_notif_log));
    sc_report("precedence", sc_in_child(precedence));
    sc_report("args, arch, ip", sc_in_child(args_arch_ip));
    sc_report("inherit", sc_in_child(inherit));
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    return check_status();
}
