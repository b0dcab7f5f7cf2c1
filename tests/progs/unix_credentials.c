/* Credentials. SO_PEERCRED: a socketpair's peer is its creator, a
 * connected client's peer the task that called listen, an accepted
 * socket's peer the task that connected; unconnected it is pid 0 and ids
 * -1. SCM_CREDENTIALS, with SO_PASSCRED on the receiver: every message
 * carries the sender's pid, uid and gid (a message sent before SO_PASSCRED
 * was on carries pid 0 and the overflow ids); a sender may state its own,
 * root may state another live process's, an unprivileged sender EPERM;
 * a dead pid is ESRCH, a -1 id EINVAL, a wrong length EINVAL. Stream
 * reads never glue bytes from different senders. Without a control
 * buffer the credentials are lost with MSG_CTRUNC. */
#include "unix_util.h"
#include <sys/uio.h>
#include <sys/wait.h>

static struct ucred peercred(int fd) {
    struct ucred c;
    socklen_t l = sizeof c;
    memset(&c, 0x55, sizeof c);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &l) < 0 || l != sizeof c)
        c.pid = -99;
    return c;
}

static ssize_t send_creds(int s, const char *data, size_t len, pid_t pid, uid_t uid, gid_t gid) {
    char ctl[CMSG_SPACE(sizeof(struct ucred))];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = {(void *)data, len};
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred u = {pid, uid, gid};
    memcpy(CMSG_DATA(c), &u, sizeof u);
    return sendmsg(s, &m, 0);
}

static struct ucred rcred;
static int rflags;

/* Receives into buf; the credentials that came land in rcred (pid -1 if
 * none). */
static ssize_t recv_creds(int s, char *buf, size_t len, size_t ctllen) {
    char ctl[256];
    struct iovec iov = {buf, len};
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctllen ? ctl : NULL;
    m.msg_controllen = ctllen;
    ssize_t r = recvmsg(s, &m, 0);
    rcred.pid = -1;
    rflags = m.msg_flags;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (r >= 0 && c && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof rcred))
        memcpy(&rcred, CMSG_DATA(c), sizeof rcred);
    return r;
}

