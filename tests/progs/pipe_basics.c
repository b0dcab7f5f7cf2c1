/* Pipes: pipe and pipe2 (O_CLOEXEC, O_NONBLOCK, O_DIRECT accepted; other
 * flags EINVAL; a bad array EFAULT without leaking descriptors), the ends'
 * access modes and fstat (S_ISFIFO, same inode both ends), EBADF for the
 * wrong direction, ESPIPE for seeking and positional I/O, FIONREAD, zero-
 * length reads and writes, non-blocking EAGAIN, EOF after the last writer
 * closes (data first), a blocking read woken by a writer thread, and
 * writev/readv scatter-gather (a bad iovec is EFAULT and writes nothing). */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

static int lowest_free_fd(void) {
    int fd = dup(1);
    close(fd);
    return fd;
}

static int wfd_for_thread;

static void *late_writer(void *arg) {
    (void)arg;
    usleep(30000);
    if (write(wfd_for_thread, "hello", 5) != 5)
        return (void *)1;
    return NULL;
}

static void *late_closer(void *arg) {
    (void)arg;
    usleep(30000);
    close(wfd_for_thread);
    return NULL;
}

int main(void) {
    int p[2];
    char buf[64];

    /* pipe2 flags. */
    CHECK_RET(syscall(SYS_pipe2, p, 0), 0);
    CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
    CHECK_RET(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_RET(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_RET(fcntl(p[0], F_GETFL) & (O_NONBLOCK | O_DIRECT), 0);
    CHECK_RET(fcntl(p[0], F_GETFD), 0);
    CHECK_RET(fcntl(p[1], F_GETFD), 0);

    /* fstat: a FIFO, one inode shared by both ends, empty size. */
    struct stat s0, s1;
    CHECK_OK(fstat(p[0], &s0));
    CHECK_OK(fstat(p[1], &s1));
    CHECK(S_ISFIFO(s0.st_mode) && S_ISFIFO(s1.st_mode));
    CHECK(s0.st_ino == s1.st_ino && s0.st_dev == s1.st_dev);
    CHECK((s0.st_mode & 0777) == 0600);
    CHECK(s0.st_nlink == 1);
    CHECK(s0.st_uid == getuid() && s0.st_gid == getgid());
    CHECK(s0.st_size == 0);
    CHECK(s0.st_blksize == 4096);

    /* Wrong direction, seeking, positional I/O. */
    CHECK_ERR(read(p[1], buf, 1), EBADF);
    CHECK_ERR(write(p[0], "x", 1), EBADF);
    CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERR(lseek(p[1], 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    CHECK_ERR(pwrite(p[1], "x", 1, 0), ESPIPE);

    /* Data, FIONREAD, ordering, zero-length operations. */
    int n = -1;
    CHECK_OK(ioctl(p[0], FIONREAD, &n));
    CHECK_RET(n, 0);
    CHECK_RET(write(p[1], "", 0), 0);
    CHECK_RET(read(p[0], buf, 0), 0); /* returns at once even though empty */
    CHECK_RET(write(p[1], "abc", 3), 3);
    CHECK_RET(write(p[1], "defg", 4), 4);
    CHECK_OK(ioctl(p[0], FIONREAD, &n));
    CHECK_RET(n, 7);
    CHECK_OK(ioctl(p[1], FIONREAD, &n)); /* the write end answers too */
    CHECK_RET(n, 7);
    CHECK_RET(read(p[0], buf, 2), 2);
    CHECK(memcmp(buf, "ab", 2) == 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 5); /* what is there, no more */
    CHECK(memcmp(buf, "cdefg", 5) == 0);
    /* Reads into and writes from bad memory. */
    CHECK_ERR(syscall(SYS_write, p[1], 8L, 1L), EFAULT);
    CHECK_RET(write(p[1], "z", 1), 1);
    CHECK_ERR(syscall(SYS_read, p[0], 8L, 1L), EFAULT);
    CHECK_RET(read(p[0], buf, 1), 1); /* the byte survived the failed read */
    CHECK(buf[0] == 'z');

    /* Non-blocking on an empty pipe with a writer: EAGAIN. */
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));

    /* A blocking read is woken by a writer thread. */
    pthread_t t;
    wfd_for_thread = p[1];
    pthread_create(&t, NULL, late_writer, NULL);
    memset(buf, 0, sizeof buf);
    CHECK_RET(read(p[0], buf, sizeof buf), 5);
    CHECK(strcmp(buf, "hello") == 0);
    void *tr;
    pthread_join(t, &tr);
    CHECK(tr == NULL);

    /* writev/readv. */
    struct iovec wv[3] = {{"one", 3}, {"", 0}, {"three", 5}};
    CHECK_RET(writev(p[1], wv, 3), 8);
    char r1[2], r2[10];
    struct iovec rv[2] = {{r1, 2}, {r2, 10}};
    CHECK_RET(readv(p[0], rv, 2), 8);
    CHECK(memcmp(r1, "on", 2) == 0 && memcmp(r2, "ethree", 6) == 0);
    struct iovec badv[2] = {{"ok", 2}, {(void *)8, 4}};
    /* A bad iovec after a good one: EFAULT, and the good part is dropped. */
    CHECK_ERR(writev(p[1], badv, 2), EFAULT);
    CHECK_OK(ioctl(p[0], FIONREAD, &n));
    CHECK_RET(n, 0);
    CHECK_ERR(syscall(SYS_writev, p[1], wv, -1L), EINVAL);

    /* EOF: data first, then 0, forever; with O_NONBLOCK too. */
    CHECK_RET(write(p[1], "tail", 4), 4);
    CHECK_OK(close(p[1]));
    CHECK_RET(read(p[0], buf, 2), 2);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(close(p[0]));

    /* A blocked reader sees EOF when the last writer closes; a dup of the
     * write end keeps the pipe open. */
    CHECK_OK(pipe(p));
    int w2 = dup(p[1]);
    CHECK(w2 >= 0);
    CHECK_OK(close(p[1]));
    wfd_for_thread = w2;
    pthread_create(&t, NULL, late_closer, NULL);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    pthread_join(t, NULL);
    CHECK_OK(close(p[0]));

    /* O_CLOEXEC, O_NONBLOCK, O_DIRECT. */
    CHECK_RET(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    CHECK_RET(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK);
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);
    close(p[0]);
    close(p[1]);
    CHECK_RET(pipe2(p, O_DIRECT), 0);
    /* O_DIRECT (packet mode) lands on the write end only. */
    CHECK_RET(fcntl(p[0], F_GETFL) & O_DIRECT, 0);
    CHECK(fcntl(p[1], F_GETFL) & O_DIRECT);
    close(p[0]);
    close(p[1]);

    /* Bad flags: EINVAL. */
    CHECK_ERR(pipe2(p, O_APPEND), EINVAL);
    CHECK_ERR(pipe2(p, O_RDWR), EINVAL);
    CHECK_ERR(pipe2(p, O_NOCTTY), EINVAL);
    CHECK_ERR(pipe2(p, 1 << 30), EINVAL);

    /* Bad array: EFAULT, and the descriptors made meanwhile are gone. */
    int lowest = lowest_free_fd();
    CHECK_ERR(syscall(SYS_pipe2, NULL, 0), EFAULT);
    CHECK_ERR(syscall(SYS_pipe, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_pipe2, (void *)8, O_CLOEXEC), EFAULT);
    CHECK_RET(lowest_free_fd(), lowest);
    CHECK_RET(syscall(SYS_pipe, p), 0);
    CHECK_RET(p[0], lowest);
    CHECK(p[1] > p[0]);
    close(p[0]);
    close(p[1]);
    return check_status();
}
