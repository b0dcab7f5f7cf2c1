/* How a multi-threaded process ends. exit_group (_exit) from any thread
 * ends them all, even threads blocked in read, futex or nanosleep, with that
 * thread's code; a fatal signal aimed at one thread kills the whole
 * process; after the main thread leaves with pthread_exit the process lives
 * on until its last thread exits (status 0 if that is pthread_exit too, or
 * the code of a later exit()); after SYS_exit from the leader, the process
 * is not reapable while another thread runs until that last thread leaves
 * with SYS_exit too. (Both use the same code: since Linux 5.17 the status
 * is the last thread's code, before it was the leader's.) Finally this
 * process itself is ended by exit(42) from a secondary thread while its
 * main thread is blocked in read. */
/* expect: exit 42 */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <stdlib.h>

static int never[2];
static volatile int word;

static void *block_read(void *arg) {
    (void)arg;
    char c;
    read(never[0], &c, 1);
    return NULL;
}
static void *block_futex(void *arg) {
    (void)arg;
    for (;;)
        syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
    return NULL;
}
static void *block_sleep(void *arg) {
    (void)arg;
    for (;;)
        sleep(100);
    return NULL;
}
static void start_blockers(void) {
    pthread_t t;
    pthread_create(&t, NULL, block_read, NULL);
    pthread_create(&t, NULL, block_futex, NULL);
    pthread_create(&t, NULL, block_sleep, NULL);
}

static void *exit7(void *arg) {
    (void)arg;
    usleep(10000);
    _exit(7);
    return NULL;
}
static void *exit5_later(void *arg) {
    (void)arg;
    usleep(20000);
    exit(5);
    return NULL;
}
static void *pthread_exit_later(void *arg) {
    (void)arg;
    usleep(20000);
    pthread_exit(NULL);
    return NULL;
}

static int gate[2];
static void *sys_exit_after_gate(void *arg) {
    (void)arg;
    char c;
    read(gate[0], &c, 1);
    syscall(SYS_exit, 9);
    return NULL;
}

static pid_t child(void (*body)(void)) {
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(100);
    }
    return pid;
}

static void body_exit_group(void) {
    start_blockers();
    pthread_t t;
    pthread_create(&t, NULL, exit7, NULL);
    char c;
    read(never[0], &c, 1);
}
static void body_pthread_exit_then_exit(void) {
    start_blockers();
    pthread_t t;
    pthread_create(&t, NULL, exit5_later, NULL);
    pthread_exit(NULL);
}
static void body_all_pthread_exit(void) {
    pthread_t t;
    pthread_create(&t, NULL, pthread_exit_later, NULL);
    pthread_create(&t, NULL, pthread_exit_later, NULL);
    pthread_exit(NULL);
}
static void body_signal_one_thread(void) {
    start_blockers();
    pthread_t t;
    pthread_create(&t, NULL, block_read, NULL);
    usleep(10000);
    pthread_kill(t, SIGTERM);
    for (;;)
        pause();
}
static void body_leader_sys_exit(void) {
    pthread_t t;
    pthread_create(&t, NULL, sys_exit_after_gate, NULL);
    syscall(SYS_exit, 9);
}

static void *final_exit(void *arg) {
    (void)arg;
    usleep(10000);
    exit(check_status() ? 1 : 42);
    return NULL;
}

int main(void) {
    CHECK_OK(pipe(never));
    CHECK_OK(pipe(gate));
    int st;
    pid_t pid = child(body_exit_group);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 7);

    pid = child(body_pthread_exit_then_exit);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 5);

    pid = child(body_all_pthread_exit);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 0);

    pid = child(body_signal_one_thread);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st));
    CHECK_RET(WTERMSIG(st), SIGTERM);

    pid = child(body_leader_sys_exit);
    usleep(20000);
    CHECK_RET(waitpid(pid, &st, WNOHANG), 0);
    CHECK_OK(kill(pid, 0));
    CHECK_RET(write(gate[1], "g", 1), 1);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 9);

    /* Now this process: a thread ends it while we block. */
    pthread_t t;
    start_blockers();
    CHECK_RET(pthread_create(&t, NULL, final_exit, NULL), 0);
    char c;
    read(never[0], &c, 1);
    printf("FAIL read returned\n");
    return 1;
}
