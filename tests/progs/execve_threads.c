/* execve from a multi-threaded process: whichever thread calls it (a
 * secondary thread here, then the main thread), the new program runs as
 * the process's only thread with the same pid (gettid() == getpid()) and
 * parent; the other threads vanish (two threads that kept writing to a
 * pipe have stopped), the calling thread's signal mask is the one kept,
 * and the parent reaps the exit status of the new program once. The
 * program re-executes its own argv[0] with argv[1] = "child". */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

static int wfd;
static char *self;
static char args_buf[3][16];

static int started;

static void *writer(void *arg) {
    (void)arg;
    write(wfd, "w", 1);
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        usleep(1000);
        write(wfd, "w", 1);
    }
    return NULL;
}

static void *blocker(void *arg) {
    int fd = *(int *)arg;
    char c;
    read(fd, &c, 1); /* never satisfied */
    return NULL;
}

static void do_exec(void) {
    /* Both writers are running. */
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 2)
        usleep(1000);
    char *args[] = {self, "child", args_buf[0], args_buf[1], args_buf[2], NULL};
    execve(self, args, NULL);
    _exit(127);
}

static void *exec_thread(void *arg) {
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    do_exec();
    return NULL;
}

static int child(char **argv) {
    int rfd = atoi(argv[2]);
    pid_t old_pid = atoi(argv[3]);
    int from_thread = atoi(argv[4]);
    CHECK(getpid() == old_pid);
    CHECK(gettid() == getpid());
    /* The writers are gone: after draining, nothing more arrives. */
    CHECK_OK(fcntl(rfd, F_SETFL, O_NONBLOCK));
    char buf[4096];
    int got = 0;
    while (read(rfd, buf, sizeof buf) > 0)
        got = 1;
    CHECK(got == 1);
    usleep(30000);
    CHECK_ERR(read(rfd, buf, sizeof buf), EAGAIN);
    sigset_t set;
    sigprocmask(SIG_BLOCK, NULL, &set);
    CHECK(sigismember(&set, SIGUSR2) == from_thread);
    /* A new thread works as usual in the new image. */
    pthread_t t;
    int never[2];
    CHECK_OK(pipe(never));
    CHECK_RET(pthread_create(&t, NULL, blocker, &never[0]), 0);
    CHECK_RET(write(never[1], "x", 1), 1);
    CHECK_RET(pthread_join(t, NULL), 0);
    return check_status() ? 1 : 40 + from_thread;
}

static void run(int from_thread) {
    int p[2], never[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(never));
    pid_t pid = fork();
    if (pid == 0) {
        wfd = p[1];
        snprintf(args_buf[0], 16, "%d", p[0]);
        snprintf(args_buf[1], 16, "%d", getpid());
        snprintf(args_buf[2], 16, "%d", from_thread);
        pthread_t t;
        pthread_create(&t, NULL, writer, NULL);
        pthread_create(&t, NULL, writer, NULL);
        pthread_create(&t, NULL, blocker, &never[0]);
        if (from_thread) {
            pthread_create(&t, NULL, exec_thread, NULL);
            for (;;)
                pause();
        }
        do_exec();
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 40 + from_thread);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    close(p[0]);
    close(p[1]);
    close(never[0]);
    close(never[1]);
}

int main(int argc, char **argv) {
    if (argc >= 5 && strcmp(argv[1], "child") == 0)
        return child(argv);
    self = argv[0];
    run(1);
    run(0);
    return check_status();
}
