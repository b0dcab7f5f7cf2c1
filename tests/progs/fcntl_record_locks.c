/* POSIX record locks (F_SETLK, F_SETLKW, F_GETLK) between a parent and forked
 * children: a process never conflicts with itself; F_GETLK reports the first
 * conflicting lock (type, range, holder's pid) or F_UNLCK; F_SETLK fails with
 * EAGAIN on conflict; unlocking the middle of a range splits it, adjacent
 * locks of one type merge, a different type on a subrange splits too; l_len 0
 * runs to infinity, a negative l_len covers the bytes before l_start,
 * SEEK_CUR/SEEK_END bases; F_SETLKW waits for the holder; EDEADLK for the
 * second of two processes that would wait on each other; closing any
 * descriptor of the file drops the process's locks; locks are not inherited
 * across fork; errors: EBADF for a lock type the descriptor's access mode does
 * not allow, EINVAL for bad l_whence/l_type or a start before 0, EFAULT. */
#include "fs_util.h"
#include <signal.h>

static int fd_rw;
static pid_t parent;

static struct flock getlk(short type, off_t start, off_t len) {
    int fd = open("f", O_RDWR);
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, F_GETLK, &fl) != 0)
        fl.l_type = -1;
    close(fd);
    return fl;
}

#define SEES(type, start, len, wtype, wstart, wlen)                                      \
    do {                                                                                 \
        struct flock g_ = getlk(type, start, len);                                       \
        int ok_ = g_.l_type == (wtype) &&                                                \
                  ((wtype) == F_UNLCK ||                                                 \
                   (g_.l_start == (wstart) && g_.l_len == (wlen) && g_.l_pid == parent)); \
        printf("%s child F_GETLK %s [%d,+%d) -> %s", ok_ ? "ok" : "FAIL", #type,         \
               (int)(start), (int)(len), #wtype);                                        \
        if ((wtype) != F_UNLCK)                                                          \
            printf(" [%d,+%d)", (int)(wstart), (int)(wlen));                             \
        if (!ok_) {                                                                      \
            printf(" (got type %d [%ld,+%ld))", g_.l_type, (long)g_.l_start,             \
                   (long)g_.l_len);                                                      \
            check_failed = 1;                                                            \
        }                                                                                \
        printf("\n");                                                                    \
    } while (0)

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static void stage1(void) {
    SEES(F_WRLCK, 5, 1, F_WRLCK, 0, 10);
    SEES(F_RDLCK, 0, 100, F_WRLCK, 0, 10);
    SEES(F_WRLCK, 10, 10, F_UNLCK, 0, 0);
    int fd = open("f", O_RDWR);
    CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 5, 1), EAGAIN);
    CHECK_ERR(lk(fd, F_SETLK, F_RDLCK, 9, 5), EAGAIN);
    CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 10, 10));
    close(fd);
}

static void stage_split(void) {
    SEES(F_WRLCK, 0, 100, F_WRLCK, 0, 40);
    SEES(F_WRLCK, 50, 1, F_UNLCK, 0, 0);
    SEES(F_WRLCK, 45, 100, F_WRLCK, 60, 40);
    SEES(F_WRLCK, 100, 1, F_UNLCK, 0, 0);
}

static void stage_merge(void) {
    SEES(F_WRLCK, 0, 1, F_RDLCK, 0, 20); /* [0,10) and [10,20) merged */
    SEES(F_RDLCK, 0, 100, F_UNLCK, 0, 0);
}

static void stage_types(void) {
    /* write [0,30) with read on [10,20): three pieces. */
    SEES(F_RDLCK, 0, 30, F_WRLCK, 0, 10);
    SEES(F_RDLCK, 10, 20, F_WRLCK, 20, 10);
    SEES(F_WRLCK, 10, 10, F_RDLCK, 10, 10);
}

static void stage_infinite(void) {
    SEES(F_WRLCK, 1000000, 1, F_WRLCK, 50, 0); /* l_len 0: to infinity */
    SEES(F_WRLCK, 40, 5, F_WRLCK, 40, 5);      /* from l_start 45, l_len -5 */
    SEES(F_WRLCK, 45, 5, F_UNLCK, 0, 0);
    SEES(F_WRLCK, 45, 6, F_WRLCK, 50, 0);
    SEES(F_WRLCK, 30, 10, F_UNLCK, 0, 0);
}

static void stage_closed(void) {
    SEES(F_WRLCK, 0, 0, F_UNLCK, 0, 0);
}

