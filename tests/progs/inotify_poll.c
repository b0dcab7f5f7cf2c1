/* Waiting for inotify events: poll, select and epoll see an instance
 * readable (POLLIN|POLLRDNORM, never writable) exactly while events are
 * queued; a blocking read sleeps until an event arrives from another thread;
 * a signal interrupts it (EINTR without SA_RESTART; with SA_RESTART the read
 * goes on and returns the event); O_NONBLOCK set later with fcntl makes an
 * empty read EAGAIN; IN_CLOEXEC closes it across execve. */
#include "fs_util.h"
#include "inotify_util.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void *make_later(void *arg) {
    sleep_ms(150);
    fs_write_file((const char *)arg, "");
    return NULL;
}

static void alarm_in(long ms) {
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static int readable(int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDNORM, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

int main(int argc, char **argv) {
    char buf[512] __attribute__((aligned(8)));
    struct inotify_event *ev = (void *)buf;
    if (argc > 1) { /* after execve: is the descriptor still there? */
        printf("after exec: fd %s\n", fcntl(atoi(argv[1]), F_GETFD) < 0 ? "closed" : "open");
        return 0;
    }
    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));
    int in = inotify_init();
    int wd = in_watch(in, "d", IN_CREATE, "d");

    /* poll, select, epoll. */
    CHECK_RET(readable(in), 0);
    fd_set rs, ws;
    struct timeval tv = {0, 0};
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(in, &rs);
    FD_SET(in, &ws);
    CHECK_RET(select(in + 1, &rs, &ws, NULL, &tv), 0);
    int ep = epoll_create1(0);
    struct epoll_event ee = {.events = EPOLLIN | EPOLLOUT, .data.fd = in}, got;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, in, &ee));
    CHECK_RET(epoll_wait(ep, &got, 1, 0), 0);
    CHECK_OK(fs_write_file("d/one", ""));
    CHECK_RET(readable(in), POLLIN | POLLRDNORM);
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(in, &rs);
    FD_SET(in, &ws);
    CHECK_RET(select(in + 1, &rs, &ws, NULL, &tv), 1);
    CHECK(FD_ISSET(in, &rs) && !FD_ISSET(in, &ws));
    CHECK_RET(epoll_wait(ep, &got, 1, 0), 1);
    CHECK(got.events == EPOLLIN && got.data.fd == in);
    CHECK_RET(read(in, buf, sizeof buf), (long)sizeof *ev + 16);
    CHECK_RET(readable(in), 0);
    CHECK_RET(epoll_wait(ep, &got, 1, 0), 0);

    /* epoll_wait blocks until an event comes. */
    pthread_t th;
    pthread_create(&th, NULL, make_later, "d/two");
    CHECK_RET(epoll_wait(ep, &got, 1, 5000), 1);
    pthread_join(th, NULL);
    CHECK_RET(read(in, buf, sizeof buf), (long)sizeof *ev + 16);
    CHECK(ev->wd == wd && ev->mask == IN_CREATE && strcmp(ev->name, "two") == 0);

    /* A blocking read. */
    pthread_create(&th, NULL, make_later, "d/three");
    CHECK_RET(read(in, buf, sizeof buf), (long)sizeof *ev + 16);
    CHECK(strcmp(ev->name, "three") == 0);
    pthread_join(th, NULL);

    /* Signals: EINTR, or a restart with SA_RESTART. */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    alarm_in(50);
    CHECK_ERR(read(in, buf, sizeof buf), EINTR);
    CHECK_RET(alarms, 1);
    sa.sa_flags = SA_RESTART;
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    pthread_create(&th, NULL, make_later, "d/four");
    alarm_in(50);
    CHECK_RET(read(in, buf, sizeof buf), (long)sizeof *ev + 16);
    CHECK(strcmp(ev->name, "four") == 0);
    CHECK_RET(alarms, 2);
    pthread_join(th, NULL);

    /* O_NONBLOCK through fcntl. */
    CHECK_OK(fcntl(in, F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);

    /* IN_CLOEXEC. */
    int ce = inotify_init1(IN_CLOEXEC);
    CHECK_RET(fcntl(ce, F_GETFD), FD_CLOEXEC);
    char arg[16];
    snprintf(arg, sizeof arg, "%d", ce);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], arg, (char *)NULL);
        _exit(9);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    CHECK_OK(close(ce));
    CHECK_OK(close(ep));
    CHECK_OK(close(in));
    fs_leave_scratch();
    return check_status();
}