int main(void) {
    int sv[2], one = 1, status;
    char buf[32];
    struct ucred c;
    pid_t me = getpid();

    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    c = peercred(sv[0]);
    CHECK(c.pid == me && c.uid == geteuid() && c.gid == getegid());
    socklen_t l = 4;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &c, &l));
    CHECK_RET(l, 4);
    int s;
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    c = peercred(s);
    CHECK(c.pid == 0 && c.uid == (uid_t)-1 && c.gid == (gid_t)-1);

    /* A listener's credentials are its listen(2) caller's. */
    struct sockaddr_un a;
    socklen_t al = unix_abstract(&a, "creds");
    int lfd;
    CHECK_OK(lfd = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(lfd, (struct sockaddr *)&a, al));
    pid_t child = fork();
    if (child == 0) {
        listen(lfd, 4);
        _exit(0);
    }
    CHECK_OK(waitpid(child, &status, 0));
    CHECK_OK(connect(s, (struct sockaddr *)&a, al));
    c = peercred(s);
    CHECK(c.pid == child);
    c = peercred(lfd);
    CHECK(c.pid == child);
    child = fork();
    if (child == 0) {
        int x = socket(AF_UNIX, SOCK_STREAM, 0);
        connect(x, (struct sockaddr *)&a, al);
        _exit(0);
    }
    CHECK_OK(waitpid(child, &status, 0));
    int t;
    CHECK_OK(t = accept(lfd, NULL, NULL)); /* s's */
    c = peercred(t);
    CHECK(c.pid == me);
    CHECK_OK(close(t));
    CHECK_OK(t = accept(lfd, NULL, NULL)); /* the child's */
    c = peercred(t);
    CHECK(c.pid == child);
    CHECK_OK(close(t));
    CHECK_OK(close(s));

    /* SO_PASSCRED. */
    int v = -1;
    l = sizeof v;
    CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l));
    CHECK_RET(v, 0);
    CHECK_RET(write(sv[0], "early", 5), 5);
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l));
    CHECK_RET(v, 1);
    CHECK_RET(write(sv[0], "later", 5), 5);
    /* Sent before: no credentials; never glued to what came after. */
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 5);
    CHECK(rcred.pid == 0 && rcred.uid == 65534 && rcred.gid == 65534);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 5);
    CHECK(rcred.pid == me && rcred.uid == getuid() && rcred.gid == getgid());
    /* Stated credentials. */
    CHECK_RET(send_creds(sv[0], "own", 3, me, getuid(), getgid()), 3);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 3);
    CHECK(rcred.pid == me && rcred.uid == getuid());
    CHECK_RET(send_creds(sv[0], "root", 4, 1, 1234, 5678), 4);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 4);
    CHECK(rcred.pid == 1 && rcred.uid == 1234 && rcred.gid == 5678);
    CHECK_ERR(send_creds(sv[0], "x", 1, child, 0, 0), ESRCH);
    CHECK_ERR(send_creds(sv[0], "x", 1, me, (uid_t)-1, 0), EINVAL);
    CHECK_ERR(send_creds(sv[0], "x", 1, me, 0, (gid_t)-1), EINVAL);
    /* Different senders are not glued: a child writes too. */
    CHECK_RET(write(sv[0], "parent", 6), 6);
    child = fork();
    if (child == 0) {
        write(sv[0], "child", 5);
        _exit(0);
    }
    CHECK_OK(waitpid(child, &status, 0));
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 6);
    CHECK(rcred.pid == me);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 5);
    CHECK(rcred.pid == child);
    /* No room for them: MSG_CTRUNC. */
    CHECK_RET(write(sv[0], "x", 1), 1);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 0), 1);
    CHECK_RET(rflags, MSG_CTRUNC);
    CHECK_RET(write(sv[0], "x", 1), 1);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, CMSG_LEN(4)), 1);
    CHECK_RET(rflags, MSG_CTRUNC);

    /* Unprivileged senders state only themselves. */
    child = fork();
    if (child == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(10);
        if (send_creds(sv[0], "x", 1, getpid(), 0, 65534) != -1 || errno != EPERM)
            _exit(11);
        if (send_creds(sv[0], "x", 1, getpid(), 65534, 0) != -1 || errno != EPERM)
            _exit(12);
        if (send_creds(sv[0], "x", 1, getppid(), 65534, 65534) != -1 || errno != EPERM)
            _exit(13);
        if (send_creds(sv[0], "ok", 2, getpid(), 65534, 65534) != 2)
            _exit(14);
        _exit(0);
    }
    CHECK_OK(waitpid(child, &status, 0));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_RET(recv_creds(sv[1], buf, sizeof buf, 256), 2);
    CHECK(rcred.pid == child && rcred.uid == 65534 && rcred.gid == 65534);

    /* A wrong length. */
    {
        char ctl[CMSG_SPACE(sizeof(struct ucred) + 4)];
        memset(ctl, 0, sizeof ctl);
        struct iovec iov = {"x", 1};
        struct msghdr m = {0};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_CREDENTIALS;
        cm->cmsg_len = CMSG_LEN(sizeof(struct ucred) + 4);
        struct ucred u = {me, getuid(), getgid()};
        memcpy(CMSG_DATA(cm), &u, sizeof u);
        CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    }

    /* Datagrams: the same, and the sender without SO_PASSCRED too. */
    int dv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    CHECK_OK(setsockopt(dv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    CHECK_RET(send(dv[0], "d", 1, 0), 1);
    CHECK_RET(recv_creds(dv[1], buf, sizeof buf, 256), 1);
    CHECK(rcred.pid == me && rcred.uid == getuid());
    /* The receiver without SO_PASSCRED gets none. */
    CHECK_RET(send_creds(dv[1], "d", 1, me, getuid(), getgid()), 1);
    CHECK_RET(recv_creds(dv[0], buf, sizeof buf, 256), 1);
    CHECK_RET(rcred.pid, -1);
    CHECK_RET(rflags, 0);
    close(dv[0]);
    close(dv[1]);
    close(sv[0]);
    close(sv[1]);
    close(lfd);
    return check_status();
}
