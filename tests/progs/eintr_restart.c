/* Blocking calls and signal handlers. With SA_RESTART a pipe read
 * interrupted by SIGALRM from alarm() is restarted and completes with data
 * a child writes later; wait4 and a futex wait without timeout restart too.
 * Without SA_RESTART read and wait4 fail with EINTR. Some calls are never
 * restarted: nanosleep and clock_nanosleep return EINTR with the remaining
 * time filled in (not for TIMER_ABSTIME), and pause, sigsuspend, poll and
 * select return EINTR. A stop and continue with no handler involved is
 * invisible: nanosleep and read just carry on. (Repeating interval timers
 * interrupt the calls, so a signal that lands early cannot hang the test.) */
#include "check.h"
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int hits;
static int go_fd = -1;
static volatile int *futex_word;

static void on_alarm(int sig) {
    (void)sig;
    hits++;
    if (go_fd >= 0)
        write(go_fd, "g", 1);
    if (futex_word)
        *futex_word = 1;
}

static void handle(int restart) {
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0};
    sigaction(SIGALRM, &sa, NULL);
    hits = 0;
}

static void ticking(long usec) {
    struct itimerval it = {{0, usec}, {0, usec}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_ticking(void) {
    struct itimerval it = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A child that writes `msg` to `out` once the parent's handler has run. */
static pid_t writer_after_signal(int go_read, int out, const char *msg) {
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (read(go_read, &c, 1) != 1)
            _exit(1);
        write(out, msg, strlen(msg));
        _exit(0);
    }
    return pid;
}

static void restarted_read(void) {
    int data[2], go[2];
    CHECK_OK(pipe(data));
    CHECK_OK(pipe(go));
    pid_t pid = writer_after_signal(go[0], data[1], "data");
    handle(1);
    go_fd = go[1];
    CHECK_RET(alarm(1), 0);
    char buf[8] = {0};
    CHECK_RET(read(data[0], buf, sizeof buf), 4);
    CHECK(strcmp(buf, "data") == 0);
    CHECK(hits == 1);
    go_fd = -1;
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Without SA_RESTART: EINTR. */
    handle(0);
    ticking(20000);
    CHECK_ERR(read(data[0], buf, sizeof buf), EINTR);
    stop_ticking();
    CHECK(hits >= 1);
    close(data[0]);
    close(data[1]);
    close(go[0]);
    close(go[1]);
}

static void waits(void) {
    int go[2];
    CHECK_OK(pipe(go));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);
        _exit(5);
    }
    int st;
    handle(0);
    ticking(20000);
    CHECK_ERR(wait4(pid, &st, 0, NULL), EINTR);
    stop_ticking();
    CHECK(hits >= 1);
    /* With SA_RESTART the handler releases the child and wait4 goes on. */
    handle(1);
    go_fd = go[1];
    ticking(20000);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    stop_ticking();
    go_fd = -1;
    CHECK(hits >= 1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
    close(go[0]);
    close(go[1]);

    /* FUTEX_WAIT without a timeout restarts: the handler changed the word,
     * so the restarted wait sees a different value (EAGAIN). */
    static volatile int word;
    word = 0;
    futex_word = &word;
    handle(1);
    ticking(20000);
    CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
    stop_ticking();
    word = 0;
    handle(0);
    ticking(20000);
    CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINTR);
    stop_ticking();
    futex_word = NULL;
}

static void never_restarted(void) {
    handle(1); /* SA_RESTART does not help these */
    struct timespec req = {2, 0}, rem = {-1, -1};
    ticking(20000);
    long long t0 = now_ns();
    CHECK_ERR(nanosleep(&req, &rem), EINTR);
    long long slept = now_ns() - t0;
    stop_ticking();
    CHECK(hits >= 1);
    CHECK(rem.tv_sec >= 0 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000);
    long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
    CHECK(left > 0 && left <= 2000000000LL);
    CHECK(left + slept >= 1900000000LL);

    rem.tv_sec = rem.tv_nsec = -1;
    ticking(20000);
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
    stop_ticking();
    CHECK(rem.tv_sec >= 0 && rem.tv_sec <= 2 && rem.tv_nsec >= 0);
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_sec += 2;
    rem.tv_sec = rem.tv_nsec = -7;
    ticking(20000);
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, &rem), EINTR);
    stop_ticking();
    CHECK(rem.tv_sec == -7 && rem.tv_nsec == -7); /* untouched */

    ticking(20000);
    CHECK_ERR(pause(), EINTR);
    stop_ticking();

    sigset_t empty;
    sigemptyset(&empty);
    ticking(20000);
    CHECK_ERR(sigsuspend(&empty), EINTR);
    stop_ticking();

    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    ticking(20000);
    CHECK_ERR(poll(&pfd, 1, -1), EINTR);
    stop_ticking();
    ticking(20000);
    CHECK_ERR(poll(&pfd, 1, 5000), EINTR);
    stop_ticking();
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    ticking(20000);
    CHECK_ERR(select(p[0] + 1, &rd, NULL, NULL, NULL), EINTR);
    stop_ticking();
    close(p[0]);
    close(p[1]);
    signal(SIGALRM, SIG_DFL);
}

static void stop_and_continue(void) {
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec req = {0, 200000000};
        long long t0 = now_ns();
        int r = nanosleep(&req, NULL);
        long long slept = now_ns() - t0;
        char c;
        ssize_t n = read(p[0], &c, 1);
        _exit(r == 0 && slept >= 200000000 && n == 1 ? 0 : 1);
    }
    int st;
    usleep(20000);
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
    CHECK_OK(kill(pid, SIGCONT));
    usleep(250000); /* now it is blocked in read */
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 0);
    close(p[0]);
    close(p[1]);
}

int main(void) {
    restarted_read();
    waits();
    never_restarted();
    stop_and_continue();
    return check_status();
}
