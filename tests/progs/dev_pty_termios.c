/* Terminal attributes on a pty: the default termios of a new slave (flags and
 * control characters printed), ICRNL turning "\r" into "\n"; raw mode
 * (cfmakeraw): bytes pass at once, no echo, no output processing; VMIN and
 * VTIME (VMIN 0/VTIME 0 returns 0 at once, VMIN 3 waits for three bytes);
 * speeds round-trip through cfsetospeed/tcsetattr; tcflush(TCIFLUSH) drops
 * pending input; window size: 0x0 at first, TIOCSWINSZ on either end is read
 * back on both; termios calls on a non-terminal are ENOTTY and tcsetattr
 * rejects a bad action (EINVAL). */
#include "fs_util.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int ready(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 3000) == 1;
}

static int quiet(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 200) == 0;
}

int main(void) {
    char buf[64];
    struct termios t;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    CHECK(s >= 0);

    /* Defaults. */
    CHECK_OK(tcgetattr(s, &t));
    printf("iflag %#o oflag %#o lflag %#o cflag %#o\n", t.c_iflag, t.c_oflag, t.c_lflag,
           t.c_cflag);
    printf("VINTR %d VQUIT %d VERASE %d VKILL %d VEOF %d VSTART %d VSTOP %d VSUSP %d VMIN %d "
           "VTIME %d\n",
           t.c_cc[VINTR], t.c_cc[VQUIT], t.c_cc[VERASE], t.c_cc[VKILL], t.c_cc[VEOF],
           t.c_cc[VSTART], t.c_cc[VSTOP], t.c_cc[VSUSP], t.c_cc[VMIN], t.c_cc[VTIME]);
    CHECK(t.c_lflag & ICANON && t.c_lflag & ECHO && t.c_lflag & ISIG);
    CHECK(t.c_iflag & ICRNL && t.c_oflag & OPOST && t.c_oflag & ONLCR);

    /* ICRNL. */
    CHECK_RET(write(m, "cr\r", 3), 3);
    CHECK(ready(s));
    CHECK_RET(read(s, buf, sizeof buf), 3);
    CHECK(memcmp(buf, "cr\n", 3) == 0);
    CHECK(ready(m));
    CHECK_RET(read(m, buf, sizeof buf), 4); /* the echo "cr\r\n" */

    /* Raw mode. */
    struct termios raw = t;
    cfmakeraw(&raw);
    CHECK_OK(tcsetattr(s, TCSANOW, &raw));
    struct termios back;
    CHECK_OK(tcgetattr(s, &back));
    CHECK(!(back.c_lflag & (ICANON | ECHO | ISIG)) && !(back.c_oflag & OPOST));
    CHECK_RET(back.c_cc[VMIN], 1);
    CHECK_RET(write(m, "ab\r\003", 4), 4); /* no line needed, nothing special */
    CHECK(ready(s));
    usleep(50000);
    CHECK_RET(read(s, buf, sizeof buf), 4);
    CHECK(memcmp(buf, "ab\r\003", 4) == 0);
    CHECK(quiet(m)); /* no echo */
    CHECK_RET(write(s, "x\ny", 3), 3);
    CHECK(ready(m));
    usleep(50000);
    CHECK_RET(read(m, buf, sizeof buf), 3); /* no "\r" added */
    CHECK(memcmp(buf, "x\ny", 3) == 0);

    /* VMIN / VTIME. */
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    CHECK_OK(tcsetattr(s, TCSANOW, &raw));
    CHECK_RET(read(s, buf, sizeof buf), 0); /* a poll, not EOF */
    raw.c_cc[VMIN] = 3;
    CHECK_OK(tcsetattr(s, TCSANOW, &raw));
    CHECK_RET(write(m, "12", 2), 2);
    CHECK_OK(fcntl(s, F_SETFL, O_NONBLOCK));
    usleep(100000);
    CHECK_RET(read(s, buf, sizeof buf), 2); /* O_NONBLOCK overrides VMIN */
    CHECK_OK(fcntl(s, F_SETFL, 0));
    CHECK_RET(write(m, "345", 3), 3);
    CHECK_RET(read(s, buf, sizeof buf), 3);
    CHECK(memcmp(buf, "345", 3) == 0);

    /* Speeds. */
    CHECK_OK(cfsetospeed(&raw, B9600));
    CHECK_OK(cfsetispeed(&raw, B9600));
    CHECK_OK(tcsetattr(s, TCSANOW, &raw));
    CHECK_OK(tcgetattr(s, &back));
    CHECK(cfgetospeed(&back) == B9600);

    /* Flushing pending input. */
    CHECK_RET(write(m, "stale", 5), 5);
    CHECK(ready(s));
    usleep(50000);
    CHECK_OK(tcflush(s, TCIFLUSH));
    CHECK_OK(fcntl(s, F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN);
    CHECK_OK(fcntl(s, F_SETFL, 0));
    CHECK_OK(tcdrain(s));

    /* Window size. */
    struct winsize ws = {.ws_row = 99};
    CHECK_OK(ioctl(s, TIOCGWINSZ, &ws));
    CHECK(ws.ws_row == 0 && ws.ws_col == 0);
    ws = (struct winsize){.ws_row = 24, .ws_col = 80, .ws_xpixel = 640, .ws_ypixel = 480};
    CHECK_OK(ioctl(m, TIOCSWINSZ, &ws));
    struct winsize got;
    CHECK_OK(ioctl(s, TIOCGWINSZ, &got));
    CHECK(got.ws_row == 24 && got.ws_col == 80 && got.ws_xpixel == 640 && got.ws_ypixel == 480);
    ws.ws_col = 132;
    CHECK_OK(ioctl(s, TIOCSWINSZ, &ws));
    CHECK_OK(ioctl(m, TIOCGWINSZ, &got));
    CHECK_RET(got.ws_col, 132);

    /* Errors. */
    int null = open("/dev/null", O_RDWR);
    CHECK_ERR(tcgetattr(null, &t), ENOTTY);
    CHECK_ERR(tcsetattr(null, TCSANOW, &t), ENOTTY);
    CHECK_ERR(ioctl(null, TIOCGWINSZ, &ws), ENOTTY);
    CHECK_ERR(tcsetattr(s, 42, &t), EINVAL);
    CHECK_ERR(ioctl(s, TCGETS, (void *)1), EFAULT);
    close(null);
    close(s);
    close(m);
    return check_status();
}
