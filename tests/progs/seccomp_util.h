/* Helpers for the seccomp behaviour tests: filters are irreversible, so
 * each scenario runs in a forked child and reports through its status. */
#ifndef SECCOMP_UTIL_H
#define SECCOMP_UTIL_H
#include "check.h"
#include "proc_util.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define IP_OFF offsetof(struct seccomp_data, instruction_pointer)
#define ARG_OFF(i) (offsetof(struct seccomp_data, args) + 8 * (i))

__attribute__((unused)) static long sc_seccomp(unsigned op, unsigned flags, void *args) {
    return syscall(SYS_seccomp, op, flags, args);
}

/* A filter returning `hit` for system call `nr` and ALLOW otherwise. */
__attribute__((unused)) static long sc_on_nr(unsigned flags, int nr, unsigned hit) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, hit),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog p = {.len = 4, .filter = f};
    return sc_seccomp(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* Runs `fn` in a child and returns its wait status. */
__attribute__((unused)) static int sc_in_child(void (*fn)(void)) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        exit(check_status());
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

/* "exit N" or "signal N" for a wait status. */
__attribute__((unused)) static void sc_report(const char *what, int st) {
    if (WIFEXITED(st))
        printf("%s: exit %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

#endif
