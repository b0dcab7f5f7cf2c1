/* The listen backlog: a listener takes one pending connection more than
 * its backlog (listen(fd, 0) takes one); past that a non-blocking connect
 * is EAGAIN (never EINPROGRESS), a blocking one waits until accept makes
 * room, or until SO_SNDTIMEO passes (EAGAIN). A bigger backlog lets
 * waiters in. A pending connection is usable before accept and after its
 * client closed. Closing the listener resets the pending connections;
 * shutting it down for reading refuses new ones and makes accept EINVAL
 * (EAGAIN when non-blocking). */
#include "unix_util.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

static struct sockaddr_un addr;
static socklen_t addrlen;
static int listener;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *accept_later(void *arg) {
    (void)arg;
    usleep(100000);
    int fd = accept(listener, NULL, NULL);
    return (void *)(long)fd;
}

static int client(int flags) {
    int fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
    if (connect(fd, (struct sockaddr *)&addr, addrlen) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int main(void) {
    int c[8], n;
    char buf[8];
    struct pollfd p;

    signal(SIGPIPE, SIG_IGN);
    addrlen = unix_abstract(&addr, "backlog");
    CHECK_OK(listener = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(listener, (struct sockaddr *)&addr, addrlen));
    CHECK_OK(listen(listener, 0));
    p.fd = listener;
    p.events = POLLIN | POLLOUT;
    CHECK_RET(poll(&p, 1, 0), 0);
    CHECK_OK(c[0] = client(SOCK_NONBLOCK));
    CHECK_ERR(client(SOCK_NONBLOCK), EAGAIN);
    CHECK_RET(poll(&p, 1, 0), 1);
    CHECK_RET(p.revents, POLLIN);

    /* The pending connection works before accept. */
    CHECK_RET(write(c[0], "early", 5), 5);
    CHECK_OK(n = accept(listener, NULL, NULL));
    CHECK_RET(read(n, buf, sizeof buf), 5);
    CHECK_OK(close(n));

    /* listen(2): a bigger backlog. */
    CHECK_OK(listen(listener, 2));
    CHECK_OK(c[1] = client(SOCK_NONBLOCK));
    CHECK_OK(c[2] = client(SOCK_NONBLOCK));
    CHECK_OK(c[3] = client(SOCK_NONBLOCK));
    CHECK_ERR(client(SOCK_NONBLOCK), EAGAIN);

    /* A blocking connect waits for room. */
    pthread_t th;
    double t0 = now();
    CHECK_OK(pthread_create(&th, NULL, accept_later, NULL));
    CHECK_OK(c[4] = client(0));
    CHECK(now() - t0 >= 0.09);
    void *ret;
    CHECK_OK(pthread_join(th, &ret));
    CHECK((long)ret >= 0);
    close((int)(long)ret);

    /* ... or for SO_SNDTIMEO. */
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct timeval tv = {0, 100000};
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    t0 = now();
    CHECK_ERR(connect(s, (struct sockaddr *)&addr, addrlen), EAGAIN);
    CHECK(now() - t0 >= 0.09);
    CHECK_OK(close(s));

    /* A pending connection whose client left: its data, then the end. */
    CHECK_RET(write(c[2], "bye", 3), 3);
    CHECK_OK(close(c[2]));
    CHECK_OK(n = accept(listener, NULL, NULL)); /* the oldest: c[2]'s */
    CHECK_RET(read(n, buf, sizeof buf), 3);
    CHECK_RET(read(n, buf, sizeof buf), 0);
    CHECK_OK(close(n));

    /* Closing the listener resets what is still pending. */
    CHECK_OK(close(listener));
    CHECK_ERR(read(c[3], buf, sizeof buf), ECONNRESET);
    CHECK_RET(read(c[3], buf, sizeof buf), 0);
    CHECK_ERR(write(c[3], "x", 1), EPIPE);
    CHECK_ERR(read(c[4], buf, sizeof buf), ECONNRESET);
    CHECK_ERR(client(0), ECONNREFUSED);

    /* Shut down for reading: no new connections, accept is over. */
    CHECK_OK(listener = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(listener, (struct sockaddr *)&addr, addrlen));
    CHECK_OK(listen(listener, 5));
    CHECK_OK(c[5] = client(0));
    CHECK_OK(shutdown(listener, SHUT_RD));
    CHECK_ERR(client(0), ECONNREFUSED);
    CHECK_OK(n = accept(listener, NULL, NULL)); /* still pending */
    CHECK_OK(close(n));
    CHECK_ERR(accept(listener, NULL, NULL), EINVAL);
    CHECK_OK(fcntl(listener, F_SETFL, O_NONBLOCK));
    CHECK_ERR(accept(listener, NULL, NULL), EAGAIN);
    CHECK_OK(close(listener));
    for (int i = 0; i < 6; i++)
        if (i != 2)
            close(c[i]);
    return check_status();
}
