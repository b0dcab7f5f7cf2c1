/* Open file description locks (F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK): two
 * open()s in one process conflict (EAGAIN), F_OFD_GETLK reports the holder's
 * range with l_pid -1; a dup or a fork'd copy is the same owner (closing a dup
 * keeps the lock, closing the last descriptor drops it); unlocking the middle
 * splits; OFD and classic POSIX locks conflict with each other even inside one
 * process; F_OFD_SETLKW waits for a child's unlock; errors: EINVAL for l_pid
 * != 0, bad l_whence or l_type, EBADF for the wrong access mode. */
#include "fs_util.h"

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static struct flock get(int fd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
        fl.l_type = -1;
    return fl;
}

int main(void) {
    struct flock g;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "0123456789"));
    int a = open("f", O_RDWR), b = open("f", O_RDWR);

    /* Two descriptions in one process. */
    CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
    CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
    CHECK_ERR(lk(b, F_OFD_SETLK, F_RDLCK, 9, 1), EAGAIN);
    CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 10, 5));
    g = get(b, F_RDLCK, 0, 0);
    CHECK(g.l_type == F_WRLCK && g.l_start == 0 && g.l_len == 10 && g.l_pid == -1);
    g = get(a, F_WRLCK, 0, 0); /* a's own lock is no conflict; b's is */
    CHECK(g.l_type == F_WRLCK && g.l_start == 10 && g.l_len == 5 && g.l_pid == -1);
    CHECK_OK(lk(b, F_OFD_SETLK, F_UNLCK, 0, 0));
    g = get(a, F_WRLCK, 0, 0);
    CHECK_RET(g.l_type, F_UNLCK);

    /* Splitting. */
    CHECK_OK(lk(a, F_OFD_SETLK, F_UNLCK, 3, 4));
    g = get(b, F_WRLCK, 0, 100);
    CHECK(g.l_type == F_WRLCK && g.l_start == 0 && g.l_len == 3);
    g = get(b, F_WRLCK, 3, 100);
    CHECK(g.l_type == F_WRLCK && g.l_start == 7 && g.l_len == 3);
    CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 3, 4));
    CHECK_OK(lk(b, F_OFD_SETLK, F_UNLCK, 0, 0));

    /* A dup is the same owner; closing it keeps the lock. */
    int a2 = dup(a);
    CHECK_OK(lk(a2, F_OFD_SETLK, F_RDLCK, 0, 10)); /* converts a's lock */
    CHECK_OK(lk(b, F_OFD_SETLK, F_RDLCK, 0, 10));
    CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);
    CHECK_OK(lk(b, F_OFD_SETLK, F_UNLCK, 0, 0));
    CHECK_OK(close(a2));
    g = get(b, F_WRLCK, 0, 0);
    CHECK(g.l_type == F_RDLCK && g.l_len == 10);

    /* OFD and POSIX locks conflict, even within one process. */
    int c = open("f", O_RDWR);
    CHECK_ERR(lk(c, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
    struct flock p = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(c, F_GETLK, &p));
    CHECK(p.l_type == F_RDLCK && p.l_pid == -1);
    CHECK_OK(lk(c, F_SETLK, F_WRLCK, 20, 1));
    CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 20, 1), EAGAIN);
    g = get(b, F_WRLCK, 20, 1);
    CHECK(g.l_type == F_WRLCK && g.l_pid == getpid()); /* a POSIX holder has a pid */
    CHECK_OK(close(c)); /* drops the POSIX lock only */
    CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 20, 1));
    CHECK_OK(lk(b, F_OFD_SETLK, F_UNLCK, 20, 1));

    /* fork: the inherited descriptor is the same owner. */
    pid_t pid = fork();
    if (pid == 0) {
        if (lk(a, F_OFD_SETLK, F_WRLCK, 0, 10) != 0) /* converts the shared lock */
            _exit(1);
        int mine = open("f", O_RDWR);
        if (lk(mine, F_OFD_SETLK, F_RDLCK, 0, 1) != -1 || errno != EAGAIN)
            _exit(2);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    g = get(b, F_RDLCK, 0, 0);
    CHECK(g.l_type == F_WRLCK && g.l_len == 10); /* the child's conversion stayed */

    /* Closing the last descriptor drops it. */
    CHECK_OK(close(a));
    g = get(b, F_WRLCK, 0, 0);
    CHECK_RET(g.l_type, F_UNLCK);

    /* F_OFD_SETLKW waits for a child's lock. */
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid = fork();
    if (pid == 0) {
        int fd = open("f", O_RDWR);
        char ch;
        if (lk(fd, F_OFD_SETLK, F_WRLCK, 0, 1) != 0 || write(ready[1], "r", 1) != 1 ||
            read(release[0], &ch, 1) != 1)
            _exit(1);
        usleep(50000);
        _exit(0); /* the exit closes fd, dropping the lock */
    }
    char ch;
    CHECK_RET(read(ready[0], &ch, 1), 1);
    CHECK_ERR(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);
    CHECK_RET(write(release[1], "x", 1), 1);
    CHECK_OK(lk(b, F_OFD_SETLKW, F_WRLCK, 0, 1)); /* waits for the child's exit */
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(ready[0]);
    close(ready[1]);
    close(release[0]);
    close(release[1]);

    /* Errors. */
    struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1,
                        .l_pid = 1};
    CHECK_ERR(fcntl(b, F_OFD_SETLK, &bad), EINVAL);
    CHECK_ERR(fcntl(b, F_OFD_GETLK, &bad), EINVAL);
    CHECK_ERR(fcntl(b, F_OFD_SETLKW, &bad), EINVAL);
    bad = (struct flock){.l_type = F_WRLCK, .l_whence = 9, .l_start = 0, .l_len = 1};
    CHECK_ERR(fcntl(b, F_OFD_SETLK, &bad), EINVAL);
    bad = (struct flock){.l_type = 5, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    CHECK_ERR(fcntl(b, F_OFD_SETLK, &bad), EINVAL);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(lk(ro, F_OFD_SETLK, F_WRLCK, 0, 1), EBADF);
    CHECK_OK(lk(ro, F_OFD_SETLK, F_RDLCK, 5, 1));
    CHECK_OK(close(ro));
    CHECK_OK(close(b));

    fs_leave_scratch();
    return check_status();
}
