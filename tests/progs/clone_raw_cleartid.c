/* Raw clone: a CLONE_THREAD child shares the pid and parent, gets its own
 * tid (stored by CLONE_PARENT_SETTID and CLONE_CHILD_SETTID), cannot be
 * waited for, and at exit the kernel zeroes its CLONE_CHILD_CLEARTID word
 * and futex-wakes a waiter on it. Without CLONE_THREAD, CLONE_VM shares
 * memory, CLONE_FILES the descriptor table and CLONE_SIGHAND the handlers;
 * without them each is a copy. clone3 works fork-like and returns a pidfd
 * with CLONE_PIDFD. Inconsistent flag sets are EINVAL. */
#include "check.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define STACK 65536
static char stacks[8][STACK] __attribute__((aligned(16)));

struct info {
    volatile pid_t ptid;    /* CLONE_PARENT_SETTID */
    volatile pid_t ctid;    /* CLONE_CHILD_SETTID / CLEARTID */
    volatile pid_t seen_tid, seen_pid, seen_ppid, seen_ctid;
    volatile int go;
};

static long futex(volatile void *addr, int op, int val) {
    return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static int thread_fn(void *arg) {
    struct info *in = arg;
    pid_t tid = syscall(SYS_gettid);
    in->seen_pid = syscall(SYS_getpid);
    in->seen_ppid = syscall(SYS_getppid);
    in->seen_ctid = in->ctid;
    /* Last: the parent reads the others once this is set. */
    in->seen_tid = tid;
    /* Wait until told to go, then linger a moment so the parent is surely
     * asleep on the tid word. */
    while (!in->go)
        futex(&in->go, FUTEX_WAIT, 0);
    struct timespec nap = {0, 20000000};
    syscall(SYS_nanosleep, &nap, NULL);
    return 0; /* glibc's clone wrapper then calls SYS_exit */
}

static const int thread_flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
                                CLONE_CHILD_CLEARTID;

static void threads(void) {
    struct info in[4];
    memset(in, 0, sizeof in);
    pid_t tid[4];
    for (int i = 0; i < 4; i++) {
        tid[i] = clone(thread_fn, stacks[i] + STACK, thread_flags, &in[i], &in[i].ptid, NULL,
                       &in[i].ctid);
        CHECK(tid[i] > 0);
    }
    for (int i = 0; i < 4; i++) {
        CHECK(in[i].ptid == tid[i]);
        CHECK(tid[i] != getpid());
    }
    /* Wait for each to report. */
    for (int i = 0; i < 4; i++)
        while (!in[i].seen_tid)
            usleep(100);
    for (int i = 0; i < 4; i++) {
        CHECK(in[i].seen_tid == tid[i]);
        CHECK(in[i].seen_ctid == tid[i]);
        CHECK(in[i].seen_pid == getpid());
        CHECK(in[i].seen_ppid == getppid());
    }
    /* Threads are not waitable children. */
    CHECK_ERR(waitpid(tid[0], NULL, __WALL | WNOHANG), ECHILD);
    CHECK_ERR(waitpid(-1, NULL, __WALL | WNOHANG), ECHILD);
    /* tgkill with signal 0 finds them. */
    CHECK_OK(syscall(SYS_tgkill, getpid(), tid[1], 0));
    CHECK_ERR(syscall(SYS_tgkill, getpid() + 0, 999999, 0), ESRCH);

    /* Release them and sleep on the tid words until the kernel clears them. */
    for (int i = 0; i < 4; i++) {
        in[i].go = 1;
        futex(&in[i].go, FUTEX_WAKE, 1);
    }
    int waits = 0;
    for (int i = 0; i < 4; i++) {
        pid_t v;
        while ((v = in[i].ctid) != 0) {
            long r = futex(&in[i].ctid, FUTEX_WAIT, v);
            if (r == 0)
                waits++;
        }
    }
    for (int i = 0; i < 4; i++)
        CHECK(in[i].ctid == 0);
    CHECK(in[0].ptid == tid[0]); /* the parent's copy is not cleared */
    for (int i = 0; i < 4; i++)
        CHECK_ERR(syscall(SYS_tgkill, getpid(), tid[i], 0), ESRCH);
}

static volatile int shared_word;
static int proc_fd;

static void on_usr2(int sig) { (void)sig; }

static int proc_fn(void *arg) {
    (void)arg;
    shared_word = 42;
    syscall(SYS_close, proc_fd);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    syscall(SYS_rt_sigaction, SIGUSR2, &sa, NULL, 8);
    return 6;
}

static void processes(void) {
    struct sigaction old;
    int st;
    /* All shared. */
    shared_word = 0;
    proc_fd = dup(1);
    signal(SIGUSR2, SIG_DFL);
    pid_t pid = clone(proc_fn, stacks[4] + STACK, CLONE_VM | CLONE_FILES | CLONE_SIGHAND | SIGCHLD, NULL);
    CHECK(pid > 0);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 6);
    CHECK(shared_word == 42);
    CHECK_ERR(fcntl(proc_fd, F_GETFD), EBADF);
    sigaction(SIGUSR2, NULL, &old);
    CHECK(old.sa_handler == on_usr2);

    /* Nothing shared: copies. */
    shared_word = 0;
    proc_fd = dup(1);
    signal(SIGUSR2, SIG_DFL);
    pid = clone(proc_fn, stacks[5] + STACK, SIGCHLD, NULL);
    CHECK(pid > 0);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 6);
    CHECK(shared_word == 0);
    CHECK_OK(fcntl(proc_fd, F_GETFD));
    sigaction(SIGUSR2, NULL, &old);
    CHECK(old.sa_handler == SIG_DFL);
    close(proc_fd);

    /* Raw fork-like clone: stack 0 means "the same stack, copied". */
    pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    if (pid == 0)
        syscall(SYS_exit_group, 8);
    CHECK(pid > 0);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 8);
}

static void clone3_fork(void) {
    int pidfd = -1;
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0)
        syscall(SYS_exit_group, 12);
    CHECK(pid > 0);
    CHECK(pidfd >= 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_RET(waitid(P_PIDFD, pidfd, &si, WEXITED), 0);
    CHECK(si.si_pid == pid && si.si_status == 12 && si.si_code == CLD_EXITED);
    close(pidfd);

    CHECK_ERR(syscall(SYS_clone3, &ca, 32), EINVAL);
    CHECK_ERR(syscall(SYS_clone3, NULL, sizeof ca), EFAULT);
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = 65;
    CHECK_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL);
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_THREAD; /* without SIGHAND and VM */
    CHECK_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL);
}

static void errors(void) {
    CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | SIGCHLD, stacks[6] + STACK, NULL, NULL, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, stacks[6] + STACK, NULL, NULL, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, NULL, NULL, NULL, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, NULL, NULL, NULL, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, stacks[6] + STACK, NULL, NULL, 0), EINVAL);
    int pidfd;
    CHECK_ERR(syscall(SYS_clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, NULL, &pidfd, NULL, 0), EINVAL);
}

int main(void) {
    threads();
    processes();
    clone3_fork();
    errors();
    return check_status();
}
