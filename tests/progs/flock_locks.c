/* flock(2): locks belong to open file descriptions. Shared locks coexist, an
 * exclusive one conflicts with any other description (EWOULDBLOCK with
 * LOCK_NB), upgrades and downgrades convert in place, a dup or a fork'd copy
 * shares the lock (unlocking through either releases it, closing one of
 * several descriptors does not); a blocked LOCK_EX in a child waits for the
 * parent's unlock; a read-only descriptor may take LOCK_EX; flock and fcntl
 * record locks do not see each other; closing the last descriptor releases;
 * errors: EINVAL for bad operations (but the obsolete LOCK_MAND "succeeds"
 * doing nothing), EBADF. */
#include "fs_util.h"
#include <sys/file.h>

static int try_lock(int op) {
    int fd = open("f", O_RDONLY);
    int r = flock(fd, op | LOCK_NB);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "lockme"));
    int a = open("f", O_RDONLY);
    int b = open("f", O_RDONLY);

    /* Shared and exclusive between two descriptions. */
    CHECK_OK(flock(a, LOCK_SH));
    CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
    CHECK_ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_OK(flock(a, LOCK_EX | LOCK_NB)); /* upgrade */
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    CHECK_ERR(try_lock(LOCK_EX), EWOULDBLOCK);
    CHECK_OK(flock(a, LOCK_EX)); /* relocking is fine */
    CHECK_OK(flock(a, LOCK_SH)); /* downgrade */
    CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
    CHECK_OK(try_lock(LOCK_SH));
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_OK(flock(b, LOCK_UN)); /* unlocking without a lock is fine */
    CHECK_OK(flock(a, LOCK_UN));

    /* A dup shares the lock. */
    CHECK_OK(flock(a, LOCK_EX));
    int a2 = dup(a);
    CHECK_OK(flock(a2, LOCK_EX | LOCK_NB)); /* the same lock */
    CHECK_OK(close(a2));                     /* a still holds it */
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    a2 = dup(a);
    CHECK_OK(flock(a2, LOCK_UN)); /* unlocks for both */
    CHECK_OK(flock(b, LOCK_EX | LOCK_NB));
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_OK(close(a2));

    /* flock and fcntl locks are separate. */
    CHECK_OK(flock(a, LOCK_EX));
    int rw = open("f", O_RDWR);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(rw, F_SETLK, &fl));
    CHECK_OK(close(rw));

    /* fork: the child's copy is the same description. */
    pid_t pid = fork();
    if (pid == 0) {
        if (flock(a, LOCK_EX | LOCK_NB) != 0) /* already ours */
            _exit(1);
        if (try_lock(LOCK_SH) != -1 || errno != EWOULDBLOCK)
            _exit(2);
        _exit(0); /* exiting closes the child's copy only */
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);

    /* A child blocks in LOCK_EX until the parent unlocks. */
    int ready[2], done[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(done));
    pid = fork();
    if (pid == 0) {
        int fd = open("f", O_RDONLY);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        if (flock(fd, LOCK_EX) != 0) /* blocks */
            _exit(2);
        if (write(done[1], "d", 1) != 1)
            _exit(3);
        _exit(0);
    }
    char c;
    CHECK_RET(read(ready[0], &c, 1), 1);
    usleep(100000);
    CHECK_OK(fcntl(done[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(done[0], &c, 1), EAGAIN); /* still waiting */
    CHECK_OK(flock(a, LOCK_UN));
    CHECK_OK(fcntl(done[0], F_SETFL, 0));
    CHECK_RET(read(done[0], &c, 1), 1);
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK(try_lock(LOCK_EX)); /* the child's exit released it */
    close(ready[0]);
    close(ready[1]);
    close(done[0]);
    close(done[1]);

    /* Closing releases. */
    CHECK_OK(flock(b, LOCK_EX));
    CHECK_OK(close(b));
    CHECK_OK(flock(a, LOCK_EX | LOCK_NB));

    /* Errors. */
    CHECK_ERR(flock(a, 0), EINVAL);
    CHECK_ERR(flock(a, LOCK_NB), EINVAL);
    CHECK_ERR(flock(a, LOCK_SH | LOCK_EX), EINVAL);
    CHECK_ERR(flock(a, 16), EINVAL);
    CHECK_RET(flock(a, LOCK_MAND | LOCK_READ), 0); /* obsolete: ignored, succeeds */
    CHECK_ERR(flock(99, LOCK_SH), EBADF);
    CHECK_OK(close(a));

    fs_leave_scratch();
    return check_status();
}
