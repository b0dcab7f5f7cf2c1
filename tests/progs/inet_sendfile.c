/* sendfile(2) from a file into a TCP socket over loopback: the whole
 * file arrives in order while a child reads it, from the file's
 * position or from an offset (which it advances, leaving the position
 * alone); a count past the end stops at the end. Into a socket whose
 * peer is gone it is EPIPE (SIGPIPE ignored here). */
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define SIZE (300 * 1024)

static int pair(int l, struct sockaddr_in *a, int *c) {
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*c, (struct sockaddr *)a, sizeof *a) < 0)
        return -1;
    return accept(l, NULL, NULL);
}

/* Reads n bytes from s in a child and checks them against the file's
 * pattern from off; the exit status says how it went. */
static pid_t reader(int s, long off, long n) {
    pid_t pid = fork();
    if (pid == 0) {
        static char buf[65536];
        long got = 0;
        while (got < n) {
            ssize_t r = read(s, buf, sizeof buf);
            if (r <= 0)
                _exit(1);
            for (ssize_t i = 0; i < r; i++)
                if (buf[i] != (char)((off + got + i) % 251))
                    _exit(2);
            got += r;
        }
        _exit(0);
    }
    return pid;
}

static int reaped_ok(pid_t pid) {
    int st;
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void) {
    static char data[SIZE];
    for (int i = 0; i < SIZE; i++)
        data[i] = (char)(i % 251);
    char path[] = "/tmp/inet_sendfile_XXXXXX";
    int fd = mkstemp(path);
    CHECK_OK(fd);
    CHECK_OK(unlink(path));
    CHECK_RET(write(fd, data, SIZE), SIZE);
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);

    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int l, c, s;
    CHECK_OK(l = socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    CHECK_OK(getsockname(l, (struct sockaddr *)&a, &len));
    CHECK_OK(s = pair(l, &a, &c));

    /* From the file's position. */
    pid_t pid = reader(s, 0, SIZE);
    long sent = 0;
    while (sent < SIZE) {
        ssize_t n = sendfile(c, fd, NULL, SIZE - sent);
        if (n <= 0)
            break;
        sent += n;
    }
    CHECK_RET(sent, SIZE);
    CHECK(reaped_ok(pid));
    CHECK_RET(lseek(fd, 0, SEEK_CUR), SIZE);

    /* From an offset; past the end stops there. */
    off_t off = SIZE - 1000;
    pid = reader(s, SIZE - 1000, 1000);
    CHECK_RET(sendfile(c, fd, &off, 5000), 1000);
    CHECK_RET(off, SIZE);
    CHECK(reaped_ok(pid));
    CHECK_RET(lseek(fd, 0, SEEK_CUR), SIZE);
    off = 10;
    pid = reader(s, 10, 100);
    CHECK_RET(sendfile(c, fd, &off, 100), 100);
    CHECK(reaped_ok(pid));

    /* The peer is gone: the first bytes go (the reset answers them),
     * then EPIPE. */
    CHECK_OK(close(s));
    off = 0;
    CHECK_RET(sendfile(c, fd, &off, 10), 10);
    CHECK_ERR(sendfile(c, fd, &off, 10), EPIPE);
    CHECK_OK(close(c));
    CHECK_OK(close(l));
    CHECK_OK(close(fd));
    return check_status();
}
