/* /dev/tty and controlling terminals, in forked children: after setsid() a
 * process has no controlling terminal, so opening /dev/tty is ENXIO and
 * TIOCGPGRP/TIOCGSID on it cannot be asked; opening a pty slave without
 * O_NOCTTY as a session leader makes it the controlling terminal, after which
 * /dev/tty (5:0) opens and writes reach the master, TIOCGSID names our session
 * and TIOCGPGRP our process group; TIOCNOTTY gives it up (ENXIO again) and,
 * from the session leader, sends SIGHUP to the foreground group (caught here);
 * terminal ioctls on non-terminals are ENOTTY. */
#include "fs_util.h"
#include <signal.h>
#include <sys/ioctl.h>

static volatile sig_atomic_t hups;
static void on_hup(int sig) {
    (void)sig;
    hups++;
}

static void no_ctty(void) {
    CHECK(setsid() == getpid());
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    CHECK_ERR(open("/dev/tty", O_RDONLY | O_NOCTTY), ENXIO);
    int fd = open("/dev/null", O_RDWR);
    pid_t pg;
    CHECK_ERR(ioctl(fd, TIOCGPGRP, &pg), ENOTTY);
    CHECK_ERR(ioctl(fd, TIOCSCTTY, 0), ENOTTY);
    CHECK_ERR(ioctl(fd, TIOCNOTTY), ENOTTY);
    CHECK(!isatty(fd) && errno == ENOTTY);
    close(fd);
}

static void with_ctty(void) {
    CHECK(setsid() == getpid());
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(m >= 0);
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    int s = open(ptsname(m), O_RDWR); /* no O_NOCTTY: becomes ours */
    CHECK(s >= 0);
    pid_t sid = -1, pg = -1;
    CHECK_OK(ioctl(s, TIOCGSID, &sid));
    CHECK(sid == getsid(0));
    CHECK_OK(ioctl(s, TIOCGPGRP, &pg));
    CHECK(pg == getpgrp());
    CHECK(tcgetpgrp(s) == getpgrp());
    int t = open("/dev/tty", O_RDWR);
    CHECK(t >= 0);
    struct stat a, b;
    CHECK_OK(fstat(t, &a));
    CHECK_OK(fstat(s, &b));
    CHECK(S_ISCHR(a.st_mode) && S_ISCHR(b.st_mode));
    CHECK(a.st_rdev == (5 << 8 | 0)); /* /dev/tty is 5:0 */
    CHECK(isatty(t));
    CHECK_RET(write(t, "x\n", 2), 2);
    char buf[8];
    CHECK_RET(read(m, buf, sizeof buf), 3); /* "x\r\n" */
    close(t);
    /* Giving the terminal up: as session leader this hangs up the
     * foreground process group, which is us. */
    signal(SIGHUP, on_hup);
    CHECK_OK(ioctl(s, TIOCNOTTY));
    CHECK_RET(hups, 1);
    CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
    close(s);
    close(m);
}

int main(void) {
    int st = fs_in_child(no_ctty);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = fs_in_child(with_ctty);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return check_status();
}
