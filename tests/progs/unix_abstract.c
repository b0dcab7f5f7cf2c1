/* Abstract names (a leading NUL): every byte of the length counts, NULs
 * included, and getsockname gives them back exactly; a name is taken
 * once per socket type (EADDRINUSE), and free again when its socket
 * closes; connecting to an unbound name, or to one bound by a socket of
 * another type, is ECONNREFUSED. Autobind (bind with the family alone)
 * picks "\0" and five hex digits; a bound socket keeps its name;
 * SO_PASSCRED makes connect and sendto autobind. */
#include "unix_util.h"
#include <ctype.h>

static int autobound(int fd) {
    struct sockaddr_un a;
    socklen_t l = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &l) < 0)
        return 0;
    if (l != offsetof(struct sockaddr_un, sun_path) + 6 || a.sun_path[0] != 0)
        return 0;
    for (int i = 1; i < 6; i++)
        if (!isxdigit((unsigned char)a.sun_path[i]) || isupper((unsigned char)a.sun_path[i]))
            return 0;
    return 1;
}

int main(void) {
    struct sockaddr_un a, b;
    socklen_t al, bl;
    int s, t, u, d;
    char buf[16];

    al = unix_abstract(&a, "abstract");
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(bind(s, (struct sockaddr *)&a, al));
    bl = sizeof b;
    memset(&b, 'x', sizeof b);
    CHECK_OK(getsockname(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);
    CHECK(memcmp(&a, &b, al) == 0);
    CHECK_OK(listen(s, 4));

    /* Taken for streams, free for datagrams and seqpackets. */
    CHECK_OK(t = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(bind(t, (struct sockaddr *)&a, al), EADDRINUSE);
    CHECK_OK(d = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(d, (struct sockaddr *)&a, al));
    CHECK_OK(u = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_OK(bind(u, (struct sockaddr *)&a, al));
    CHECK_OK(close(u));

    /* One byte more (a trailing NUL) is another name. */
    CHECK_ERR(connect(t, (struct sockaddr *)&a, al + 1), ECONNREFUSED);
    CHECK_ERR(connect(t, (struct sockaddr *)&a, al - 1), ECONNREFUSED);
    CHECK_OK(connect(t, (struct sockaddr *)&a, al));
    CHECK_OK(u = accept(s, NULL, NULL));
    CHECK_RET(write(t, "abc", 3), 3);
    CHECK_RET(read(u, buf, sizeof buf), 3);
    bl = sizeof b;
    CHECK_OK(getpeername(t, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);
    CHECK(memcmp(&a, &b, al) == 0);
    CHECK_OK(close(u));
    CHECK_OK(close(t));

    /* A seqpacket socket finds no seqpacket listener under the name. */
    CHECK_OK(u = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_ERR(connect(u, (struct sockaddr *)&a, al), ECONNREFUSED);
    CHECK_OK(close(u));

    /* NULs inside the name are part of it. */
    memset(&b, 0, sizeof b);
    b.sun_family = AF_UNIX;
    /* The pid keeps it apart from a native run of this program beside us. */
    int inside = 8 + snprintf(b.sun_path + 8, sizeof b.sun_path - 8, ".%d", (int)getpid());
    memcpy(b.sun_path, "\0in\0side", 8);
    bl = offsetof(struct sockaddr_un, sun_path) + inside;
    CHECK_OK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(u, (struct sockaddr *)&b, bl));
    struct sockaddr_un c;
    socklen_t cl = sizeof c;
    CHECK_OK(getsockname(u, (struct sockaddr *)&c, &cl));
    CHECK_RET(cl, bl);
    CHECK(memcmp(c.sun_path, b.sun_path, inside) == 0);
    CHECK_RET(sendto(d, "n", 1, 0, (struct sockaddr *)&b, bl), 1);
    cl = sizeof c;
    CHECK_RET(recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&c, &cl), 1);
    CHECK_RET(cl, al);
    CHECK(memcmp(&c, &a, al) == 0);
    CHECK_OK(close(u));
    /* The name is free again once its socket is closed. */
    CHECK_OK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(u, (struct sockaddr *)&b, bl));
    CHECK_OK(close(u));
    /* A name of a single NUL. */
    CHECK_OK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(u, (struct sockaddr *)&b, offsetof(struct sockaddr_un, sun_path) + 1));
    cl = sizeof c;
    CHECK_OK(getsockname(u, (struct sockaddr *)&c, &cl));
    CHECK_RET(cl, offsetof(struct sockaddr_un, sun_path) + 1);
    CHECK_OK(close(u));

    /* Autobind. */
    sa_family_t fam = AF_UNIX;
    CHECK_OK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(u, (struct sockaddr *)&fam, sizeof fam));
    CHECK(autobound(u));
    cl = sizeof c;
    CHECK_OK(getsockname(u, (struct sockaddr *)&c, &cl));
    CHECK_OK(bind(u, (struct sockaddr *)&fam, sizeof fam)); /* bound: kept */
    bl = sizeof b;
    CHECK_OK(getsockname(u, (struct sockaddr *)&b, &bl));
    CHECK(bl == cl && memcmp(&b, &c, cl) == 0);
    CHECK_ERR(bind(u, (struct sockaddr *)&a, al), EINVAL);
    /* Another autobound socket gets another name. */
    CHECK_OK(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(t, (struct sockaddr *)&fam, sizeof fam));
    bl = sizeof b;
    CHECK_OK(getsockname(t, (struct sockaddr *)&b, &bl));
    CHECK(memcmp(&b, &c, cl) != 0);
    /* Autobound names are reachable like any other. */
    CHECK_RET(sendto(t, "auto", 4, 0, (struct sockaddr *)&c, cl), 4);
    CHECK_RET(recv(u, buf, sizeof buf, 0), 4);
    CHECK_OK(close(t));
    fam = AF_INET;
    CHECK_OK(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(bind(t, (struct sockaddr *)&fam, sizeof fam), EINVAL);
    CHECK_OK(close(t));

    /* With SO_PASSCRED, sending or connecting names the sender. */
    int one = 1;
    CHECK_OK(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_RET(sendto(t, "x", 1, 0, (struct sockaddr *)&c, cl), 1);
    bl = sizeof b;
    CHECK_OK(getsockname(t, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, sizeof(sa_family_t));
    CHECK_OK(setsockopt(t, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    CHECK_RET(sendto(t, "x", 1, 0, (struct sockaddr *)&c, cl), 1);
    CHECK(autobound(t));
    CHECK_OK(close(t));
    CHECK_OK(t = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(t, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    CHECK_OK(connect(t, (struct sockaddr *)&a, al));
    CHECK(autobound(t));
    CHECK_OK(u = accept(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, offsetof(struct sockaddr_un, sun_path) + 6);
    CHECK_OK(close(u));
    CHECK_OK(close(t));
    CHECK_OK(t = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(t, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    CHECK_ERR(connect(t, (struct sockaddr *)&a, al + 1), ECONNREFUSED);
    CHECK(autobound(t));
    CHECK_OK(close(t));

    CHECK_OK(close(s));
    CHECK_OK(close(d));
    CHECK_OK(t = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(connect(t, (struct sockaddr *)&a, al), ECONNREFUSED);
    CHECK_OK(bind(t, (struct sockaddr *)&a, al));
    CHECK_OK(close(t));
    return check_status();
}