static void stage_not_inherited(void) {
    /* The parent's lock conflicts with the child, even on the inherited fd. */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    CHECK_OK(fcntl(fd_rw, F_GETLK, &fl));
    CHECK(fl.l_type == F_WRLCK && fl.l_pid == parent);
    CHECK_ERR(lk(fd_rw, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
}

int main(void) {
    fs_enter_scratch();
    parent = getpid();
    CHECK_OK(fs_write_file("f", "0123456789"));
    fd_rw = open("f", O_RDWR);
    int st;

    /* A simple conflict. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 10));
    struct flock self = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    CHECK_OK(fcntl(fd_rw, F_GETLK, &self));
    CHECK_RET(self.l_type, F_UNLCK); /* never in conflict with ourselves */
    CHECK_OK(lk(fd_rw, F_SETLK, F_RDLCK, 0, 10)); /* converting our own */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 10));
    st = fs_in_child(stage1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = fs_in_child(stage_not_inherited);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Splitting. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 100));
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 40, 20));
    st = fs_in_child(stage_split);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 0));

    /* Merging. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_RDLCK, 0, 10));
    CHECK_OK(lk(fd_rw, F_SETLK, F_RDLCK, 10, 10));
    st = fs_in_child(stage_merge);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 0));

    /* A different type on a subrange. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 30));
    CHECK_OK(lk(fd_rw, F_SETLK, F_RDLCK, 10, 10));
    st = fs_in_child(stage_types);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 0));

    /* l_len 0, negative l_len, SEEK_CUR and SEEK_END. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 50, 0));
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 45, -5));
    st = fs_in_child(stage_infinite);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 0));
    CHECK_RET(lseek(fd_rw, 4, SEEK_SET), 4);
    struct flock cur = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 2, .l_len = 3};
    CHECK_OK(fcntl(fd_rw, F_SETLK, &cur));
    struct flock end = {.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -1, .l_len = 1};
    CHECK_OK(fcntl(fd_rw, F_SETLK, &end));
    pid_t pid = fork();
    if (pid == 0) {
        /* [6,9) from SEEK_CUR and [9,10) from SEEK_END merged */
        SEES(F_RDLCK, 0, 8, F_WRLCK, 6, 4);
        SEES(F_RDLCK, 9, 100, F_WRLCK, 6, 4);
        _exit(check_status());
    }
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 0));

    /* F_SETLKW waits for the holder. */
    int ready[2], done[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(done));
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 1));
    pid = fork();
    if (pid == 0) {
        int fd = open("f", O_RDWR);
        if (write(ready[1], "r", 1) != 1 || lk(fd, F_SETLKW, F_WRLCK, 0, 1) != 0 ||
            write(done[1], "d", 1) != 1)
            _exit(1);
        _exit(0);
    }
    char c;
    CHECK_RET(read(ready[0], &c, 1), 1);
    usleep(100000);
    CHECK_OK(fcntl(done[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(done[0], &c, 1), EAGAIN);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 1));
    CHECK_OK(fcntl(done[0], F_SETFL, 0));
    CHECK_RET(read(done[0], &c, 1), 1);
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Deadlock: the child holds byte 1 and waits for byte 0; we hold byte 0
     * and ask for byte 1. Whichever of us blocks second gets EDEADLK (almost
     * always the parent, after the pause), and the other then gets its lock. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 1));
    pid = fork();
    if (pid == 0) {
        int fd = open("f", O_RDWR);
        if (lk(fd, F_SETLK, F_WRLCK, 1, 1) != 0 || write(ready[1], "r", 1) != 1)
            _exit(1);
        if (lk(fd, F_SETLKW, F_WRLCK, 0, 1) != 0) /* waits for the parent */
            _exit(errno == EDEADLK ? 5 : 2);
        _exit(0);
    }
    CHECK_RET(read(ready[0], &c, 1), 1);
    usleep(200000); /* let the child block */
    int r = lk(fd_rw, F_SETLKW, F_WRLCK, 1, 1);
    int parent_deadlocked = r == -1 && errno == EDEADLK;
    CHECK(r == 0 || parent_deadlocked);
    CHECK_OK(lk(fd_rw, F_SETLK, F_UNLCK, 0, 0));
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 5));
    int child_deadlocked = WIFEXITED(st) && WEXITSTATUS(st) == 5;
    CHECK(parent_deadlocked + child_deadlocked == 1);
    close(ready[0]);
    close(ready[1]);
    close(done[0]);
    close(done[1]);

    /* Closing any descriptor of the file drops our locks. */
    CHECK_OK(lk(fd_rw, F_SETLK, F_WRLCK, 0, 0));
    int other = open("f", O_RDONLY);
    CHECK_OK(close(other));
    st = fs_in_child(stage_closed);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Errors. */
    int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY);
    CHECK_ERR(lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
    CHECK_ERR(lk(wo, F_SETLK, F_RDLCK, 0, 1), EBADF);
    CHECK_OK(lk(ro, F_SETLK, F_RDLCK, 0, 1));
    CHECK_OK(lk(wo, F_SETLK, F_WRLCK, 2, 1));
    struct flock bad = {.l_type = F_WRLCK, .l_whence = 5, .l_start = 0, .l_len = 1};
    CHECK_ERR(fcntl(fd_rw, F_SETLK, &bad), EINVAL);
    CHECK_ERR(fcntl(fd_rw, F_GETLK, &bad), EINVAL);
    bad = (struct flock){.l_type = 7, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    CHECK_ERR(fcntl(fd_rw, F_SETLK, &bad), EINVAL);
    CHECK_ERR(fcntl(fd_rw, F_GETLK, &bad), EINVAL);
    CHECK_ERR(lk(fd_rw, F_SETLK, F_WRLCK, -1, 1), EINVAL);
    CHECK_ERR(lk(fd_rw, F_SETLK, F_WRLCK, 2, -5), EINVAL);
    CHECK_ERR(fcntl(fd_rw, F_SETLK, (void *)1), EFAULT);
    CHECK_ERR(fcntl(fd_rw, F_GETLK, (void *)1), EFAULT);
    CHECK_ERR(lk(99, F_SETLK, F_WRLCK, 0, 1), EBADF);
    close(ro);
    close(wo);
    close(fd_rw);

    fs_leave_scratch();
    return check_status();
}
