/* Connecting to path sockets: the client's peer name is the listener's
 * path, the accepted socket's name is the listener's too, its peer name
 * the client's (unnamed: the family alone); connect to a missing path is
 * ENOENT, to a node that is not a socket (or a socket node nobody is
 * bound to) ECONNREFUSED, to a socket that is not listening ECONNREFUSED,
 * to a socket of another type EPROTOTYPE, from a connected socket EISCONN
 * and from a listening one EINVAL. listen needs a bound stream or
 * seqpacket socket; accept needs a listening one. Unlinking the path
 * keeps the connections, and new connects fail. */
#include "unix_util.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

int main(void) {
    struct sockaddr_un a, b, c;
    socklen_t al, bl, cl;
    int l, s, t, d;
    char buf[16];

    al = unix_path(&a, "listener");
    CHECK_OK(l = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(listen(l, 5), EINVAL); /* unbound */
    CHECK_ERR(accept(l, NULL, NULL), EINVAL);
    CHECK_OK(bind(l, (struct sockaddr *)&a, al));
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, al), ECONNREFUSED); /* not listening */
    CHECK_OK(listen(l, 5));
    CHECK_OK(listen(l, 7)); /* again: a new backlog */
    CHECK_ERR(connect(l, (struct sockaddr *)&a, al), EINVAL);

    CHECK_OK(connect(s, (struct sockaddr *)&a, al));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, al), EISCONN);
    CHECK_ERR(listen(s, 1), EINVAL);
    CHECK_ERR(accept(s, NULL, NULL), EINVAL);
    bl = sizeof b;
    CHECK_OK(getpeername(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);
    CHECK(strcmp(b.sun_path, a.sun_path) == 0);
    bl = sizeof b;
    CHECK_OK(getsockname(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, sizeof(sa_family_t));

    bl = sizeof b;
    memset(&b, 'x', sizeof b);
    CHECK_OK(t = accept(l, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, sizeof(sa_family_t));
    CHECK_RET(b.sun_family, AF_UNIX);
    cl = sizeof c;
    CHECK_OK(getsockname(t, (struct sockaddr *)&c, &cl));
    CHECK_RET(cl, al);
    CHECK(strcmp(c.sun_path, a.sun_path) == 0);
    cl = sizeof c;
    CHECK_OK(getpeername(t, (struct sockaddr *)&c, &cl));
    CHECK_RET(cl, sizeof(sa_family_t));

    /* Data both ways; recvfrom names the listener's path as the sender. */
    CHECK_RET(write(s, "ping", 4), 4);
    CHECK_RET(read(t, buf, sizeof buf), 4);
    CHECK_RET(write(t, "pong", 4), 4);
    cl = sizeof c;
    CHECK_RET(recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&c, &cl), 4);
    CHECK_RET(cl, al);
    CHECK(strcmp(c.sun_path, a.sun_path) == 0);

    /* A bound client: the accepted side sees its name. */
    CHECK_OK(d = socket(AF_UNIX, SOCK_STREAM, 0));
    bl = unix_path(&b, "client");
    CHECK_OK(bind(d, (struct sockaddr *)&b, bl));
    CHECK_OK(connect(d, (struct sockaddr *)&a, al));
    cl = sizeof c;
    int u;
    CHECK_OK(u = accept(l, (struct sockaddr *)&c, &cl));
    CHECK_RET(cl, bl);
    CHECK(strcmp(c.sun_path, b.sun_path) == 0);
    CHECK_RET(write(d, "hi", 2), 2);
    cl = sizeof c;
    CHECK_RET(recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&c, &cl), 2);
    CHECK_RET(cl, bl);
    CHECK_OK(close(d));
    CHECK_OK(close(u));

    /* Unlinked: connections live on, the name leads nowhere. */
    CHECK_OK(unlink(a.sun_path));
    CHECK_RET(write(s, "still", 5), 5);
    CHECK_RET(read(t, buf, sizeof buf), 5);
    CHECK_OK(d = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(d, (struct sockaddr *)&a, al), ENOENT);
    bl = sizeof b;
    CHECK_OK(getsockname(l, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);

    /* A socket node nobody is bound to, and other files. */
    CHECK_OK(mknod(a.sun_path, S_IFSOCK | 0600, 0));
    CHECK_ERR(connect(d, (struct sockaddr *)&a, al), ECONNREFUSED);
    CHECK_OK(unlink(a.sun_path));
    CHECK_OK(t = open(a.sun_path, O_CREAT | O_WRONLY, 0600));
    CHECK_ERR(connect(d, (struct sockaddr *)&a, al), ECONNREFUSED);
    CHECK_OK(close(t));
    CHECK_OK(unlink(a.sun_path));
    CHECK_OK(mkdir(a.sun_path, 0700));
    CHECK_ERR(connect(d, (struct sockaddr *)&a, al), ECONNREFUSED);
    CHECK_OK(rmdir(a.sun_path));
    cl = unix_path(&c, "nodir/x");
    CHECK_ERR(connect(d, (struct sockaddr *)&c, cl), ENOENT);
    CHECK_ERR(connect(d, (struct sockaddr *)&c, 2), EINVAL);
    CHECK_ERR(connect(d, (struct sockaddr *)&c, 0), EINVAL);
    CHECK_ERR(connect(d, (struct sockaddr *)&c, sizeof c + 1), EINVAL);
    c.sun_family = AF_UNSPEC;
    CHECK_ERR(connect(d, (struct sockaddr *)&c, cl), EINVAL);
    CHECK_ERR(connect(d, unix_bad_ptr, cl), EFAULT);

    /* A symlink to the socket leads to it. */
    CHECK_OK(close(l));
    CHECK_OK(l = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, al));
    CHECK_OK(listen(l, 1));
    cl = unix_path(&c, "link");
    CHECK_OK(symlink(a.sun_path, c.sun_path));
    CHECK_OK(connect(d, (struct sockaddr *)&c, cl));
    CHECK_OK(u = accept(l, NULL, NULL));
    CHECK_OK(close(u));
    CHECK_OK(close(d));

    /* Types must match: a datagram socket's path is EPROTOTYPE to a
     * stream socket, and the other way round. */
    CHECK_OK(d = socket(AF_UNIX, SOCK_DGRAM, 0));
    bl = unix_path(&b, "dgram");
    CHECK_OK(bind(d, (struct sockaddr *)&b, bl));
    CHECK_OK(t = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(t, (struct sockaddr *)&b, bl), EPROTOTYPE);
    CHECK_OK(u = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_ERR(connect(u, (struct sockaddr *)&a, al), EPROTOTYPE);
    CHECK_OK(close(u));
    CHECK_OK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(connect(u, (struct sockaddr *)&a, al), EPROTOTYPE);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), EPROTOTYPE);
    CHECK_ERR(listen(d, 1), EOPNOTSUPP);
    CHECK_ERR(accept(d, NULL, NULL), EOPNOTSUPP);

    /* Write permission on the node is needed to connect. */
    CHECK_OK(chmod(unix_tmpdir(), 0711));
    CHECK_OK(chmod(a.sun_path, 0755));
    if (fork() == 0) {
        /* Unprivileged, the mode matters. */
        if (setgid(65534) || setuid(65534))
            _exit(3);
        int x = socket(AF_UNIX, SOCK_STREAM, 0);
        int r = connect(x, (struct sockaddr *)&a, al);
        _exit(r == -1 && errno == EACCES ? 0 : 1);
    }
    int status;
    CHECK_OK(wait(&status));
    CHECK_RET(status, 0);
    CHECK_OK(close(s));
    CHECK_OK(close(l));
    CHECK_OK(close(d));
    CHECK_OK(close(t));
    CHECK_OK(close(u));
    unix_cleanup();
    return check_status();
}
