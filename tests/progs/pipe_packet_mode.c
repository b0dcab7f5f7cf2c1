/* O_DIRECT pipes ("packet mode", Linux 3.4+): each write is a packet and
 * each read returns at most one; a read shorter than the packet discards
 * the rest; writes over a page split into page-sized packets; every packet,
 * even of one byte, takes one of the 16 slots; zero-length writes make no
 * packet; readv fills its iovecs from one packet only. F_SETFL switches
 * packet mode on and off for later writes; queued data keeps its form, and
 * a write merges into a queued stream buffer even in packet mode. */
#include "check.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

static int avail(int fd) {
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

int main(void) {
    int p[2];
    char buf[8192];
    static char big[10000];
    memset(big, 'p', sizeof big);
    CHECK_OK(pipe2(p, O_DIRECT | O_NONBLOCK));
    CHECK(fcntl(p[1], F_GETFL) & O_DIRECT);

    /* Packets keep their boundaries. */
    CHECK_RET(write(p[1], "abc", 3), 3);
    CHECK_RET(write(p[1], "defgh", 5), 5);
    CHECK_RET(write(p[1], "ij", 2), 2);
    CHECK_RET(avail(p[0]), 10);
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    /* A short read takes the head of a packet and drops the rest. */
    CHECK_RET(read(p[0], buf, 2), 2);
    CHECK(memcmp(buf, "de", 2) == 0);
    CHECK_RET(avail(p[0]), 2);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);
    CHECK(memcmp(buf, "ij", 2) == 0);
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);

    /* Zero-length writes make no packet. */
    CHECK_RET(write(p[1], "", 0), 0);
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);

    /* A 5000-byte write: a 4096-byte packet and a 904-byte one. */
    CHECK_RET(write(p[1], big, 5000), 5000);
    CHECK_RET(read(p[0], buf, sizeof buf), 4096);
    CHECK_RET(read(p[0], buf, sizeof buf), 904);
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);

    /* readv: one packet spread over two iovecs, and no more. */
    CHECK_RET(write(p[1], "abcdef", 6), 6);
    CHECK_RET(write(p[1], "XY", 2), 2);
    char r1[2], r2[10];
    struct iovec rv[2] = {{r1, 2}, {r2, 10}};
    CHECK_RET(readv(p[0], rv, 2), 6);
    CHECK(memcmp(r1, "ab", 2) == 0 && memcmp(r2, "cdef", 4) == 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);

    /* writev makes one packet of the whole vector. */
    struct iovec wv[3] = {{"12", 2}, {"345", 3}, {"6", 1}};
    CHECK_RET(writev(p[1], wv, 3), 6);
    CHECK_RET(write(p[1], "7", 1), 1);
    CHECK_RET(read(p[0], buf, sizeof buf), 6);
    CHECK(memcmp(buf, "123456", 6) == 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);

    /* Each one-byte packet takes a slot: 16 fit. */
    int n = 0;
    while (write(p[1], "z", 1) == 1)
        n++;
    CHECK_RET(n, 16);
    CHECK_ERR(write(p[1], "z", 1), EAGAIN);
    CHECK_RET(avail(p[0]), 16);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(write(p[1], "z", 1), 1);
    n = 0;
    while (read(p[0], buf, sizeof buf) == 1)
        n++;
    CHECK_RET(n, 16);

    /* F_SETFL turns packet mode on for an ordinary pipe's writes... */
    int q[2];
    CHECK_OK(pipe2(q, O_NONBLOCK));
    CHECK_RET(write(q[1], "ss", 2), 2);
    CHECK_OK(fcntl(q[1], F_SETFL, O_NONBLOCK | O_DIRECT));
    CHECK(fcntl(q[1], F_GETFL) & O_DIRECT);
    CHECK_RET(write(q[1], "PPP", 3), 3);
    CHECK_RET(write(q[1], "QQ", 2), 2);
    /* Merging is decided by the last queued buffer, a stream one here: the
     * "packets" joined it. */
    CHECK_RET(read(q[0], buf, sizeof buf), 7);
    CHECK(memcmp(buf, "ssPPPQQ", 7) == 0);
    /* With the pipe empty, they are packets. */
    CHECK_RET(write(q[1], "PPP", 3), 3);
    CHECK_RET(write(q[1], "QQ", 2), 2);
    CHECK_RET(read(q[0], buf, 1), 1);
    CHECK(buf[0] == 'P');
    CHECK_RET(read(q[0], buf, sizeof buf), 2);
    CHECK(memcmp(buf, "QQ", 2) == 0);
    close(q[0]);
    close(q[1]);
    /* ...and off: packets already queued stay packets, new writes merge
     * into a stream. */
    CHECK_RET(write(p[1], "AAA", 3), 3);
    CHECK_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    CHECK_RET(fcntl(p[1], F_GETFL) & O_DIRECT, 0);
    CHECK_RET(write(p[1], "bb", 2), 2);
    CHECK_RET(write(p[1], "cc", 2), 2);
    CHECK_RET(read(p[0], buf, 1), 1); /* the head of the packet; rest dropped */
    CHECK(buf[0] == 'A');
    CHECK_RET(read(p[0], buf, 1), 1);
    CHECK(buf[0] == 'b');
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    CHECK(memcmp(buf, "bcc", 3) == 0);

    /* EOF in packet mode is as usual. */
    close(p[1]);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    close(p[0]);
    return check_status();
}
