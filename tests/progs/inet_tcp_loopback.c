/* TCP over 127.0.0.1: a listener bound to port 0 gets an ephemeral port
 * (odd, from 32768-60999), a client an even one; accept reports the
 * client's address, and each side names the other. Bytes arrive in
 * order: MSG_PEEK leaves them, MSG_WAITALL waits for all, MSG_DONTWAIT
 * does not wait; a megabyte written by a child arrives whole.
 * shutdown(SHUT_WR) is the end of the stream to the peer, which can
 * still send back. After the peer's close, the first write goes (the
 * closed peer answers with a reset) and the next is EPIPE, with SIGPIPE
 * unless MSG_NOSIGNAL. Closing with unread data resets the peer: it
 * reads ECONNRESET once, then the end. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

static volatile sig_atomic_t sigpipes;
static void on_pipe(int s) { (void)s; sigpipes++; }

static int listener(struct sockaddr_in *a) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len = sizeof *a;
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l, (struct sockaddr *)a, sizeof *a) < 0 || listen(l, 8) < 0 ||
        getsockname(l, (struct sockaddr *)a, &len) < 0)
        return -1;
    return l;
}

/* A connected pair through listener l at a: *c the client, returned the
 * accepted side. */
static int connect_pair(int l, struct sockaddr_in *a, int *c) {
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*c, (struct sockaddr *)a, sizeof *a) < 0)
        return -1;
    return accept(l, NULL, NULL);
}

int main(void) {
    struct sockaddr_in a, peer, me;
    socklen_t len;
    char buf[64];
    int l, c, s;

    signal(SIGPIPE, on_pipe);
    CHECK_OK(l = listener(&a));
    int lport = ntohs(a.sin_port);
    printf("listener port ephemeral: %s\n", lport >= 32768 && lport <= 60999 ? "yes" : "no");
    printf("listener port odd: %s\n", lport % 2 ? "yes" : "no");

    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    len = sizeof peer;
    CHECK_OK(s = accept(l, (struct sockaddr *)&peer, &len));
    CHECK_RET(len, sizeof peer);
    CHECK(peer.sin_family == AF_INET);
    CHECK(peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    len = sizeof me;
    CHECK_OK(getsockname(c, (struct sockaddr *)&me, &len));
    CHECK(me.sin_port == peer.sin_port);
    int cport = ntohs(me.sin_port);
    printf("client port ephemeral: %s\n", cport >= 32768 && cport <= 60999 ? "yes" : "no");
    printf("client port even: %s\n", cport % 2 ? "no" : "yes");
    len = sizeof peer;
    CHECK_OK(getpeername(c, (struct sockaddr *)&peer, &len));
    CHECK(peer.sin_port == a.sin_port && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    len = sizeof me;
    CHECK_OK(getsockname(s, (struct sockaddr *)&me, &len));
    CHECK(me.sin_port == a.sin_port && me.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK_ERR(getpeername(l, (struct sockaddr *)&peer, &len), ENOTCONN);

    /* Bytes, peeked, then read; recvfrom names no sender on TCP. */
    CHECK_RET(write(c, "hello", 5), 5);
    CHECK_RET(recv(s, buf, sizeof buf, MSG_PEEK), 5);
    len = sizeof peer;
    CHECK_RET(recvfrom(s, buf, 2, 0, (struct sockaddr *)&peer, &len), 2);
    CHECK_RET(len, 0);
    CHECK_RET(read(s, buf, sizeof buf), 3);
    CHECK(memcmp(buf, "llo", 3) == 0);
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* sendto's address is ignored on a connected TCP socket. */
    CHECK_RET(sendto(s, "xy", 2, 0, (struct sockaddr *)&a, sizeof a), 2);
    CHECK_RET(recv(c, buf, sizeof buf, 0), 2);

    /* MSG_WAITALL gathers what a child writes in pieces; a megabyte
     * arrives whole and in order. */
    pid_t pid = fork();
    if (pid == 0) {
        static char big[1 << 20];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (char)(i * 7);
        usleep(20000);
        if (write(c, "abc", 3) != 3)
            _exit(1);
        usleep(20000);
        if (write(c, "def", 3) != 3)
            _exit(1);
        size_t off = 0;
        while (off < sizeof big) {
            ssize_t n = write(c, big + off, sizeof big - off);
            if (n <= 0)
                _exit(2);
            off += n;
        }
        _exit(0);
    }
    CHECK_RET(recv(s, buf, 6, MSG_WAITALL), 6);
    CHECK(memcmp(buf, "abcdef", 6) == 0);
    {
        static char got[1 << 20];
        size_t off = 0;
        while (off < sizeof got) {
            ssize_t n = read(s, got + off, sizeof got - off);
            if (n <= 0)
                break;
            off += n;
        }
        CHECK_RET(off, sizeof got);
        int same = 1;
        for (size_t i = 0; i < sizeof got; i++)
            if (got[i] != (char)(i * 7))
                same = 0;
        CHECK(same);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Half close: the peer reads the end, and can still answer. */
    CHECK_OK(shutdown(c, SHUT_WR));
    CHECK_RET(read(s, buf, sizeof buf), 0);
    CHECK_RET(write(s, "back", 4), 4);
    CHECK_RET(read(c, buf, sizeof buf), 4);
    CHECK_ERR(write(c, "x", 1), EPIPE);
    CHECK_RET(sigpipes, 1);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_RET(sigpipes, 1);
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* The peer closes: the end of the stream; a write goes, then EPIPE. */
    CHECK_OK(s = connect_pair(l, &a, &c));
    CHECK_OK(close(s));
    CHECK_RET(read(c, buf, sizeof buf), 0);
    CHECK_RET(write(c, "x", 1), 1);
    CHECK_ERR(write(c, "x", 1), EPIPE);
    CHECK_RET(sigpipes, 2);
    CHECK_ERR(write(c, "x", 1), EPIPE);
    CHECK_RET(read(c, buf, sizeof buf), 0);
    CHECK_OK(close(c));

    /* Closing with unread data resets the peer. */
    CHECK_OK(s = connect_pair(l, &a, &c));
    CHECK_RET(write(c, "unread", 6), 6);
    CHECK_RET(write(s, "pending", 7), 7);
    CHECK_OK(close(s));
    CHECK_RET(read(c, buf, sizeof buf), 7); /* what came before the reset */
    CHECK_ERR(read(c, buf, sizeof buf), ECONNRESET);
    CHECK_RET(read(c, buf, sizeof buf), 0);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_OK(close(c));

    /* SO_LINGER with no time resets too. */
    CHECK_OK(s = connect_pair(l, &a, &c));
    struct linger lg = {1, 0};
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    CHECK_OK(close(s));
    CHECK_ERR(read(c, buf, sizeof buf), ECONNRESET);
    CHECK_OK(close(c));

    /* Unconnected sockets: writes are EPIPE, reads ENOTCONN. */
    CHECK_OK(c = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_ERR(recv(c, buf, 1, 0), ENOTCONN);
    CHECK_ERR(recv(l, buf, 1, 0), ENOTCONN);
    CHECK_ERR(shutdown(c, SHUT_RDWR), ENOTCONN);
    CHECK_OK(close(c));
    CHECK_OK(close(l));
    return check_status();
}
