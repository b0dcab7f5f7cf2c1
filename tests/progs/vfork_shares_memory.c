/* vfork: the parent is suspended until the child calls _exit (or execs), and
 * the child runs in the parent's memory, so a variable the child writes is
 * seen by the parent afterwards; the file descriptor table is still a copy.
 * After an execve the parent resumes while the child still runs (the new
 * program waits on a pipe for the parent). clone(CLONE_VM | CLONE_VFORK)
 * behaves the same. The program re-executes its own argv[0] with
 * argv[1] = "child" for the exec case. */
#include "check.h"
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

static volatile int shared_var;
static volatile int child_steps;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int clone_fn(void *arg) {
    struct timespec nap = {0, 20000000};
    syscall(SYS_nanosleep, &nap, NULL);
    *(volatile int *)arg = 77;
    return 9;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "child") == 0) {
        /* The exec'd child: wait for the parent's byte, then exit 42. */
        int fd = atoi(argv[2]);
        char c;
        if (read(fd, &c, 1) != 1 || c != 'p')
            return 1;
        return 42;
    }

    pid_t parent = getpid();
    int p[2];
    CHECK_OK(pipe(p));

    /* The child writes shared memory, sleeps, writes again, exits: the
     * parent sees the final values and has been suspended meanwhile. */
    shared_var = 1;
    child_steps = 0;
    volatile pid_t seen_ppid = 0;
    volatile int fd_closed = 0;
    long long t0 = now_ns();
    pid_t pid = vfork();
    if (pid == 0) {
        shared_var = 2;
        child_steps = 1;
        seen_ppid = syscall(SYS_getppid);
        struct timespec nap = {0, 30000000};
        syscall(SYS_nanosleep, &nap, NULL);
        child_steps = 2;
        fd_closed = syscall(SYS_close, p[0]) == 0;
        shared_var = 3;
        _exit(5);
    }
    long long t1 = now_ns();
    CHECK(pid > 0);
    CHECK(pid != parent);
    CHECK(shared_var == 3);
    CHECK(child_steps == 2);
    CHECK(seen_ppid == parent);
    CHECK(fd_closed);
    CHECK(t1 - t0 >= 30000000);
    /* The child closed its copy of the descriptor, not ours. */
    CHECK_RET(write(p[1], "x", 1), 1);
    char c;
    CHECK_RET(read(p[0], &c, 1), 1);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);

    /* vfork then execve: the parent resumes at the exec, while the new
     * program still waits for it. */
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", p[0]);
    char *args[] = {argv[0], "child", fdarg, NULL};
    volatile int exec_failed = 0;
    pid = vfork();
    if (pid == 0) {
        execve(argv[0], args, NULL);
        exec_failed = 1;
        _exit(127);
    }
    CHECK(pid > 0);
    CHECK(exec_failed == 0);
    CHECK_RET(write(p[1], "p", 1), 1);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 42);

    /* A vfork child that fails to exec: the parent sees the flag it set. */
    exec_failed = 0;
    pid = vfork();
    if (pid == 0) {
        char *none[] = {"/nonexistent/program", NULL};
        execve(none[0], none, NULL);
        exec_failed = errno;
        _exit(127);
    }
    CHECK(exec_failed == ENOENT);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK_RET(WEXITSTATUS(st), 127);

    /* A vfork child killed by a signal releases the parent too. */
    shared_var = 0;
    pid = vfork();
    if (pid == 0) {
        shared_var = 1;
        syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
        _exit(0);
    }
    CHECK(shared_var == 1);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    /* clone(CLONE_VM | CLONE_VFORK): same suspension, same memory. */
    static char stack[65536];
    volatile int target = 0;
    t0 = now_ns();
    pid = clone(clone_fn, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)&target);
    t1 = now_ns();
    CHECK(pid > 0);
    CHECK(target == 77);
    CHECK(t1 - t0 >= 20000000);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
    return check_status();
}
