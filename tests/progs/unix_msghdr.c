/* sendmsg and recvmsg arguments: a bad msghdr pointer is EFAULT, more
 * than 1024 iovecs EMSGSIZE, a negative iov_len EINVAL, a negative
 * msg_namelen EINVAL (a long one is cut to 128, then refused as an
 * address); a huge msg_controllen ENOBUFS; MSG_CMSG_COMPAT EINVAL; an
 * address on a stream is EISCONN when connected, EOPNOTSUPP when not;
 * MSG_OOB is EOPNOTSUPP to a datagram socket and EINVAL to a stream
 * read. recvmsg writes back msg_namelen (untouched without msg_name,
 * the full length when the buffer is short), msg_controllen and
 * msg_flags; iovecs scatter a datagram. sendto and recvfrom check their
 * buffer before the descriptor. */
#include "unix_util.h"
#include <sys/uio.h>

int main(void) {
    int sv[2], st[2];
    char buf[64], a1[3], a2[10];
    struct msghdr m;
    struct iovec iov[2];
    struct sockaddr_un a, from;
    socklen_t al = unix_abstract(&a, "msghdr");

    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, st));
    CHECK_OK(bind(sv[0], (struct sockaddr *)&a, al));

    CHECK_ERR(sendmsg(sv[0], unix_bad_ptr, 0), EFAULT);
    CHECK_ERR(recvmsg(sv[1], unix_bad_ptr, MSG_DONTWAIT), EFAULT);
    memset(&m, 0, sizeof m);
    iov[0].iov_base = "scattered";
    iov[0].iov_len = 9;
    m.msg_iov = iov;
    m.msg_iovlen = 1025;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EMSGSIZE);
    CHECK_ERR(recvmsg(sv[1], &m, 0), EMSGSIZE);
    m.msg_iovlen = 1;
    iov[0].iov_len = (size_t)-1;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    iov[0].iov_len = 9;
    m.msg_iov = unix_bad_ptr;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EFAULT);
    m.msg_iov = iov;
    m.msg_name = &a;
    m.msg_namelen = -1;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    m.msg_namelen = 1000;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    m.msg_name = NULL;
    m.msg_namelen = 1000; /* no name: the length does not matter */
    m.msg_control = buf;
    m.msg_controllen = 1UL << 40;
    CHECK_ERR(sendmsg(sv[0], &m, 0), ENOBUFS);
    m.msg_controllen = 0;
    CHECK_ERR(sendmsg(sv[0], &m, 0x80000000), EINVAL);
    CHECK_ERR(sendmsg(sv[0], &m, MSG_OOB), EOPNOTSUPP);
    CHECK_RET(sendmsg(sv[0], &m, 0), 9);

    /* recvmsg: scatter, name, lengths and flags written back. */
    memset(&m, 0, sizeof m);
    iov[0].iov_base = a1;
    iov[0].iov_len = sizeof a1;
    iov[1].iov_base = a2;
    iov[1].iov_len = sizeof a2;
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    m.msg_name = &from;
    m.msg_namelen = 4;
    m.msg_control = buf;
    m.msg_controllen = sizeof buf;
    m.msg_flags = -1;
    CHECK_ERR(recvmsg(sv[1], &m, MSG_OOB), EOPNOTSUPP);
    CHECK_ERR(recvmsg(sv[1], &m, 0x80000000), EINVAL);
    CHECK_RET(recvmsg(sv[1], &m, 0), 9);
    CHECK(memcmp(a1, "sca", 3) == 0 && memcmp(a2, "ttered", 6) == 0);
    CHECK_RET(m.msg_namelen, al);
    CHECK_RET(m.msg_controllen, 0);
    CHECK_RET(m.msg_flags, 0);
    /* Without a name buffer, msg_namelen is left alone. */
    CHECK_RET(send(sv[0], "n", 1, 0), 1);
    m.msg_name = NULL;
    m.msg_namelen = 77;
    CHECK_RET(recvmsg(sv[1], &m, 0), 1);
    CHECK_RET(m.msg_namelen, 77);
    /* A negative msg_namelen with a buffer. */
    m.msg_name = &from;
    m.msg_namelen = -1;
    CHECK_ERR(recvmsg(sv[1], &m, MSG_DONTWAIT), EINVAL);

    /* sendto/recvfrom: the buffer is checked first. */
    CHECK_ERR(sendto(-1, (void *)-4096L, 10, 0, NULL, 0), EFAULT);
    CHECK_ERR(recvfrom(-1, (void *)-4096L, 10, 0, NULL, NULL), EFAULT);
    CHECK_ERR(sendto(-1, buf, 10, 0, NULL, 0), EBADF);
    CHECK_ERR(sendto(sv[0], buf, 1, 0, (struct sockaddr *)&a, (socklen_t)-1), EINVAL);
    /* A datagram that does not fit a bad buffer is lost with EFAULT. */
    CHECK_RET(send(sv[0], "lost", 4, 0), 4);
    CHECK_ERR(recv(sv[1], unix_bad_ptr, 4, 0), EFAULT);
    CHECK_ERR(recv(sv[1], buf, 4, MSG_DONTWAIT), EAGAIN);

    /* Streams and addresses, streams and MSG_OOB. */
    CHECK_ERR(sendto(st[0], "x", 1, 0, (struct sockaddr *)&a, al), EISCONN);
    int u;
    CHECK_OK(u = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), EOPNOTSUPP);
    CHECK_ERR(send(u, "x", 1, 0), ENOTCONN);
    CHECK_ERR(recv(u, buf, 1, MSG_OOB), EINVAL);
    CHECK_ERR(recv(st[0], buf, 1, MSG_OOB), EINVAL);
    CHECK_OK(close(u));
    /* A stream read with a bad buffer keeps the bytes. */
    CHECK_RET(write(st[0], "kept", 4), 4);
    CHECK_ERR(read(st[1], unix_bad_ptr, 4), EFAULT);
    CHECK_RET(read(st[1], buf, sizeof buf), 4);
    /* A stream write from a partly bad buffer sends what it could. */
    CHECK_ERR(write(st[0], unix_bad_ptr, 4), EFAULT);
    CHECK_OK(close(st[0]));
    CHECK_OK(close(st[1]));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return check_status();
}
