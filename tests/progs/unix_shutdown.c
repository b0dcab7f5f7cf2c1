/* shutdown(2) on stream sockets: SHUT_WR ends the peer's input (after
 * what was queued) and makes our writes EPIPE with SIGPIPE, while the
 * peer can still write to us; SHUT_RD lets us read what is queued, then
 * gives end of input instead of waiting, and makes the peer's writes
 * EPIPE; SHUT_RDWR both. poll reports POLLRDHUP and POLLIN for a read
 * side shut down, POLLHUP when both are. A blocked reader wakes at the
 * peer's SHUT_WR. how outside 0..2 is EINVAL; an unconnected socket can
 * be shut down too. */
#include "unix_util.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>

static volatile sig_atomic_t pipes;
static void on_pipe(int sig) {
    (void)sig;
    pipes++;
}

static short events(int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
    poll(&p, 1, 0);
    return p.revents;
}

static int shut_later_fd;
static void *shut_later(void *arg) {
    (void)arg;
    usleep(50000);
    shutdown(shut_later_fd, SHUT_WR);
    return NULL;
}

int main(void) {
    int sv[2], s;
    char buf[16];

    signal(SIGPIPE, on_pipe);
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_ERR(shutdown(sv[0], 3), EINVAL);
    CHECK_ERR(shutdown(sv[0], -1), EINVAL);
    CHECK_RET(events(sv[0]), POLLOUT);

    /* SHUT_WR. */
    CHECK_RET(write(sv[0], "queued", 6), 6);
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_RET(pipes, 1);
    CHECK_RET(events(sv[0]), POLLOUT);
    CHECK_RET(events(sv[1]), POLLIN | POLLOUT | POLLRDHUP);
    CHECK_RET(read(sv[1], buf, sizeof buf), 6);
    CHECK_RET(read(sv[1], buf, sizeof buf), 0);
    CHECK_RET(write(sv[1], "reply", 5), 5);
    CHECK_RET(read(sv[0], buf, sizeof buf), 5);
    CHECK_OK(shutdown(sv[0], SHUT_WR)); /* again: fine */
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    CHECK_RET(events(sv[0]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_RET(events(sv[1]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* SHUT_RD. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_RET(write(sv[1], "before", 6), 6);
    CHECK_OK(shutdown(sv[0], SHUT_RD));
    CHECK_RET(events(sv[0]), POLLIN | POLLOUT | POLLRDHUP);
    CHECK_RET(read(sv[0], buf, sizeof buf), 6);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_ERR(write(sv[1], "after", 5), EPIPE);
    CHECK_RET(pipes, 2);
    CHECK_RET(write(sv[0], "out", 3), 3);
    CHECK_RET(read(sv[1], buf, sizeof buf), 3);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* SHUT_RDWR. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(shutdown(sv[0], SHUT_RDWR));
    CHECK_RET(events(sv[0]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_RET(events(sv[1]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_RET(read(sv[1], buf, sizeof buf), 0);
    CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_RET(pipes, 2);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* A blocked reader wakes at the peer's SHUT_WR. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    shut_later_fd = sv[1];
    pthread_t th;
    CHECK_OK(pthread_create(&th, NULL, shut_later, NULL));
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_OK(pthread_join(th, NULL));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* Unconnected sockets. */
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_RET(events(s), POLLOUT | POLLHUP);
    CHECK_OK(shutdown(s, SHUT_RD));
    CHECK_RET(events(s), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_OK(close(s));
    CHECK_OK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_RET(events(s), POLLOUT);
    CHECK_OK(shutdown(s, SHUT_RDWR));
    CHECK_RET(events(s), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    CHECK_OK(close(s));
    return check_status();
}
