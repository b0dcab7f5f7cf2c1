/* epoll_create/epoll_create1/epoll_ctl/epoll_wait argument checking:
 * EINVAL for sizes <= 0 and unknown flags; EEXIST, ENOENT, EBADF, EINVAL
 * (not an epoll fd, adding an epoll fd to itself, bad op), EFAULT; the
 * EPOLLEXCLUSIVE rules (ADD only, only with IN/OUT/ERR/HUP/ET/WAKEUP, never
 * on an epoll fd, no MOD of an exclusive entry); ELOOP for cycles and for
 * chains of more than 5 epoll instances; and the registration key being
 * (file, fd number): a registration outlives close() while a dup keeps the
 * file open, cannot be deleted through the closed number (EBADF) nor the
 * dup (ENOENT), and vanishes with the last close. Files without a poll
 * operation (regular files, directories, memfds, /dev/null, /dev/zero and
 * /dev/urandom, but not /dev/random)
 * are EPERM, checked before the epoll fd itself; O_PATH descriptors are
 * EBADF. */
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/mman.h>

static int ready(int ep, struct epoll_event *ev, int max) { return epoll_wait(ep, ev, max, 0); }

int main(void) {
    struct epoll_event ev, out[8];
    int p[2];
    CHECK_OK(pipe(p));

    /* Creation. */
    CHECK_ERR(epoll_create(0), EINVAL);
    CHECK_ERR(epoll_create(-1), EINVAL);
    int ep = epoll_create(1);
    CHECK(ep >= 0);
    CHECK_RET(fcntl(ep, F_GETFD), 0);
    close(ep);
    CHECK_ERR(epoll_create1(O_NONBLOCK), EINVAL);
    CHECK_ERR(epoll_create1(1), EINVAL);
    ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    CHECK_RET(fcntl(ep, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(ep, F_GETFL) & O_ACCMODE, O_RDWR);

    /* ADD, duplicate ADD, MOD, DEL, and their errors. */
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 1};
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev), ENOENT);
    CHECK_ERR(epoll_ctl(ep, 0, p[0], &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, 4, p[0], &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 900, &ev), EBADF);
    CHECK_ERR(epoll_ctl(900, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    CHECK_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL); /* not an epoll fd */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);      /* itself */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, ep, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], 8L), EFAULT);
    CHECK_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], 8L), EFAULT);
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0); /* DEL ignores the event */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    /* Both ends of one pipe are separate registrations. */
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), 0);
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), 0);

    /* epoll_wait arguments. */
    CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, out, -1L, 0L), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, out, (long)(INT_MAX / sizeof(struct epoll_event) + 1), 0L), EINVAL);
    CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL);
    CHECK_ERR(epoll_wait(900, out, 1, 0), EBADF);
    CHECK_RET(ready(ep, out, 8), 0);
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, 8L, 1L, 0L), EFAULT);
    CHECK_RET(ready(ep, out, 8), 1);
    CHECK_RET(out[0].data.u64, 1);

    /* EPOLLEXCLUSIVE. */
    int q[2];
    CHECK_OK(pipe(q));
    ev = (struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = 2};
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev), EINVAL);
    ev.events = EPOLLIN;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev), EINVAL); /* nor MOD it at all */
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL), 0);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLET;
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), 0);
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL), 0);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), EINVAL);
    ev.events = EPOLLIN;
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), 0);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev), EINVAL);
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL), 0);
    int inner = epoll_create1(0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), EINVAL);

    /* Cycles: ep watches inner; inner may not watch ep. */
    ev.events = EPOLLIN;
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), 0);
    CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, ep, &ev), ELOOP);
    int third = epoll_create1(0);
    CHECK_RET(epoll_ctl(inner, EPOLL_CTL_ADD, third, &ev), 0);
    CHECK_ERR(epoll_ctl(third, EPOLL_CTL_ADD, ep, &ev), ELOOP);
    close(third);
    close(inner);

    /* Nesting depth: at most 5 epoll instances in a chain. Bottom-up,
     * e[i] watches e[i-1]: the fifth link is ELOOP; top-down, f[i] watches
     * f[i+1]: the same. */
    int e[8], f[8], links = 0;
    e[0] = epoll_create1(0);
    for (int i = 1; i < 8; i++)
        e[i] = epoll_create1(0);
    for (int i = 1; i < 8; i++) {
        ev = (struct epoll_event){.events = EPOLLIN};
        if (epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev) != 0)
            break;
        links++;
    }
    CHECK_RET(links, 4);
    CHECK_ERR(epoll_ctl(e[5], EPOLL_CTL_ADD, e[4], &ev), ELOOP);
    for (int i = 0; i < 8; i++)
        f[i] = epoll_create1(0);
    links = 0;
    for (int i = 0; i < 7; i++) {
        ev = (struct epoll_event){.events = EPOLLIN};
        if (epoll_ctl(f[i], EPOLL_CTL_ADD, f[i + 1], &ev) != 0)
            break;
        links++;
    }
    CHECK_RET(links, 4);
    CHECK_ERR(epoll_ctl(f[4], EPOLL_CTL_ADD, f[5], &ev), ELOOP);
    /* A pipe below the deepest allowed chain is fine. */
    CHECK_RET(epoll_ctl(e[0], EPOLL_CTL_ADD, p[1], &ev), 0);
    for (int i = 0; i < 8; i++) {
        close(e[i]);
        close(f[i]);
    }

    /* The (file, fd) key. ep has p[0] registered with data 1, ready. */
    int d = dup(p[0]);
    CHECK_OK(close(p[0]));
    CHECK_RET(ready(ep, out, 8), 1); /* still there: the file lives on */
    CHECK_RET(out[0].data.u64, 1);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), ENOENT);
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 3};
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev), 0); /* a second key, same file */
    CHECK_RET(ready(ep, out, 8), 2);
    CHECK(out[0].data.u64 + out[1].data.u64 == 4);
    /* A new file under the old number is yet another key. */
    int r[2];
    CHECK_OK(pipe(r));
    int renum = r[0];
    if (r[0] != p[0]) {
        renum = dup2(r[0], p[0]);
        close(r[0]);
    }
    CHECK_RET(renum, p[0]);
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 4};
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_RET(ready(ep, out, 8), 2);
    CHECK_RET(write(r[1], "y", 1), 1);
    CHECK_RET(ready(ep, out, 8), 3);
    /* DEL by number now finds the new file's key. */
    CHECK_RET(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0);
    CHECK_RET(ready(ep, out, 8), 2);
    /* The last close of the first pipe's read end drops both its keys. */
    CHECK_OK(close(d));
    CHECK_RET(ready(ep, out, 8), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), EBADF);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    close(r[1]);

    /* No poll operation. */
    struct epoll_event in = {.events = EPOLLIN};
    int reg = open("/proc/self/exe", O_RDONLY);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    int mem = memfd_create("epoll", 0);
    int null = open("/dev/null", O_RDONLY);
    int zero = open("/dev/zero", O_RDONLY);
    int urandom = open("/dev/urandom", O_RDONLY);
    int random = open("/dev/random", O_RDONLY);
    int path = open("/", O_PATH);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &in), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &in), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, mem, &in), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, null, &in), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, zero, &in), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, reg, NULL), EPERM);
    CHECK_ERR(epoll_ctl(reg, EPOLL_CTL_ADD, reg, &in), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, path, &in), EBADF);
    CHECK_ERR(epoll_ctl(path, EPOLL_CTL_ADD, ep, &in), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, urandom, &in), EPERM);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, random, &in));
    CHECK_RET(ready(ep, out, 8), 1);
    close(reg);
    close(dir);
    close(mem);
    close(null);
    close(zero);
    close(urandom);
    close(random);
    close(path);
    close(ep);
    return check_status();
}
