/* eventfd2: the initial value, writes adding to the counter and a read
 * returning and zeroing it; EFD_SEMAPHORE reads 1 at a time; EFD_NONBLOCK
 * reads of 0 are EAGAIN; writing 2^64-1 is EINVAL, writing 0 is a no-op;
 * the counter tops out at 2^64-2 (EAGAIN non-blocking, a blocking writer
 * waits for a reader); reads need at least 8 bytes (and move 8), writes
 * exactly 8 since Linux 6.6 (anything else is EINVAL); bad flags EINVAL; a
 * read into a bad buffer is EFAULT yet has consumed the count; POLLIN and
 * POLLOUT follow the counter; EPOLLET fires per write; a blocking read is
 * woken by a writer thread. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static long rd(int fd, uint64_t *v) { return read(fd, v, sizeof *v); }
static long wr(int fd, uint64_t v) { return write(fd, &v, sizeof v); }

static short revents(int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    poll(&p, 1, 0);
    return p.revents;
}

static int tfd;
static uint64_t thread_got;

static void *late_add(void *arg) {
    (void)arg;
    usleep(30000);
    return (void *)(long)(wr(tfd, 42) != 8);
}

static void *late_drain(void *arg) {
    (void)arg;
    usleep(30000);
    return (void *)(long)(rd(tfd, &thread_got) != 8);
}

int main(void) {
    uint64_t v;

    /* Flags. */
    CHECK_ERR(syscall(SYS_eventfd2, 0, O_APPEND), EINVAL);
    CHECK_ERR(syscall(SYS_eventfd2, 0, 1 << 30), EINVAL);
    CHECK_ERR(syscall(SYS_eventfd2, 0, O_RDWR), EINVAL);
    int fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);

    /* Counter semantics. */
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 5);
    CHECK_ERR(rd(fd, &v), EAGAIN);
    CHECK_RET(wr(fd, 3), 8);
    CHECK_RET(wr(fd, 4), 8);
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 7);
    CHECK_RET(wr(fd, 0), 8); /* accepted, changes nothing */
    CHECK_ERR(rd(fd, &v), EAGAIN);

    /* Limits. */
    CHECK_ERR(wr(fd, UINT64_MAX), EINVAL);
    CHECK_RET(wr(fd, UINT64_MAX - 1), 8);
    CHECK_ERR(wr(fd, 1), EAGAIN);
    CHECK_RET(wr(fd, 0), 8);
    CHECK_RET(revents(fd), POLLIN);
    CHECK_RET(rd(fd, &v), 8);
    CHECK(v == UINT64_MAX - 1);
    CHECK_RET(revents(fd), POLLOUT);
    CHECK_RET(wr(fd, 1), 8);
    CHECK_RET(revents(fd), POLLIN | POLLOUT);
    CHECK_ERR(wr(fd, UINT64_MAX - 1), EAGAIN); /* 1 + (2^64-2) would pass the top */
    CHECK_RET(wr(fd, UINT64_MAX - 2), 8);
    CHECK_ERR(wr(fd, 1), EAGAIN);
    CHECK_RET(rd(fd, &v), 8);
    CHECK(v == UINT64_MAX - 1);

    /* Buffer sizes. */
    char small[4], large[16];
    CHECK_RET(wr(fd, 9), 8);
    CHECK_ERR(read(fd, small, sizeof small), EINVAL);
    CHECK_ERR(read(fd, small, 0), EINVAL);
    CHECK_ERR(write(fd, small, sizeof small), EINVAL);
    memset(large, 0, sizeof large);
    CHECK_RET(read(fd, large, sizeof large), 8);
    memcpy(&v, large, 8);
    CHECK_RET(v, 9);
    /* Writes must be exactly 8 bytes (Linux 6.6+); reads at least 8. */
    uint64_t two[2] = {6, 100};
    CHECK_ERR(write(fd, two, sizeof two), EINVAL);
    CHECK_ERR(write(fd, two, 9), EINVAL);
    CHECK_RET(write(fd, two, 8), 8);
    CHECK_ERR(read(fd, large, 7), EINVAL);
    CHECK_RET(read(fd, large, 9), 8);
    memcpy(&v, large, 8);
    CHECK_RET(v, 6);
    /* Bad buffers: a bad write changes nothing; a bad read is EFAULT but
     * the count was already taken. */
    CHECK_ERR(syscall(SYS_write, fd, 8L, 8L), EFAULT);
    CHECK_ERR(rd(fd, &v), EAGAIN);
    CHECK_RET(wr(fd, 5), 8);
    CHECK_ERR(syscall(SYS_read, fd, 8L, 8L), EFAULT);
    CHECK_ERR(rd(fd, &v), EAGAIN);
    close(fd);

    /* Semaphore mode. */
    fd = eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE);
    CHECK(fd >= 0);
    int ones = 0;
    while (rd(fd, &v) == 8 && v == 1)
        ones++;
    CHECK_RET(ones, 3);
    CHECK_ERR(rd(fd, &v), EAGAIN);
    CHECK_RET(wr(fd, 2), 8);
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 1);
    CHECK_RET(revents(fd), POLLIN | POLLOUT);
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 1);
    CHECK_RET(revents(fd), POLLOUT);
    close(fd);

    /* The initial value is an unsigned int. */
    fd = eventfd(0xffffffffu, EFD_NONBLOCK);
    CHECK_RET(rd(fd, &v), 8);
    CHECK(v == 0xffffffffu);
    close(fd);

    /* Edge-triggered epoll: every write is an edge. */
    fd = eventfd(0, EFD_NONBLOCK);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 77}, out[2];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    CHECK_RET(epoll_wait(ep, out, 2, 0), 0);
    CHECK_RET(wr(fd, 1), 8);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 1);
    CHECK_RET(out[0].data.u64, 77);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 0);
    CHECK_RET(wr(fd, 1), 8);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 1);
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 2);
    close(ep);
    close(fd);

    /* Blocking: a read waits for a writer thread... */
    fd = eventfd(0, 0);
    tfd = fd;
    pthread_t t;
    void *tr;
    pthread_create(&t, NULL, late_add, NULL);
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 42);
    pthread_join(t, &tr);
    CHECK(tr == NULL);
    /* ...and a write that would overflow waits for a reader. */
    CHECK_RET(wr(fd, UINT64_MAX - 1), 8);
    pthread_create(&t, NULL, late_drain, NULL);
    CHECK_RET(wr(fd, 10), 8);
    pthread_join(t, &tr);
    CHECK(tr == NULL);
    CHECK(thread_got == UINT64_MAX - 1);
    CHECK_RET(rd(fd, &v), 8);
    CHECK_RET(v, 10);
    close(fd);
    return check_status();
}
