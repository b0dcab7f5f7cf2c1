/* SCM_RIGHTS: descriptions sent over a socket are installed in the
 * receiver at its lowest free descriptors, shared with the sender's (the
 * same open file: offset and status flags); several descriptors in one
 * message or in several control messages. A control buffer too short
 * installs what fits and sets MSG_CTRUNC (the rest are closed), none at
 * all closes them all; MSG_CMSG_CLOEXEC sets FD_CLOEXEC (and comes back
 * in msg_flags); the receiver's descriptor limit also truncates. MSG_PEEK
 * installs copies. On a stream, descriptors ride with the first byte of
 * their write and a read stops after them. Bad input: a descriptor that
 * is not open EBADF, more than 253 EINVAL, a bad cmsg_len or an unknown
 * type EINVAL. */
#include "unix_util.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/uio.h>

/* Sends one byte with `n` descriptors in one SCM_RIGHTS message. */
static ssize_t send_fds(int s, const int *fds, int n, const char *byte) {
    char ctl[CMSG_SPACE(sizeof(int) * 256)];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = {(void *)byte, 1};
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    return sendmsg(s, &m, 0);
}

static char ctlbuf[1024];
static struct msghdr rm;
static char rbyte[8];

/* Receives with a control buffer of `ctllen` bytes; the result of recvmsg. */
static ssize_t recv_fds(int s, size_t ctllen, int flags) {
    static struct iovec iov;
    iov.iov_base = rbyte;
    iov.iov_len = sizeof rbyte;
    memset(&rm, 0, sizeof rm);
    memset(ctlbuf, 0xff, sizeof ctlbuf);
    rm.msg_iov = &iov;
    rm.msg_iovlen = 1;
    rm.msg_control = ctllen ? ctlbuf : NULL;
    rm.msg_controllen = ctllen;
    return recvmsg(s, &rm, flags);
}

/* The descriptors the last receive got, in *out; returns how many. */
static int got_fds(int *out) {
    struct cmsghdr *c = CMSG_FIRSTHDR(&rm);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        return 0;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    memcpy(out, CMSG_DATA(c), n * sizeof(int));
    return n;
}

static int is_open(int fd) {
    return fcntl(fd, F_GETFD) >= 0;
}

