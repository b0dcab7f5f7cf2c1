/* fork gives the child a copy of the parent's memory: writes on either side
 * after the fork (globals, stack, heap, private anonymous mappings) are
 * invisible to the other, while a MAP_SHARED anonymous mapping is shared.
 * fork returns 0 in the child and the child's pid in the parent; the child's
 * getppid() is the parent. wait4's status decodes with the W* macros (and
 * has Linux's raw layout): exit codes are truncated to 8 bits, a signal
 * death reports the signal, and wait4 on a specific pid reaps only that
 * child. */
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int global = 1;

static void copy_on_write(void) {
    int local = 10;
    int *heap = malloc(sizeof *heap);
    *heap = 100;
    char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(priv != MAP_FAILED && shared != MAP_FAILED);
    strcpy(priv, "parent");
    shared[0] = 0;

    int go[2], done[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(done));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* The child sees the values from before the fork. */
        int bad = 0;
        if (global != 1 || local != 10 || *heap != 100 || strcmp(priv, "parent") != 0)
            bad |= 1;
        if (getppid() != parent)
            bad |= 2;
        if (getpid() == parent)
            bad |= 4;
        /* Its writes stay in the child, except through the shared mapping. */
        global = 2;
        local = 20;
        *heap = 200;
        strcpy(priv, "child");
        shared[0] = 42;
        shared[1] = getpid();
        char c = 'w';
        if (write(done[1], &c, 1) != 1)
            bad |= 8;
        /* Wait until the parent has written its own copies. */
        if (read(go[0], &c, 1) != 1)
            bad |= 16;
        if (global != 2 || local != 20 || *heap != 200 || strcmp(priv, "child") != 0)
            bad |= 32;
        if (shared[2] != 7)
            bad |= 64;
        _exit(bad);
    }
    CHECK(pid > 0);
    char c;
    CHECK_RET(read(done[0], &c, 1), 1);
    CHECK(global == 1 && local == 10 && *heap == 100);
    CHECK(strcmp(priv, "parent") == 0);
    CHECK(shared[0] == 42);
    CHECK(shared[1] == pid);
    global = 3;
    local = 30;
    *heap = 300;
    strcpy(priv, "parent2");
    shared[2] = 7;
    CHECK_RET(write(go[1], "g", 1), 1);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 0);
    CHECK(global == 3 && local == 30 && *heap == 300);
    close(go[0]);
    close(go[1]);
    close(done[0]);
    close(done[1]);
    munmap(priv, 4096);
    munmap(shared, 4096);
    free(heap);
}

static void statuses(void) {
    int st;
    pid_t pid;

    /* exit codes keep their low 8 bits. */
    if ((pid = fork()) == 0)
        _exit(3);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && !WIFSIGNALED(st) && !WIFSTOPPED(st));
    CHECK_RET(WEXITSTATUS(st), 3);
    CHECK_RET(st, 0x300);

    if ((pid = fork()) == 0)
        exit(256 + 7);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 7);

    if ((pid = fork()) == 0)
        syscall(SYS_exit_group, -1);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 255);

    /* SYS_exit from the only thread ends the process too. */
    if ((pid = fork()) == 0)
        syscall(SYS_exit, 0);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(st, 0);

    /* Death by signal. */
    if ((pid = fork()) == 0) {
        for (;;)
            pause();
    }
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st) && !WIFEXITED(st));
    CHECK_RET(WTERMSIG(st), SIGKILL);
    CHECK_RET(st, SIGKILL);

    if ((pid = fork()) == 0) {
        raise(SIGUSR1);
        _exit(0);
    }
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st));
    CHECK_RET(WTERMSIG(st), SIGUSR1);

    /* The rusage of a reaped child can be asked for. */
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    if ((pid = fork()) == 0)
        _exit(0);
    CHECK_RET(wait4(pid, &st, 0, &ru), pid);
    CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    CHECK(ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);

    /* A specific pid reaps only that child, in whatever order is asked. */
    pid_t a = fork();
    if (a == 0)
        _exit(11);
    pid_t b = fork();
    if (b == 0)
        _exit(12);
    CHECK(a != b);
    CHECK_RET(waitpid(b, &st, 0), b);
    CHECK_RET(WEXITSTATUS(st), 12);
    CHECK_RET(waitpid(a, &st, 0), a);
    CHECK_RET(WEXITSTATUS(st), 11);
    CHECK_ERR(waitpid(a, &st, 0), ECHILD);
    CHECK_ERR(waitpid(-1, &st, 0), ECHILD);

    /* A NULL status pointer is fine; a bad one is EFAULT, and the child
     * has been reaped all the same. */
    if ((pid = fork()) == 0)
        _exit(0);
    CHECK_RET(wait4(pid, NULL, 0, NULL), pid);
    if ((pid = fork()) == 0)
        _exit(0);
    CHECK_ERR(wait4(pid, (int *)8, 0, NULL), EFAULT);
    CHECK_ERR(wait4(pid, &st, WNOHANG, NULL), ECHILD);
}

static void pids(void) {
    pid_t me = getpid();
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        pid_t info[2] = {getpid(), getppid()};
        write(p[1], info, sizeof info);
        _exit(0);
    }
    pid_t info[2];
    CHECK_RET(read(p[0], info, sizeof info), sizeof info);
    CHECK(info[0] == pid);
    CHECK(info[1] == me);
    CHECK(pid != me);
    CHECK_RET(waitpid(pid, NULL, 0), pid);
    close(p[0]);
    close(p[1]);

    /* Children in turn get distinct pids while alive. */
    pid_t kids[8];
    for (int i = 0; i < 8; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            pause();
            _exit(0);
        }
    }
    int distinct = 1;
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            if (kids[i] == kids[j])
                distinct = 0;
    CHECK(distinct);
    int reaped = 0;
    for (int i = 0; i < 8; i++) {
        kill(kids[i], SIGKILL);
        if (waitpid(kids[i], NULL, 0) == kids[i])
            reaped++;
    }
    CHECK(reaped == 8);
}

int main(void) {
    copy_on_write();
    statuses();
    pids();
    return check_status();
}
