/* Pseudo-terminals through /dev/ptmx: posix_openpt, grantpt, unlockpt and
 * ptsname ("/dev/pts/N" with N = TIOCGPTN); the slave cannot be opened while
 * locked (EIO); in the default canonical mode a line typed on the master
 * reaches the slave only at the newline, echoed back to the master with ONLCR
 * ("\r\n"), erase (DEL) and kill (^U) edit the line, VEOF (^D) ends a read
 * early, output from the slave gains "\r\n"; both ends are character devices
 * and isatty; FIONREAD counts; once every slave descriptor closes the master
 * reads EIO; TIOCGPTPEER opens a slave from the master. */
#include "fs_util.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

/* Waits up to 3 s for fd to become readable (tty input is processed
 * asynchronously). */
static int ready(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 3000) == 1;
}

/* Reads what the master has: waits up to 3 s for the first byte, then
 * until 300 ms pass without more; returns it as a C string. */
static const char *drain(int m) {
    static char buf[256];
    size_t n = 0;
    struct pollfd p = {.fd = m, .events = POLLIN};
    while (n < sizeof buf - 1 && poll(&p, 1, n ? 300 : 3000) == 1) {
        ssize_t r = read(m, buf + n, sizeof buf - 1 - n);
        if (r <= 0)
            break;
        n += r;
    }
    buf[n] = 0;
    return buf;
}

static void show(const char *label, const char *s) {
    printf("%s: \"", label);
    for (; *s; s++) {
        if (*s == '\r')
            printf("\\r");
        else if (*s == '\n')
            printf("\\n");
        else if ((unsigned char)*s < 32 || *s == 127)
            printf("\\x%02x", (unsigned char)*s);
        else
            putchar(*s);
    }
    printf("\"\n");
}

int main(void) {
    char buf[256], want[64];
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(m >= 0);
    struct stat st;
    CHECK_OK(fstat(m, &st));
    CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2);
    CHECK(isatty(m));
    unsigned ptn = 12345;
    CHECK_OK(ioctl(m, TIOCGPTN, &ptn));
    snprintf(want, sizeof want, "/dev/pts/%u", ptn);
    const char *name = ptsname(m);
    CHECK(name && strcmp(name, want) == 0);
    CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO); /* still locked */
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    int s = open(name, O_RDWR | O_NOCTTY);
    CHECK(s >= 0);
    CHECK_OK(fstat(s, &st));
    CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && minor(st.st_rdev) == ptn);
    CHECK(isatty(s));

    /* Canonical input, echo. */
    CHECK_OK(fcntl(s, F_SETFL, O_NONBLOCK));
    CHECK_RET(write(m, "hel", 3), 3);
    usleep(50000);
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN); /* no newline yet */
    int n = -1;
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_RET(n, 0); /* nothing readable in canonical mode */
    CHECK_RET(write(m, "lo\n", 3), 3);
    CHECK(ready(s));
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_RET(n, 6);
    CHECK_RET(read(s, buf, sizeof buf), 6);
    CHECK(memcmp(buf, "hello\n", 6) == 0);
    show("echo", drain(m));

    /* Line editing: DEL erases a character, ^U the line; ^D ends a read. */
    CHECK_RET(write(m, "abx\177c\n", 6), 6);
    CHECK(ready(s));
    CHECK_RET(read(s, buf, sizeof buf), 4);
    CHECK(memcmp(buf, "abc\n", 4) == 0);
    show("erase echo", drain(m));
    CHECK_RET(write(m, "junk\025ok\n", 8), 8);
    CHECK(ready(s));
    CHECK_RET(read(s, buf, sizeof buf), 3);
    CHECK(memcmp(buf, "ok\n", 3) == 0);
    drain(m);
    CHECK_RET(write(m, "eof\004", 4), 4);
    CHECK(ready(s));
    CHECK_RET(read(s, buf, sizeof buf), 3); /* without the ^D */
    CHECK(memcmp(buf, "eof", 3) == 0);
    CHECK_RET(write(m, "\004", 1), 1);
    CHECK(ready(s));
    CHECK_RET(read(s, buf, sizeof buf), 0); /* ^D on an empty line: EOF */
    drain(m);

    /* Output processing. */
    CHECK_RET(write(s, "out\nput\n", 8), 8);
    show("slave output", drain(m));

    /* TIOCGPTPEER. */
    int s2 = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    CHECK(s2 >= 0);
    CHECK_OK(fstat(s2, &st));
    CHECK(minor(st.st_rdev) == ptn);
    CHECK_RET(write(s2, "peer\n", 5), 5);
    show("peer output", drain(m));

    /* All slaves closed: the master reads EIO. */
    close(s);
    close(s2);
    CHECK_ERR(read(m, buf, sizeof buf), EIO);
    close(m);
    return check_status();
}
