/* Terminal-generated signals on a pty whose slave is the controlling terminal
 * of a child's new session: ^C typed on the master kills the foreground
 * process group with SIGINT (echoed as "^C") while a process in a background
 * group of that session gets nothing; ^\ kills with SIGQUIT; with ISIG off ^C
 * is an ordinary input byte; TIOCSWINSZ on the master sends SIGWINCH to the
 * foreground group when the size changes and not when it stays the same.
 * Children report through pipes; only the parent prints. */
#include "fs_util.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <termios.h>

static int m;

static const char *drain(int fd) {
    static char buf[256];
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < sizeof buf - 1 && poll(&p, 1, n ? 300 : 3000) == 1) {
        ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
        if (r <= 0)
            break;
        n += r;
    }
    buf[n] = 0;
    return buf;
}

/* Reads one byte from fd, waiting up to 10 s; '?' if none. */
static char rd(int fd) {
    char c = '?';
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 10000) != 1 || read(fd, &c, 1) != 1)
        c = '?';
    return c;
}

/* In a fresh session, makes the pty slave our controlling terminal. */
static int take_ctty(void) {
    if (setsid() < 0)
        return -1;
    int s = open(ptsname(m), O_RDWR);
    if (s < 0 || ioctl(s, TIOCSCTTY, 0) != 0 || tcgetpgrp(s) != getpgrp())
        return -1;
    close(m);
    return s;
}

static volatile sig_atomic_t got;
static void count(int sig) {
    (void)sig;
    got++;
}

static void say(int fd, char c) {
    if (write(fd, &c, 1) != 1)
        _exit(9);
}

int main(void) {
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    int up[2], down[2], status;
    CHECK_OK(pipe(up));
    CHECK_OK(pipe(down));

    /* ^C: the foreground group dies; a background group is untouched. */
    pid_t c = fork();
    if (c == 0) {
        if (take_ctty() < 0)
            _exit(1);
        if (fork() == 0) {
            setpgid(0, 0);
            signal(SIGINT, count);
            say(up[1], 'g');
            char x;
            while (read(down[0], &x, 1) < 0 && errno == EINTR) {
            }
            say(up[1], got ? 'S' : 'n');
            _exit(0);
        }
        say(up[1], 'c');
        for (;;)
            pause();
    }
    char a = rd(up[0]), b = rd(up[0]);
    CHECK((a == 'c' && b == 'g') || (a == 'g' && b == 'c'));
    CHECK_RET(write(m, "\003", 1), 1);
    CHECK_RET(waitpid(c, &status, 0), c);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
    CHECK(strcmp(drain(m), "^C") == 0);
    CHECK_RET(write(down[1], "x", 1), 1);
    CHECK_RET(rd(up[0]), 'n'); /* the background process saw no SIGINT */

    /* ^\: SIGQUIT. */
    c = fork();
    if (c == 0) {
        if (take_ctty() < 0)
            _exit(1);
        say(up[1], 'c');
        for (;;)
            pause();
    }
    CHECK_RET(rd(up[0]), 'c');
    CHECK_RET(write(m, "\034", 1), 1);
    CHECK_RET(waitpid(c, &status, 0), c);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGQUIT);
    CHECK(strcmp(drain(m), "^\\") == 0);

    /* ISIG off: ^C is data. */
    c = fork();
    if (c == 0) {
        int s = take_ctty();
        struct termios t;
        if (s < 0 || tcgetattr(s, &t) != 0)
            _exit(1);
        t.c_lflag &= ~ISIG;
        if (tcsetattr(s, TCSANOW, &t) != 0)
            _exit(2);
        say(up[1], 'c');
        char buf[8];
        ssize_t n = read(s, buf, sizeof buf);
        _exit(n == 2 && buf[0] == 3 && buf[1] == '\n' ? 0 : 3);
    }
    CHECK_RET(rd(up[0]), 'c');
    CHECK_RET(write(m, "\003\n", 2), 2);
    CHECK_RET(waitpid(c, &status, 0), c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    drain(m);

    /* SIGWINCH. */
    c = fork();
    if (c == 0) {
        if (take_ctty() < 0)
            _exit(1);
        signal(SIGWINCH, count);
        got = 0;
        say(up[1], 'c');
        for (int round = 0; round < 3; round++) {
            char x;
            while (read(down[0], &x, 1) < 0 && errno == EINTR) {
            }
            say(up[1], (char)('0' + got));
        }
        _exit(0);
    }
    CHECK_RET(rd(up[0]), 'c');
    struct winsize ws = {.ws_row = 10, .ws_col = 20};
    CHECK_OK(ioctl(m, TIOCSWINSZ, &ws));
    CHECK_RET(write(down[1], "x", 1), 1);
    CHECK_RET(rd(up[0]), '1');
    CHECK_OK(ioctl(m, TIOCSWINSZ, &ws)); /* unchanged: no signal */
    CHECK_RET(write(down[1], "x", 1), 1);
    CHECK_RET(rd(up[0]), '1');
    ws.ws_col = 21;
    CHECK_OK(ioctl(m, TIOCSWINSZ, &ws));
    CHECK_RET(write(down[1], "x", 1), 1);
    CHECK_RET(rd(up[0]), '2');
    CHECK_RET(waitpid(c, &status, 0), c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    close(m);
    return check_status();
}
