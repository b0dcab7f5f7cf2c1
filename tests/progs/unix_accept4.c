/* accept4(2): SOCK_NONBLOCK and SOCK_CLOEXEC set the new descriptor's
 * flags (a non-blocking listener passes on nothing), other flags are
 * EINVAL (after EBADF, before ENOTSOCK); a non-blocking accept with nothing
 * pending is EAGAIN; the peer address is cut to the length given, the
 * full length reported; a negative length is EINVAL and a bad pointer
 * EFAULT (the connection is lost); SO_ACCEPTCONN tells a listener; the
 * descriptor limit is EMFILE before waiting. A blocking accept waits for
 * a connection, up to SO_RCVTIMEO. */
#include "unix_util.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

static struct sockaddr_un addr;
static socklen_t addrlen;

static void *connect_later(void *arg) {
    (void)arg;
    usleep(50000);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(fd, (struct sockaddr *)&addr, addrlen);
    return (void *)(long)fd;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
    int l, c, n, v;
    socklen_t vl = sizeof v;
    struct sockaddr_un b;
    socklen_t bl;
    char buf[4];

    addrlen = unix_path(&addr, "l");
    CHECK_OK(l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_RET(v, 0);
    CHECK_OK(bind(l, (struct sockaddr *)&addr, addrlen));
    CHECK_OK(listen(l, 8));
    CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_RET(v, 1);
    CHECK_ERR(accept4(l, NULL, NULL, 0x1), EINVAL);
    CHECK_ERR(accept4(-1, NULL, NULL, O_APPEND), EBADF);
    CHECK_ERR(accept4(0, NULL, NULL, O_APPEND), EINVAL);
    CHECK_ERR(accept4(l, NULL, NULL, 0), EAGAIN);
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);

    /* The client's end, bound so its name is long. */
    CHECK_OK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un ca;
    socklen_t cal = unix_path(&ca, "client-with-a-longer-name");
    CHECK_OK(bind(c, (struct sockaddr *)&ca, cal));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, addrlen));
    bl = 10;
    memset(&b, 'x', sizeof b);
    CHECK_OK(n = accept4(l, (struct sockaddr *)&b, &bl, 0));
    CHECK_RET(bl, cal);
    CHECK(memcmp(b.sun_path, ca.sun_path, 8) == 0 && b.sun_path[8] == 'x');
    CHECK_RET(fcntl(n, F_GETFL) & O_NONBLOCK, 0);
    CHECK_RET(fcntl(n, F_GETFD), 0);
    CHECK_OK(getsockopt(n, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    CHECK_RET(v, 0);
    CHECK_OK(close(n));
    CHECK_OK(close(c));

    CHECK_OK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, addrlen));
    CHECK_OK(n = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    CHECK_RET(fcntl(n, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    CHECK_RET(fcntl(n, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(read(n, buf, 1), EAGAIN);
    CHECK_OK(close(n));
    CHECK_OK(close(c));

    /* Bad address arguments: the connection is taken, then lost. */
    CHECK_OK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, addrlen));
    bl = (socklen_t)-1;
    CHECK_ERR(accept(l, (struct sockaddr *)&b, &bl), EINVAL);
    CHECK_RET(read(c, buf, 1), 0);
    CHECK_OK(close(c));
    CHECK_OK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, addrlen));
    CHECK_ERR(accept(l, (struct sockaddr *)&b, unix_bad_ptr), EFAULT);
    CHECK_RET(read(c, buf, 1), 0);
    CHECK_OK(close(c));
    /* A zero length: nothing copied, the length still reported. */
    CHECK_OK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, addrlen));
    bl = 0;
    CHECK_OK(n = accept(l, unix_bad_ptr, &bl));
    CHECK_RET(bl, sizeof(sa_family_t));
    CHECK_OK(close(n));
    CHECK_OK(close(c));

    /* Blocking: waits for a connection, or for SO_RCVTIMEO. */
    CHECK_OK(fcntl(l, F_SETFL, 0));
    pthread_t th;
    CHECK_OK(pthread_create(&th, NULL, connect_later, NULL));
    double t0 = now();
    CHECK_OK(n = accept(l, NULL, NULL));
    CHECK(now() - t0 >= 0.04);
    void *r;
    CHECK_OK(pthread_join(th, &r));
    CHECK_OK(close((int)(long)r));
    CHECK_OK(close(n));
    struct timeval tv = {0, 60000};
    CHECK_OK(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    t0 = now();
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
    CHECK(now() - t0 >= 0.05);

    /* No descriptor free: EMFILE at once, the connection stays pending. */
    CHECK_OK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&addr, addrlen));
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    struct rlimit low = {(rlim_t)c + 1, rl.rlim_max};
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &low));
    CHECK_ERR(accept(l, NULL, NULL), EMFILE);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    CHECK_OK(n = accept(l, NULL, NULL));
    CHECK_RET(write(c, "ok", 2), 2);
    CHECK_RET(read(n, buf, sizeof buf), 2);
    CHECK_OK(close(n));
    CHECK_OK(close(c));
    CHECK_OK(close(l));
    unix_cleanup();
    return check_status();
}
