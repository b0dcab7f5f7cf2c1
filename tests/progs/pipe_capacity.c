/* Pipe capacity: 65536 bytes by default (F_GETPIPE_SZ), filled byte by byte
 * until EAGAIN; a large non-blocking write is partial; Linux counts the
 * capacity in 16 page-sized slots, so a full pipe stays full for writes
 * until a whole page has been read (a 2-byte write into 1 free byte is
 * EAGAIN, PIPE_BUF atomicity). F_SETPIPE_SZ rounds up to a power-of-two
 * number of pages, is EBUSY below the slots in use, and is EBADF on a
 * non-pipe. A blocking write bigger than the pipe completes as a reader
 * drains it. */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

static char big[1 << 20];

static long fill_bytewise(int fd) {
    long n = 0;
    while (write(fd, "x", 1) == 1)
        n++;
    return errno == EAGAIN ? n : -errno;
}

static long fill_chunks(int fd, size_t chunk) {
    long n = 0;
    ssize_t r;
    while ((r = write(fd, big, chunk)) > 0)
        n += r;
    return errno == EAGAIN ? n : -errno;
}

static long drain(int fd) {
    long n = 0;
    ssize_t r;
    while ((r = read(fd, big, sizeof big)) > 0)
        n += r;
    return errno == EAGAIN ? n : -errno;
}

static int avail(int fd) {
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

static int reader_fd;
static long reader_total;

static void *reader(void *arg) {
    (void)arg;
    static char rb[10000];
    ssize_t r;
    usleep(20000);
    while ((r = read(reader_fd, rb, sizeof rb)) > 0)
        reader_total += r;
    return NULL;
}

int main(void) {
    int p[2];
    char c[4096];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    CHECK_RET(fcntl(p[0], F_GETPIPE_SZ), 65536);
    CHECK_RET(fcntl(p[1], F_GETPIPE_SZ), 65536);

    /* Byte by byte: exactly 65536, then EAGAIN. */
    CHECK_RET(fill_bytewise(p[1]), 65536);
    CHECK_RET(avail(p[0]), 65536);
    CHECK_ERR(write(p[1], "y", 1), EAGAIN);
    /* One byte read frees no slot: the pipe is still full for writers. */
    CHECK_RET(read(p[0], c, 1), 1);
    CHECK_ERR(write(p[1], "y", 1), EAGAIN);
    /* The rest of that page frees one slot: one page may be written. */
    CHECK_RET(read(p[0], c, 4095), 4095);
    CHECK_RET(avail(p[0]), 61440);
    CHECK_RET(write(p[1], big, 4096), 4096);
    CHECK_ERR(write(p[1], "y", 1), EAGAIN);
    CHECK_RET(drain(p[0]), 65536);
    CHECK_RET(avail(p[0]), 0);

    /* A large non-blocking write into an empty pipe is partial. */
    CHECK_RET(write(p[1], big, 100000), 65536);
    CHECK_ERR(write(p[1], big, 100000), EAGAIN);
    CHECK_RET(drain(p[0]), 65536);
    /* With 15 pages used, a 10000-byte write gets the last page. */
    CHECK_RET(write(p[1], big, 15 * 4096), 15 * 4096);
    CHECK_RET(write(p[1], big, 10000), 4096);
    CHECK_RET(drain(p[0]), 65536);
    /* 65535 bytes in: one byte is free; a 2-byte write (<= PIPE_BUF) is
     * all or nothing, a 1-byte write fits. */
    CHECK_RET(write(p[1], big, 65535), 65535);
    CHECK_ERR(write(p[1], "ab", 2), EAGAIN);
    CHECK_RET(write(p[1], "a", 1), 1);
    CHECK_ERR(write(p[1], "a", 1), EAGAIN);
    CHECK_RET(drain(p[0]), 65536);

    /* F_SETPIPE_SZ rounds up to a power-of-two number of pages. */
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
    CHECK_RET(fcntl(p[0], F_GETPIPE_SZ), 4096);
    CHECK_RET(fill_bytewise(p[1]), 4096);
    CHECK_RET(drain(p[0]), 4096);
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
    CHECK_RET(fcntl(p[0], F_SETPIPE_SZ, 3 * 4096), 16384);
    CHECK_RET(fcntl(p[0], F_SETPIPE_SZ, 65537), 131072);
    CHECK_RET(fcntl(p[0], F_GETPIPE_SZ), 131072);
    CHECK_RET(fill_chunks(p[1], 4096), 131072);
    CHECK_RET(drain(p[0]), 131072);
    CHECK_RET(fcntl(p[0], F_SETPIPE_SZ, 1 << 20), 1 << 20);
    CHECK_RET(fill_chunks(p[1], 65536), 1 << 20);
    CHECK_RET(avail(p[0]), 1 << 20);
    CHECK_RET(drain(p[0]), 1 << 20);
    CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, -1), EINVAL);
    CHECK_RET(fcntl(p[0], F_GETPIPE_SZ), 1 << 20);

    /* Shrinking below the slots in use is EBUSY. */
    CHECK_RET(fcntl(p[0], F_SETPIPE_SZ, 65536), 65536);
    CHECK_RET(write(p[1], big, 20000), 20000); /* 5 pages */
    CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY);
    CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 16384), EBUSY);
    CHECK_RET(fcntl(p[0], F_GETPIPE_SZ), 65536);
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 32768), 32768);
    CHECK_RET(avail(p[0]), 20000);
    CHECK_RET(fill_bytewise(p[1]), 32768 - 20000);
    CHECK_RET(drain(p[0]), 32768);

    /* A one-page pipe. */
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
    CHECK_RET(write(p[1], big, 5000), 4096);
    CHECK_ERR(write(p[1], "y", 1), EAGAIN);
    CHECK_RET(drain(p[0]), 4096);

    /* Not a pipe: EBADF. */
    int efd = eventfd(0, 0);
    CHECK(efd >= 0);
    CHECK_ERR(fcntl(efd, F_GETPIPE_SZ), EBADF);
    CHECK_ERR(fcntl(efd, F_SETPIPE_SZ, 4096), EBADF);
    close(efd);
    close(p[0]);
    close(p[1]);

    /* A blocking write of 300000 bytes into a 64 KiB pipe completes as a
     * reader thread drains it; the reader sees every byte, then EOF. */
    CHECK_OK(pipe(p));
    reader_fd = p[0];
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    CHECK_RET(write(p[1], big, 300000), 300000);
    close(p[1]);
    pthread_join(t, NULL);
    CHECK_RET(reader_total, 300000);
    close(p[0]);
    return check_status();
}
