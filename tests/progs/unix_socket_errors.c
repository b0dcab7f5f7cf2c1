/* socket(2) and socketpair(2) arguments, and what every socket call says
 * about descriptors that are not sockets: flags other than SOCK_NONBLOCK
 * and SOCK_CLOEXEC are EINVAL, a type past SOCK_MAX EINVAL, a family past
 * AF_MAX EAFNOSUPPORT, an AF_UNIX type it lacks ESOCKTNOSUPPORT, a
 * protocol other than 0 or PF_UNIX EPROTONOSUPPORT; SOCK_RAW is a datagram
 * socket; the flags show in F_GETFL and F_GETFD; fstat says S_IFSOCK with
 * mode 0777; a pipe is ENOTSOCK and a closed descriptor EBADF for each
 * call. */
#include "unix_util.h"
#include <fcntl.h>
#include <sys/uio.h>

static int sockopt(int fd, int name) {
    int v = -1;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, name, &v, &l) < 0)
        return -1;
    return v;
}

int main(void) {
    int s, sv[2];
    char buf[8];
    struct sockaddr_un a;
    socklen_t al = sizeof a;

    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
    CHECK_ERR(socket(AF_UNIX, 11, 0), EINVAL);
    CHECK_ERR(socket(AF_UNIX, 15, 0), EINVAL);
    CHECK_ERR(socket(46, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, SOCK_PACKET, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_DGRAM | 0x100000, 0, sv), EINVAL);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_RDM, 0, sv), ESOCKTNOSUPPORT);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, unix_bad_ptr), EFAULT);

    /* Other families have their own sockets (inet_*.c test them). */
    int in4, in6;
    CHECK_OK(in4 = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(in6 = socket(AF_INET6, SOCK_DGRAM, 0));
    CHECK_OK(close(in4));
    CHECK_OK(close(in6));

    /* Protocol PF_UNIX (1) is AF_UNIX's own; SO_PROTOCOL still says 0. */
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, PF_UNIX));
    CHECK_RET(sockopt(s, SO_PROTOCOL), 0);
    CHECK_RET(sockopt(s, SO_DOMAIN), AF_UNIX);
    CHECK_RET(sockopt(s, SO_TYPE), SOCK_STREAM);
    CHECK_RET(fcntl(s, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    CHECK_RET(fcntl(s, F_GETFD), 0);
    struct stat st;
    CHECK_OK(fstat(s, &st));
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_RET(st.st_mode & 07777, 0777);
    CHECK_RET(st.st_size, 0);
    CHECK_RET(st.st_nlink, 1);
    CHECK_RET(st.st_uid, geteuid());
    CHECK_OK(close(s));

    CHECK_OK(s = socket(AF_UNIX, SOCK_RAW, 0));
    CHECK_RET(sockopt(s, SO_TYPE), SOCK_DGRAM);
    CHECK_OK(close(s));

    CHECK_OK(s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    CHECK_RET(sockopt(s, SO_TYPE), SOCK_SEQPACKET);
    CHECK_RET(fcntl(s, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    CHECK_RET(fcntl(s, F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(s));

    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv));
    CHECK(sv[0] >= 0 && sv[1] > sv[0]);
    CHECK_RET(fcntl(sv[1], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_RET(sockopt(sv[1], SO_TYPE), SOCK_DGRAM);
    CHECK_ERR(recv(sv[0], buf, 1, 0), EAGAIN);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* Every call on a pipe: ENOTSOCK; on a closed descriptor: EBADF. */
    int p[2];
    CHECK_OK(pipe(p));
    struct msghdr m;
    memset(&m, 0, sizeof m);
    struct mmsghdr mm;
    memset(&mm, 0, sizeof mm);
    int one = 1;
    socklen_t ol = sizeof one;
    unix_path(&a, "x");
    CHECK_ERR(bind(p[0], (struct sockaddr *)&a, sizeof a), ENOTSOCK);
    CHECK_ERR(listen(p[0], 1), ENOTSOCK);
    CHECK_ERR(accept(p[0], NULL, NULL), ENOTSOCK);
    CHECK_ERR(accept4(p[0], NULL, NULL, 0), ENOTSOCK);
    CHECK_ERR(connect(p[0], (struct sockaddr *)&a, sizeof a), ENOTSOCK);
    CHECK_ERR(shutdown(p[0], SHUT_RD), ENOTSOCK);
    CHECK_ERR(getsockname(p[0], (struct sockaddr *)&a, &al), ENOTSOCK);
    CHECK_ERR(getpeername(p[0], (struct sockaddr *)&a, &al), ENOTSOCK);
    CHECK_ERR(setsockopt(p[0], SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), ENOTSOCK);
    CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &one, &ol), ENOTSOCK);
    CHECK_ERR(send(p[1], "x", 1, 0), ENOTSOCK);
    CHECK_ERR(recv(p[0], buf, 1, 0), ENOTSOCK);
    CHECK_ERR(sendto(p[1], "x", 1, 0, NULL, 0), ENOTSOCK);
    CHECK_ERR(recvfrom(p[0], buf, 1, 0, NULL, NULL), ENOTSOCK);
    CHECK_ERR(sendmsg(p[1], &m, 0), ENOTSOCK);
    CHECK_ERR(recvmsg(p[0], &m, 0), ENOTSOCK);
    CHECK_ERR(sendmmsg(p[1], &mm, 1, 0), ENOTSOCK);
    CHECK_ERR(recvmmsg(p[0], &mm, 1, 0, NULL), ENOTSOCK);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));
    CHECK_ERR(listen(p[0], 1), EBADF);
    CHECK_ERR(accept(p[0], NULL, NULL), EBADF);
    CHECK_ERR(connect(p[0], (struct sockaddr *)&a, sizeof a), EBADF);
    CHECK_ERR(shutdown(-1, SHUT_RD), EBADF);
    CHECK_ERR(getsockname(p[0], (struct sockaddr *)&a, &al), EBADF);
    CHECK_ERR(setsockopt(p[0], SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), EBADF);
    CHECK_ERR(send(p[1], "x", 1, 0), EBADF);
    CHECK_ERR(recvmsg(p[0], &m, 0), EBADF);
    CHECK_ERR(sendmmsg(p[1], &mm, 1, 0), EBADF);
    unix_cleanup();
    return check_status();
}