int main(void) {
    int sv[2], p[2], fds[300], got[300], n;
    char buf[16];

    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_OK(pipe(p));

    /* One descriptor, installed at the lowest free number, shared. */
    CHECK_RET(send_fds(sv[0], &p[1], 1, "a"), 1);
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, 0), 1);
    CHECK_RET(rm.msg_flags, 0);
    CHECK_RET(rm.msg_controllen, CMSG_SPACE(sizeof(int)));
    CHECK_RET(got_fds(got), 1);
    CHECK(got[0] > p[1]);
    CHECK_RET(fcntl(got[0], F_GETFD), 0);
    CHECK_RET(write(got[0], "via", 3), 3);
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    CHECK_OK(fcntl(got[0], F_SETFL, O_NONBLOCK));
    CHECK_RET(fcntl(p[1], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_OK(fcntl(p[1], F_SETFL, 0));
    CHECK_OK(close(got[0]));

    /* Several, in one message and in two. */
    for (int i = 0; i < 3; i++)
        fds[i] = p[i % 2];
    CHECK_RET(send_fds(sv[0], fds, 3, "b"), 1);
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, MSG_CMSG_CLOEXEC), 1);
    CHECK_RET(rm.msg_flags, MSG_CMSG_CLOEXEC);
    CHECK_RET(got_fds(got), 3);
    CHECK(got[1] == got[0] + 1 && got[2] == got[1] + 1);
    for (int i = 0; i < 3; i++) {
        CHECK_RET(fcntl(got[i], F_GETFD), FD_CLOEXEC);
        close(got[i]);
    }
    {
        char ctl[2 * CMSG_SPACE(sizeof(int))];
        memset(ctl, 0, sizeof ctl);
        struct iovec iov = {"c", 1};
        struct msghdr m = {0};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &p[0], sizeof(int));
        c = CMSG_NXTHDR(&m, c);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &p[1], sizeof(int));
        CHECK_RET(sendmsg(sv[0], &m, 0), 1);
    }
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, 0), 1);
    CHECK_RET(got_fds(got), 2); /* merged into one */
    close(got[0]);
    close(got[1]);

    /* A short control buffer: what fits, MSG_CTRUNC, the rest closed. */
    fds[0] = p[0];
    fds[1] = p[1];
    fds[2] = p[1];
    CHECK_RET(send_fds(sv[0], fds, 3, "d"), 1);
    CHECK_RET(recv_fds(sv[1], CMSG_LEN(sizeof(int) * 2), 0), 1);
    CHECK_RET(rm.msg_flags, MSG_CTRUNC);
    CHECK_RET(got_fds(got), 2);
    CHECK_RET(rm.msg_controllen, CMSG_LEN(sizeof(int) * 2));
    CHECK(is_open(got[0]) && is_open(got[1]) && !is_open(got[1] + 1));
    close(got[0]);
    close(got[1]);
    /* Room for the header alone: none installed. */
    CHECK_RET(send_fds(sv[0], fds, 1, "e"), 1);
    CHECK_RET(recv_fds(sv[1], CMSG_LEN(0), 0), 1);
    CHECK_RET(rm.msg_flags, MSG_CTRUNC);
    CHECK_RET(rm.msg_controllen, 0);
    /* No control buffer: all closed. The read end of a pipe sent this
     * way and closed here leaves its writer with EPIPE. */
    int q[2];
    CHECK_OK(pipe(q));
    CHECK_RET(send_fds(sv[0], &q[0], 1, "f"), 1);
    CHECK_OK(close(q[0]));
    CHECK_RET(recv_fds(sv[1], 0, 0), 1);
    CHECK_RET(rm.msg_flags, MSG_CTRUNC);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(write(q[1], "x", 1), EPIPE);
    CHECK_OK(close(q[1]));
    /* recv(2) has no control buffer either. */
    CHECK_RET(send_fds(sv[0], fds, 1, "g"), 1);
    CHECK_RET(recv(sv[1], buf, sizeof buf, 0), 1);

    /* MSG_PEEK installs copies; the real receive installs again. */
    CHECK_RET(send_fds(sv[0], &p[1], 1, "h"), 1);
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, MSG_PEEK), 1);
    CHECK_RET(got_fds(got), 1);
    int peeked = got[0];
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, 0), 1);
    CHECK_RET(got_fds(got), 1);
    CHECK(got[0] != peeked && is_open(peeked));
    close(peeked);
    close(got[0]);

    /* The receiver's descriptor limit truncates. */
    CHECK_RET(send_fds(sv[0], fds, 3, "i"), 1);
    struct rlimit rl, low;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    int lowest = dup(0);
    close(lowest);
    low.rlim_cur = lowest + 2;
    low.rlim_max = rl.rlim_max;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &low));
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, 0), 1);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    CHECK_RET(rm.msg_flags, MSG_CTRUNC);
    CHECK_RET(got_fds(got), 2);
    close(got[0]);
    close(got[1]);

    /* A socket can carry itself, and other sockets. */
    int other[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, other));
    CHECK_RET(send_fds(sv[0], &other[0], 1, "j"), 1);
    CHECK_OK(close(other[0]));
    CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, 0), 1);
    CHECK_RET(got_fds(got), 1);
    CHECK_RET(write(got[0], "through", 7), 7);
    CHECK_RET(read(other[1], buf, sizeof buf), 7);
    close(got[0]);
    CHECK_RET(read(other[1], buf, sizeof buf), 0);
    close(other[1]);

    /* Streams: descriptors go with the first byte of their write, and a
     * read stops after the bytes that carried them. */
    int ss[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, ss));
    CHECK_RET(write(ss[0], "12", 2), 2);
    CHECK_RET(send_fds(ss[0], &p[1], 1, "3"), 1);
    CHECK_RET(write(ss[0], "45", 2), 2);
    CHECK_RET(recv_fds(ss[1], sizeof ctlbuf, 0), 3);
    CHECK_RET(got_fds(got), 1);
    close(got[0]);
    CHECK_RET(recv_fds(ss[1], sizeof ctlbuf, 0), 2);
    CHECK_RET(got_fds(got), 0);
    CHECK_RET(rm.msg_controllen, 0);
    close(ss[0]);
    close(ss[1]);

    /* Bad input. */
    n = 99;
    CHECK_ERR(send_fds(sv[0], &n, 1, "x"), EBADF);
    n = -1;
    CHECK_ERR(send_fds(sv[0], &n, 1, "x"), EBADF);
    for (int i = 0; i < 254; i++)
        fds[i] = p[0];
    CHECK_RET(send_fds(sv[0], fds, 253, "k"), 1);
    CHECK_RET(recv(sv[1], buf, 1, 0), 1);
    CHECK_ERR(send_fds(sv[0], fds, 254, "x"), EINVAL);
    {
        char ctl[CMSG_SPACE(sizeof(int))];
        memset(ctl, 0, sizeof ctl);
        struct iovec iov = {"x", 1};
        struct msghdr m = {0};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = (struct cmsghdr *)ctl;
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = sizeof ctl + 1;
        CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
        c->cmsg_len = sizeof(struct cmsghdr) - 1;
        CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
        c->cmsg_len = CMSG_LEN(sizeof(int));
        c->cmsg_type = 99;
        CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
        /* Other levels are not looked at. */
        c->cmsg_level = 12345;
        CHECK_RET(sendmsg(sv[0], &m, 0), 1);
        CHECK_RET(recv(sv[1], buf, 1, 0), 1);
        /* A header and no descriptors: nothing to pass. */
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(0);
        CHECK_RET(sendmsg(sv[0], &m, 0), 1);
        CHECK_RET(recv_fds(sv[1], sizeof ctlbuf, 0), 1);
        CHECK_RET(rm.msg_controllen, 0);
        /* Too short for a header: ignored. */
        m.msg_controllen = sizeof(struct cmsghdr) - 1;
        c->cmsg_type = 99;
        CHECK_RET(sendmsg(sv[0], &m, 0), 1);
        CHECK_RET(recv(sv[1], buf, 1, 0), 1);
        m.msg_control = unix_bad_ptr;
        m.msg_controllen = sizeof ctl;
        CHECK_ERR(sendmsg(sv[0], &m, 0), EFAULT);
    }
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
    return check_status();
}
