/* A stream socketpair: bytes flow both ways with no boundaries (reads
 * glue writes, readv/writev scatter and gather), FIONREAD counts them,
 * MSG_PEEK leaves them queued; both ends are unnamed (getsockname and
 * getpeername say the family alone). After the peer closes: queued
 * bytes, then end of input; a write is EPIPE with SIGPIPE (not with
 * MSG_NOSIGNAL, not when ignored). A peer that closes with bytes unread
 * leaves ECONNRESET, reported once (SO_ERROR or the next read), then end
 * of input. read(2) of nothing is 0 at once, recv(2) of nothing waits
 * for data. */
#include "unix_util.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

static volatile sig_atomic_t pipes;
static void on_pipe(int sig) {
    (void)sig;
    pipes++;
}

int main(void) {
    int sv[2], n;
    char buf[64];
    struct sockaddr_un a;
    socklen_t al;

    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_RET(write(sv[0], "hello", 5), 5);
    CHECK_RET(write(sv[0], " world", 6), 6);
    CHECK_OK(ioctl(sv[1], FIONREAD, &n));
    CHECK_RET(n, 11);
    CHECK_RET(read(sv[1], buf, 3), 3);
    CHECK(memcmp(buf, "hel", 3) == 0);
    CHECK_RET(read(sv[1], buf, sizeof buf), 8);
    CHECK(memcmp(buf, "lo world", 8) == 0);
    CHECK_RET(send(sv[1], "back", 4, 0), 4);
    CHECK_RET(recv(sv[0], buf, sizeof buf, 0), 4);
    CHECK(memcmp(buf, "back", 4) == 0);

    /* MSG_PEEK reads across writes and leaves the bytes. */
    CHECK_RET(write(sv[0], "pe", 2), 2);
    CHECK_RET(write(sv[0], "ek", 2), 2);
    CHECK_RET(recv(sv[1], buf, sizeof buf, MSG_PEEK), 4);
    CHECK_RET(recv(sv[1], buf, 3, MSG_PEEK), 3);
    CHECK_RET(recv(sv[1], buf, sizeof buf, MSG_TRUNC), 4); /* no meaning on streams */
    CHECK(memcmp(buf, "peek", 4) == 0);

    struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
    CHECK_RET(writev(sv[0], out, 3), 6);
    char x[2], y[10];
    struct iovec in[2] = {{x, 2}, {y, sizeof y}};
    CHECK_RET(readv(sv[1], in, 2), 6);
    CHECK(memcmp(x, "ab", 2) == 0 && memcmp(y, "cdef", 4) == 0);

    /* Unnamed, both ways. */
    al = sizeof a;
    CHECK_OK(getsockname(sv[0], (struct sockaddr *)&a, &al));
    CHECK_RET(al, sizeof(sa_family_t));
    CHECK_RET(a.sun_family, AF_UNIX);
    al = sizeof a;
    CHECK_OK(getpeername(sv[0], (struct sockaddr *)&a, &al));
    CHECK_RET(al, sizeof(sa_family_t));
    /* recvfrom reports no address for an unnamed sender. */
    CHECK_RET(write(sv[1], "z", 1), 1);
    al = sizeof a;
    CHECK_RET(recvfrom(sv[0], buf, sizeof buf, 0, (struct sockaddr *)&a, &al), 1);
    CHECK_RET(al, 0);

    /* Reading nothing: read(2) returns at once, recv(2) waits. */
    CHECK_RET(read(sv[0], buf, 0), 0);
    CHECK_OK(fcntl(sv[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(recv(sv[0], buf, 0, 0), EAGAIN);
    CHECK_ERR(read(sv[0], buf, 1), EAGAIN);
    CHECK_RET(write(sv[1], "q", 1), 1);
    CHECK_RET(recv(sv[0], buf, 0, 0), 0);
    CHECK_RET(read(sv[0], buf, 5), 1);
    CHECK_ERR(recv(sv[0], buf, 1, MSG_DONTWAIT), EAGAIN);

    /* The peer closes: queued bytes, then end of input, then EPIPE. */
    CHECK_RET(write(sv[1], "last", 4), 4);
    CHECK_OK(close(sv[1]));
    CHECK_RET(read(sv[0], buf, sizeof buf), 4);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    signal(SIGPIPE, on_pipe);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_RET(pipes, 1);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_RET(pipes, 1);
    CHECK_ERR(write(sv[0], "", 0), EPIPE);
    CHECK_RET(pipes, 2);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_RET(pipes, 2);
    int err = -1;
    socklen_t el = sizeof err;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_RET(err, 0);
    /* The peer pointer stays: getpeername still works. */
    al = sizeof a;
    CHECK_OK(getpeername(sv[0], (struct sockaddr *)&a, &al));
    CHECK_OK(close(sv[0]));

    /* Closing with unread bytes resets the peer, once. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_RET(write(sv[0], "unread", 6), 6);
    CHECK_OK(close(sv[1]));
    CHECK_ERR(read(sv[0], buf, sizeof buf), ECONNRESET);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_OK(close(sv[0]));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_RET(write(sv[0], "unread", 6), 6);
    CHECK_OK(close(sv[1]));
    el = sizeof err;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_RET(err, ECONNRESET);
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &el));
    CHECK_RET(err, 0);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_OK(close(sv[0]));

    /* Bytes queued before the reset are still read first. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_RET(write(sv[0], "to1", 3), 3);
    CHECK_RET(write(sv[1], "to0", 3), 3);
    CHECK_OK(close(sv[1]));
    CHECK_RET(read(sv[0], buf, sizeof buf), 3);
    CHECK_ERR(read(sv[0], buf, sizeof buf), ECONNRESET);
    CHECK_RET(read(sv[0], buf, sizeof buf), 0);
    CHECK_OK(close(sv[0]));
    return check_status();
}
