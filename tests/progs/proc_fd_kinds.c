/* /proc/self/fd and fdinfo for files outside the tree: a pipe's ends read
 * "pipe:[ino]" with fstat's inode, their lstat modes follow the access
 * mode, stat follows them to the pipe, and opening an end's link opens
 * the pipe again in the mode asked for (a writer through the reader's
 * link, both ends with O_RDWR), end-of-file waiting for every writer;
 * eventfd, timerfd, signalfd, epoll and pidfd read "anon_inode:[...]"
 * with their fdinfo lines (count, clock and timer, mask, pid); fdinfo
 * flags show the access mode and status flags (O_NONBLOCK, O_CLOEXEC). */
#include "proc_util.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

static const char *link_of(int fd) {
    static char b[2][256];
    static int next;
    char *out = b[next++ % 2], p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, out, sizeof b[0] - 1);
    if (n < 0)
        return errno_name(errno);
    out[n] = 0;
    return out;
}

static int lmode(int fd) {
    char p[64];
    struct stat st;
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    return lstat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static const char *info(int fd, const char *key) {
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
    return proc_field(proc_read(p, NULL), key);
}

static int reopen(int fd, int flags) {
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    return open(p, flags);
}

int main(void) {
    char want[64], name[64], buf[16];
    struct stat a, b;

    /* Pipes. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fstat(p[0], &a));
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)a.st_ino);
    CHECK(strcmp(link_of(p[0]), want) == 0);
    CHECK(strcmp(link_of(p[1]), want) == 0);
    strcpy(name, want);
    CHECK_RET(lmode(p[0]), 0500);
    CHECK_RET(lmode(p[1]), 0300);
    snprintf(want, sizeof want, "/proc/self/fd/%d", p[0]);
    CHECK_OK(stat(want, &b));
    CHECK(S_ISFIFO(b.st_mode) && b.st_ino == a.st_ino);
    CHECK(strcmp(info(p[0], "flags"), "00") == 0);
    CHECK(strcmp(info(p[1], "flags"), "01") == 0);
    CHECK(strcmp(info(p[0], "pos"), "0") == 0);
    int w = reopen(p[0], O_WRONLY);
    CHECK(w >= 0);
    CHECK_RET(lmode(w), 0300);
    CHECK(strcmp(link_of(w), name) == 0);
    CHECK_RET(write(w, "via", 3), 3);
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    CHECK(memcmp(buf, "via", 3) == 0);
    int r = reopen(p[1], O_RDONLY);
    CHECK(r >= 0);
    CHECK_RET(write(p[1], "back", 4), 4);
    CHECK_RET(read(r, buf, sizeof buf), 4);
    int rw = reopen(p[0], O_RDWR);
    CHECK(rw >= 0);
    CHECK_RET(lmode(rw), 0700);
    CHECK_RET(write(rw, "self", 4), 4);
    CHECK_RET(read(rw, buf, sizeof buf), 4);
    CHECK(memcmp(buf, "self", 4) == 0);
    close(rw);
    close(p[1]);
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN); /* w still writes */
    close(w);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    CHECK(strcmp(info(p[0], "flags"), "04000") == 0);
    close(r);
    close(p[0]);
    int q[2];
    CHECK_OK(pipe2(q, O_NONBLOCK | O_CLOEXEC));
    CHECK(strcmp(info(q[0], "flags"), "02004000") == 0);
    close(q[0]);
    close(q[1]);

    /* Anonymous inodes. */
    int e = eventfd(3, EFD_NONBLOCK);
    CHECK(strcmp(link_of(e), "anon_inode:[eventfd]") == 0);
    CHECK_RET(lmode(e), 0700);
    CHECK(strcmp(info(e, "flags"), "04002") == 0);
    CHECK(strcmp(info(e, "eventfd-count"), "3") == 0);
    CHECK(strcmp(info(e, "eventfd-semaphore"), "0") == 0);
    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    CHECK(strcmp(link_of(t), "anon_inode:[timerfd]") == 0);
    CHECK(strcmp(info(t, "clockid"), "1") == 0);
    CHECK(strcmp(info(t, "ticks"), "0") == 0);
    CHECK(strcmp(info(t, "it_value"), "(0, 0)") == 0);
    struct itimerspec its = {.it_interval = {5, 0}, .it_value = {100, 0}};
    CHECK_OK(timerfd_settime(t, 0, &its, NULL));
    CHECK(strcmp(info(t, "it_interval"), "(5, 0)") == 0);
    CHECK(strncmp(info(t, "it_value"), "(99, ", 5) == 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    int s = signalfd(-1, &set, SFD_CLOEXEC);
    CHECK(strcmp(link_of(s), "anon_inode:[signalfd]") == 0);
    CHECK(strcmp(info(s, "sigmask"), "0000000000000200") == 0);
    CHECK(strcmp(info(s, "flags"), "02000002") == 0);
    int ep = epoll_create1(0);
    CHECK(strcmp(link_of(ep), "anon_inode:[eventpoll]") == 0);
    int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    CHECK(strcmp(link_of(pfd), "anon_inode:[pidfd]") == 0);
    snprintf(want, sizeof want, "%d", getpid());
    CHECK(strcmp(info(pfd, "Pid"), want) == 0);
    close(e);
    close(t);
    close(s);
    close(ep);
    close(pfd);

    /* A closed descriptor. */
    CHECK(strcmp(link_of(e), "ENOENT") == 0);
    snprintf(want, sizeof want, "/proc/self/fdinfo/%d", e);
    CHECK_ERR(open(want, O_RDONLY), ENOENT);
    return check_status();
}
