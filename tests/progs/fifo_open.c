/* Named pipes: O_RDONLY|O_NONBLOCK opens without a writer (and reads 0),
 * O_WRONLY|O_NONBLOCK without a reader is ENXIO but works once a reader
 * exists, O_RDWR and O_PATH never block; blocking opens of both ends meet
 * between a parent and a forked child; 256 KiB cross intact between processes,
 * then EOF when the writer closes; writing with no reader left is EPIPE
 * (SIGPIPE ignored); fstat shows the FIFO's inode, lseek is ESPIPE, FIONREAD
 * counts, O_TRUNC is ignored, the data never reaches the filesystem (size
 * stays 0). */
#include "fs_util.h"
#include <signal.h>
#include <sys/ioctl.h>

#define TOTAL (256 * 1024)

static void reader_child(void) {
    int fd = open("fifo", O_RDONLY); /* blocks until the parent opens to write */
    if (fd < 0)
        _exit(10);
    static char buf[8192];
    long total = 0, sum = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0)
            _exit(11);
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            sum += (unsigned char)buf[i] ^ ((total + i) & 0xff);
        total += n;
    }
    close(fd);
    _exit(total == TOTAL && sum == 0 ? 0 : 12);
}

int main(void) {
    char buf[64];
    struct stat st, st2;
    signal(SIGPIPE, SIG_IGN);
    fs_enter_scratch();
    CHECK_OK(mkfifo("fifo", 0644));

    /* Non-blocking opens. */
    CHECK_ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
    int r = open("fifo", O_RDONLY | O_NONBLOCK);
    CHECK(r >= 0);
    CHECK_RET(read(r, buf, sizeof buf), 0); /* no writer: EOF, not EAGAIN */
    int w = open("fifo", O_WRONLY | O_NONBLOCK);
    CHECK(w >= 0);
    CHECK_ERR(read(r, buf, sizeof buf), EAGAIN); /* a writer, no data */
    CHECK_RET(write(w, "hello", 5), 5);
    int n = -1;
    CHECK_OK(ioctl(r, FIONREAD, &n));
    CHECK_RET(n, 5);
    CHECK_OK(fstat(r, &st));
    CHECK_OK(stat("fifo", &st2));
    CHECK(S_ISFIFO(st.st_mode) && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    CHECK_RET(st2.st_size, 0);
    CHECK_ERR(lseek(r, 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(pread(r, buf, 1, 0), ESPIPE);
    CHECK_RET(read(r, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(fcntl(w, F_GETPIPE_SZ) > 0);
    CHECK_OK(close(r));
    CHECK_ERR(write(w, "x", 1), EPIPE);
    CHECK_OK(close(w));

    /* O_RDWR and O_PATH never block; O_TRUNC is ignored. */
    int rw = open("fifo", O_RDWR | O_TRUNC);
    CHECK(rw >= 0);
    CHECK_RET(write(rw, "self", 4), 4);
    CHECK_RET(read(rw, buf, sizeof buf), 4);
    CHECK_OK(close(rw));
    int p = open("fifo", O_PATH);
    CHECK(p >= 0);
    CHECK_ERR(read(p, buf, 1), EBADF);
    CHECK_OK(close(p));

    /* Blocking opens meet across fork; a stream of data with a checksum. */
    pid_t pid = fork();
    if (pid == 0)
        reader_child();
    w = open("fifo", O_WRONLY); /* blocks until the child opens to read */
    CHECK(w >= 0);
    static char out[TOTAL];
    for (long i = 0; i < TOTAL; i++)
        out[i] = (char)(i & 0xff);
    long done = 0;
    while (done < TOTAL) {
        ssize_t k = write(w, out + done, TOTAL - done);
        if (k <= 0)
            break;
        done += k;
    }
    CHECK_RET(done, TOTAL);
    CHECK_OK(close(w));
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK(stat("fifo", &st2));
    CHECK_RET(st2.st_size, 0);

    /* The reverse: the parent reads, a child writes then exits. */
    pid = fork();
    if (pid == 0) {
        int fd = open("fifo", O_WRONLY);
        if (fd < 0 || write(fd, "from child", 10) != 10)
            _exit(1);
        _exit(0);
    }
    r = open("fifo", O_RDONLY);
    CHECK(r >= 0);
    long got = 0;
    for (;;) {
        ssize_t k = read(r, buf + got, sizeof buf - got);
        if (k <= 0)
            break;
        got += k;
    }
    CHECK_RET(got, 10);
    CHECK(memcmp(buf, "from child", 10) == 0);
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK(close(r));

    fs_leave_scratch();
    return check_status();
}
