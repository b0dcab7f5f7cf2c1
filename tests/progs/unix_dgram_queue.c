/* Datagram flow control: a receiver that is not connected back to its
 * sender queues max_dgram_qlen (10) datagrams and one more; then a
 * non-blocking sender gets EAGAIN and poll shows it no POLLOUT, a
 * blocking one waits until the receiver reads (or SO_SNDTIMEO passes).
 * Peers connected to each other (a socketpair) are limited by the send
 * buffer alone. A full send buffer clears POLLOUT until a quarter of it
 * is free again. */
#include "unix_util.h"
#include <poll.h>
#include <pthread.h>
#include <time.h>

static int receiver;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *read_later(void *arg) {
    (void)arg;
    char c;
    usleep(100000);
    return (void *)(long)recv(receiver, &c, 1, 0);
}

static int writable(int fd) {
    struct pollfd p = {fd, POLLOUT, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

int main(void) {
    struct sockaddr_un a;
    socklen_t al = unix_abstract(&a, "queue");
    int s, n;
    char buf[4];

    CHECK_OK(receiver = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(receiver, (struct sockaddr *)&a, al));
    CHECK_OK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(connect(s, (struct sockaddr *)&a, al));
    CHECK(writable(s));
    for (n = 0; n < 100; n++)
        if (send(s, "d", 1, MSG_DONTWAIT) < 0)
            break;
    CHECK_RET(n, 11);
    CHECK_ERR(send(s, "d", 1, MSG_DONTWAIT), EAGAIN);
    CHECK(!writable(s));
    /* Another sender, not connected, meets the same full queue. */
    int o;
    CHECK_OK(o = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    CHECK_ERR(sendto(o, "d", 1, 0, (struct sockaddr *)&a, al), EAGAIN);
    CHECK_RET(recv(receiver, buf, sizeof buf, 0), 1);
    CHECK(writable(s));
    CHECK_RET(sendto(o, "d", 1, 0, (struct sockaddr *)&a, al), 1);
    CHECK(!writable(s));

    /* A blocking sender waits for the reader. */
    pthread_t th;
    double t0 = now();
    CHECK_OK(pthread_create(&th, NULL, read_later, NULL));
    CHECK_RET(send(s, "w", 1, 0), 1);
    CHECK(now() - t0 >= 0.09);
    void *r;
    CHECK_OK(pthread_join(th, &r));
    CHECK_RET((long)r, 1);
    /* ... or for SO_SNDTIMEO. */
    struct timeval tv = {0, 80000};
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    t0 = now();
    CHECK_ERR(send(s, "t", 1, 0), EAGAIN);
    CHECK(now() - t0 >= 0.07);
    /* The receiver connected back to the sender lifts the limit. */
    sa_family_t fam = AF_UNIX;
    CHECK_OK(bind(s, (struct sockaddr *)&fam, sizeof fam));
    struct sockaddr_un sa;
    socklen_t sal = sizeof sa;
    CHECK_OK(getsockname(s, (struct sockaddr *)&sa, &sal));
    CHECK_OK(connect(receiver, (struct sockaddr *)&sa, sal));
    CHECK(writable(s));
    CHECK_RET(send(s, "e", 1, MSG_DONTWAIT), 1);
    CHECK_ERR(sendto(o, "d", 1, 0, (struct sockaddr *)&a, al), EPERM);
    CHECK_OK(close(s));
    CHECK_OK(close(o));
    CHECK_OK(close(receiver));

    /* A socketpair: only the send buffer limits. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv));
    for (n = 0; n < 100000; n++)
        if (send(sv[0], "p", 1, 0) < 0)
            break;
    CHECK(n > 11 && errno == EAGAIN);
    CHECK(!writable(sv[0]));
    int got = 0;
    while (!writable(sv[0]) && recv(sv[1], buf, 1, 0) == 1)
        got++;
    CHECK(got > n / 2 && got < n);
    CHECK(writable(sv[0]));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return check_status();
}
