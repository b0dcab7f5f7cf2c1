/* F_SETLKW deadlock detection follows the chain of waiting processes: with A
 * (us) holding byte 0, B holding byte 1 and waiting for byte 0, and C holding
 * byte 2 and waiting for byte 1, A asking for byte 2 is EDEADLK; F_SETLK in
 * the same spot is EAGAIN; a waiter interrupted by a signal (EINTR) no
 * longer counts; once A lets go, B and then C get their locks. */
#include "fs_util.h"
#include <signal.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static void on_alarm(int sig) { (void)sig; }

/* A child that holds byte `hold` and then waits for byte `want`; it says
 * "r" on `ready` before waiting and exits 0 once it got the lock. */
static pid_t holder(int hold, int want, int ready) {
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("f", O_RDWR);
        if (lk(fd, F_SETLK, F_WRLCK, hold, 1) != 0 || write(ready, "r", 1) != 1)
            _exit(1);
        if (lk(fd, F_SETLKW, F_WRLCK, want, 1) != 0)
            _exit(errno == EDEADLK ? 5 : 2);
        _exit(0);
    }
    return pid;
}

/* Waits until `pid` blocks in the kernel (state S), at most about 5 s. */
static void wait_blocked(pid_t pid) {
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n > 0) {
            buf[n] = 0;
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'S')
                break;
        }
        usleep(10000);
    }
    usleep(50000);
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "0123456789"));
    int fd = open("f", O_RDWR);
    int ready[2], go[2];
    char c;
    int st;
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(go));
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 1));

    pid_t b = holder(1, 0, ready[1]);
    CHECK_RET(read(ready[0], &c, 1), 1);
    wait_blocked(b);
    pid_t cc = holder(2, 1, ready[1]);
    CHECK_RET(read(ready[0], &c, 1), 1);
    wait_blocked(cc);

    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 2, 1), EAGAIN);
    CHECK_ERR(lk(fd, F_SETLKW, F_WRLCK, 2, 1), EDEADLK);
    CHECK_ERR(lk(fd, F_SETLKW, F_RDLCK, 2, 1), EDEADLK);
    /* Not a deadlock: byte 3 is free. */
    CHECK_OK(lk(fd, F_SETLKW, F_WRLCK, 3, 1));

    /* Let go: B gets byte 0, exits (dropping bytes 0 and 1); then C. */
    CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 1));
    CHECK_RET(waitpid(b, &st, 0), b);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(waitpid(cc, &st, 0), cc);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 0));

    /* An interrupted waiter is no longer in the chain. */
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 1));
    pid_t d = fork();
    if (d == 0) {
        struct sigaction sa = {.sa_handler = on_alarm};
        sigaction(SIGALRM, &sa, NULL);
        int dfd = open("f", O_RDWR);
        if (lk(dfd, F_SETLK, F_WRLCK, 1, 1) != 0 || write(ready[1], "r", 1) != 1)
            _exit(1);
        alarm(1);
        if (lk(dfd, F_SETLKW, F_WRLCK, 0, 1) != -1 || errno != EINTR)
            _exit(2);
        /* Tell the parent, then hold byte 1 until it gives up on it. */
        if (write(ready[1], "i", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(3);
        _exit(0);
    }
    CHECK_RET(read(ready[0], &c, 1), 1);
    CHECK_RET(read(ready[0], &c, 1), 1);
    CHECK(c == 'i');
    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 1, 1), EAGAIN);
    /* The child no longer waits: a timed F_SETLKW just waits (EINTR). */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    CHECK_ERR(lk(fd, F_SETLKW, F_WRLCK, 1, 1), EINTR);
    CHECK_RET(write(go[1], "g", 1), 1);
    CHECK_RET(waitpid(d, &st, 0), d);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    close(fd);
    fs_leave_scratch();
    return check_status();
}
