/* SOL_SOCKET options on AF_UNIX sockets: buffer sizes are doubled, with
 * minimums of 4608 (send) and 2304 (receive); timeouts come back as set
 * (whole jiffies: these are multiples of 20 ms), a microsecond count out
 * of range is EDOM, a negative time means "do not wait"; SO_LINGER keeps
 * its time when turned off; flags read back as 0 or 1. getsockopt cuts
 * the value to the length given and reports what it wrote; a negative
 * length is EINVAL. Read-only options are ENOPROTOOPT to setsockopt,
 * unknown ones ENOPROTOOPT both ways, other levels EOPNOTSUPP, a short
 * optlen EINVAL. SO_RCVLOWAT sets how much a stream read waits for. */
#include "unix_util.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>

static int geti(int fd, int name) {
    int v = -7;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, name, &v, &l) < 0)
        return -1;
    return v;
}

static int seti(int fd, int name, int v) {
    return setsockopt(fd, SOL_SOCKET, name, &v, sizeof v);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
    int s, sv[2];
    char buf[16];
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));

    CHECK_RET(geti(s, SO_SNDBUF), 212992);
    CHECK_RET(geti(s, SO_RCVBUF), 212992);
    CHECK_OK(seti(s, SO_SNDBUF, 10000));
    CHECK_RET(geti(s, SO_SNDBUF), 20000);
    CHECK_OK(seti(s, SO_SNDBUF, 1));
    CHECK_RET(geti(s, SO_SNDBUF), 4608);
    CHECK_OK(seti(s, SO_RCVBUF, 10000));
    CHECK_RET(geti(s, SO_RCVBUF), 20000);
    CHECK_OK(seti(s, SO_RCVBUF, 0));
    CHECK_RET(geti(s, SO_RCVBUF), 2304);
    CHECK_OK(seti(s, SO_SNDBUFFORCE, 3000));
    CHECK_RET(geti(s, SO_SNDBUF), 6000);
    CHECK_OK(seti(s, SO_RCVBUFFORCE, -5));
    CHECK_RET(geti(s, SO_RCVBUF), 2304);

    CHECK_RET(geti(s, SO_REUSEADDR), 0);
    CHECK_OK(seti(s, SO_REUSEADDR, 5));
    CHECK_RET(geti(s, SO_REUSEADDR), 1);
    CHECK_RET(geti(s, SO_KEEPALIVE), 0);
    CHECK_OK(seti(s, SO_KEEPALIVE, 1));
    CHECK_RET(geti(s, SO_KEEPALIVE), 1);
    CHECK_OK(seti(s, SO_KEEPALIVE, 0));
    CHECK_RET(geti(s, SO_KEEPALIVE), 0);
    CHECK_OK(seti(s, SO_BROADCAST, 1));
    CHECK_RET(geti(s, SO_BROADCAST), 1);
    CHECK_OK(seti(s, SO_PRIORITY, 6));
    CHECK_RET(geti(s, SO_PRIORITY), 6);
    /* (Turning SO_REUSEPORT on is EOPNOTSUPP since Linux 6.13 and the
     * stable 6.1.124 and 6.12.9; earlier kernels accept it.) */
    CHECK_OK(seti(s, SO_REUSEPORT, 0));
    CHECK_RET(geti(s, SO_REUSEPORT), 0);
    CHECK_RET(geti(s, SO_SNDLOWAT), 1);
    CHECK_RET(geti(s, SO_RCVLOWAT), 1);

    /* Read-only and unknown options, other levels, lengths. */
    CHECK_ERR(seti(s, SO_TYPE, 1), ENOPROTOOPT);
    CHECK_ERR(seti(s, SO_ERROR, 1), ENOPROTOOPT);
    CHECK_ERR(seti(s, SO_PEERCRED, 1), ENOPROTOOPT);
    CHECK_ERR(seti(s, SO_ACCEPTCONN, 1), ENOPROTOOPT);
    CHECK_ERR(seti(s, 9999, 1), ENOPROTOOPT);
    CHECK_ERR(geti(s, 9999), ENOPROTOOPT);
    int v = 1;
    CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v), EOPNOTSUPP);
    socklen_t l = sizeof v;
    CHECK_ERR(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &l), EOPNOTSUPP);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 3), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, (socklen_t)-1), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, unix_bad_ptr, sizeof v), EFAULT);
    l = 2;
    v = 0x55555555;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
    CHECK_RET(l, 2);
    CHECK_RET(v, 0x55550000 | (6000 & 0xffff));
    l = 0;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
    CHECK_RET(l, 0);
    l = 100;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
    CHECK_RET(l, 4);
    l = (socklen_t)-1;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l), EINVAL);
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, unix_bad_ptr), EFAULT);
    l = sizeof v;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_SNDBUF, unix_bad_ptr, &l), EFAULT);

    /* SO_LINGER. */
    struct linger lg = {7, 7};
    l = sizeof lg;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
    CHECK(l == sizeof lg && lg.l_onoff == 0 && lg.l_linger == 0);
    lg.l_onoff = 1;
    lg.l_linger = 5;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
    CHECK(lg.l_onoff == 1 && lg.l_linger == 5);
    lg.l_onoff = 0;
    lg.l_linger = 9;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
    CHECK(lg.l_onoff == 0 && lg.l_linger == 5);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);

    /* Timeouts. */
    struct timeval tv = {3, 3};
    l = sizeof tv;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    CHECK(l == sizeof tv && tv.tv_sec == 0 && tv.tv_usec == 0);
    tv.tv_sec = 1;
    tv.tv_usec = 500000;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    tv.tv_sec = 0;
    tv.tv_usec = 200000;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    CHECK(tv.tv_sec == 1 && tv.tv_usec == 500000);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &l));
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 200000);
    tv.tv_usec = 1000000;
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    tv.tv_usec = -1;
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
    CHECK_OK(close(s));

    /* A negative timeout: the call does not wait at all. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    tv.tv_sec = -1;
    tv.tv_usec = 0;
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    double t0 = now();
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN);
    CHECK(now() - t0 < 0.5);
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
    /* A timeout: EAGAIN after it. */
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    t0 = now();
    CHECK_ERR(read(sv[0], buf, sizeof buf), EAGAIN);
    CHECK(now() - t0 >= 0.09);

    /* SO_RCVLOWAT: a read waits for that much, or returns what the
     * timeout leaves it. */
    CHECK_OK(seti(sv[0], SO_RCVLOWAT, 4));
    CHECK_RET(geti(sv[0], SO_RCVLOWAT), 4);
    CHECK_RET(write(sv[1], "ab", 2), 2);
    CHECK_RET(read(sv[0], buf, sizeof buf), 2); /* after the timeout */
    CHECK_RET(write(sv[1], "abcdef", 6), 6);
    CHECK_RET(read(sv[0], buf, sizeof buf), 6);
    CHECK_OK(seti(sv[0], SO_RCVLOWAT, 0));
    CHECK_RET(geti(sv[0], SO_RCVLOWAT), 1);
    CHECK_OK(seti(sv[0], SO_RCVLOWAT, -3));
    CHECK_RET(geti(sv[0], SO_RCVLOWAT), 0x7fffffff);

    /* SO_ERROR is 0 without an error; SO_PEERNAME refuses a longer
     * buffer than the address. */
    CHECK_RET(geti(sv[0], SO_ERROR), 0);
    struct sockaddr_un a;
    l = sizeof a;
    CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, SO_PEERNAME, &a, &l), EINVAL);
    l = 2;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERNAME, &a, &l));
    CHECK_RET(l, 2);
    CHECK_RET(a.sun_family, AF_UNIX);
    CHECK_OK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    l = 2;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_PEERNAME, &a, &l), ENOTCONN);
    CHECK_OK(close(s));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return check_status();
}
