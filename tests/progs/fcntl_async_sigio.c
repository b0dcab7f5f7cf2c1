/* O_ASYNC: F_SETOWN/F_GETOWN (process, negative for a group),
 * F_SETOWN_EX/F_GETOWN_EX, F_SETSIG/F_GETSIG and their errors; a pipe's read
 * end signals its owner on each write, its write end on each read that frees
 * space; plain SIGIO by default, the F_SETSIG signal with si_code POLL_IN or
 * POLL_OUT, si_band and si_fd otherwise; nothing without O_ASYNC or without
 * an owner; FIOASYNC sets and clears the flag; a child or a process group as
 * owner; AF_UNIX sockets and pty masters signal when data arrives. */
#define _GNU_SOURCE
#include "fs_util.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static volatile int sigio_count, rt_count, rt_code, rt_fd;
static volatile long rt_band;

static void on_sigio(int sig) {
    (void)sig;
    sigio_count++;
}

static void on_rt(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    rt_count++;
    rt_code = si->si_code;
    rt_band = si->si_band;
    rt_fd = si->si_fd;
}

static void reset(void) {
    sigio_count = rt_count = rt_code = rt_fd = 0;
    rt_band = 0;
}

/* Waits up to a second for a blocked SIGIO; returns whether one came. */
static int sigio_arrives(void) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGIO);
    struct timespec ts = {1, 0};
    return sigtimedwait(&s, NULL, &ts) == SIGIO;
}

int main(void) {
    /* Signals to our process group must not reach whoever started us. */
    setpgid(0, 0);
    CHECK_RET(getpgrp(), getpid());
    int rt = SIGRTMIN + 1;
    struct sigaction sa = {.sa_handler = on_sigio};
    sigaction(SIGIO, &sa, NULL);
    struct sigaction sr = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO};
    sigaction(rt, &sr, NULL);
    char buf[64];
    int p[2];
    CHECK_OK(pipe(p));

    /* Owners and signals. */
    CHECK_RET(fcntl(p[0], F_GETOWN), 0);
    CHECK_RET(fcntl(p[0], F_GETSIG), 0);
    CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
    CHECK_RET(fcntl(p[0], F_GETOWN), getpid());
    struct f_owner_ex ex;
    CHECK_OK(fcntl(p[0], F_GETOWN_EX, &ex));
    CHECK(ex.type == F_OWNER_PID && ex.pid == getpid());
    CHECK_OK(fcntl(p[0], F_SETOWN, -getpgrp()));
    CHECK_RET(fcntl(p[0], F_GETOWN), -getpgrp());
    CHECK_OK(fcntl(p[0], F_GETOWN_EX, &ex));
    CHECK(ex.type == F_OWNER_PGRP && ex.pid == getpgrp());
    ex = (struct f_owner_ex){.type = F_OWNER_TID, .pid = gettid()};
    CHECK_OK(fcntl(p[0], F_SETOWN_EX, &ex));
    CHECK_RET(fcntl(p[0], F_GETOWN), gettid());
    ex = (struct f_owner_ex){.type = 7, .pid = getpid()};
    CHECK_ERR(fcntl(p[0], F_SETOWN_EX, &ex), EINVAL);
    CHECK_ERR(fcntl(p[0], F_SETOWN_EX, (void *)1), EFAULT);
    CHECK_ERR(fcntl(p[0], F_GETOWN_EX, (void *)1), EFAULT);
    CHECK_ERR(fcntl(p[0], F_SETOWN, 4000000), ESRCH);
    CHECK_ERR(fcntl(p[0], F_SETOWN, -4000000), ESRCH);
    CHECK_ERR(fcntl(p[0], F_SETSIG, 65), EINVAL);
    CHECK_OK(fcntl(p[0], F_SETSIG, rt));
    CHECK_RET(fcntl(p[0], F_GETSIG), rt);
    CHECK_OK(fcntl(p[0], F_SETSIG, 0));
    CHECK_OK(fcntl(p[0], F_SETOWN, 0));
    CHECK_RET(fcntl(p[0], F_GETOWN), 0);

    /* Nothing without O_ASYNC, nothing without an owner. */
    reset();
    CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
    CHECK_RET(write(p[1], "a", 1), 1);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(sigio_count, 0);
    CHECK_OK(fcntl(p[0], F_SETOWN, 0));
    CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
    CHECK_RET(fcntl(p[0], F_GETFL) & O_ASYNC, O_ASYNC);
    CHECK_RET(write(p[1], "a", 1), 1);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(sigio_count, 0);

    /* Plain SIGIO to the owner. */
    CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
    CHECK_RET(write(p[1], "b", 1), 1);
    CHECK_RET(sigio_count, 1);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    CHECK_RET(sigio_count, 1); /* the read end is not told of space */

    /* F_SETSIG: the reason, band and descriptor. */
    CHECK_OK(fcntl(p[0], F_SETSIG, rt));
    reset();
    CHECK_RET(write(p[1], "cd", 2), 2);
    CHECK_RET(rt_count, 1);
    CHECK_RET(rt_code, POLL_IN);
    CHECK_RET(rt_band, POLLIN | POLLRDNORM);
    CHECK_RET(rt_fd, p[0]);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));
    CHECK_RET(fcntl(p[0], F_GETFL) & O_ASYNC, 0);
    reset();
    CHECK_RET(write(p[1], "e", 1), 1);
    CHECK_RET(rt_count, 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);

    /* The write end hears of reads. */
    int wfd = dup(p[1]);
    CHECK_OK(fcntl(wfd, F_SETOWN, getpid()));
    CHECK_OK(fcntl(wfd, F_SETSIG, rt));
    int on = 1, off = 0;
    CHECK_OK(ioctl(wfd, FIOASYNC, &on));
    CHECK_RET(fcntl(p[1], F_GETFL) & O_ASYNC, O_ASYNC); /* the description's */
    reset();
    CHECK_RET(write(p[1], "fg", 2), 2);
    CHECK_RET(rt_count, 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);
    CHECK_RET(rt_count, 1);
    CHECK_RET(rt_code, POLL_OUT);
    CHECK_RET(rt_band, POLLOUT | POLLWRNORM | POLLWRBAND);
    CHECK_RET(rt_fd, wfd);
    CHECK_OK(ioctl(wfd, FIOASYNC, &off));
    CHECK_RET(fcntl(p[1], F_GETFL) & O_ASYNC, 0);
    CHECK_ERR(ioctl(wfd, FIOASYNC, (void *)1), EFAULT);
    close(wfd);

    /* A child as owner. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGIO);
    sigprocmask(SIG_BLOCK, &block, &old);
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t pid = fork();
    if (pid == 0) {
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        _exit(sigio_arrives() ? 0 : 2);
    }
    CHECK_RET(read(ready[0], buf, 1), 1);
    CHECK_OK(fcntl(p[0], F_SETSIG, 0));
    CHECK_OK(fcntl(p[0], F_SETOWN, pid));
    CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
    CHECK_RET(write(p[1], "h", 1), 1);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 1);

    /* Our process group as owner. */
    CHECK_OK(fcntl(p[0], F_SETOWN, -getpgrp()));
    CHECK_RET(write(p[1], "i", 1), 1);
    CHECK(sigio_arrives());
    CHECK_RET(read(p[0], buf, sizeof buf), 1);
    close(p[0]);
    close(p[1]);

    /* An AF_UNIX socket. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(fcntl(sv[1], F_SETOWN, getpid()));
    CHECK_OK(fcntl(sv[1], F_SETFL, O_ASYNC));
    CHECK_RET(write(sv[0], "j", 1), 1);
    CHECK(sigio_arrives());
    CHECK_RET(read(sv[1], buf, sizeof buf), 1);
    close(sv[0]);
    close(sv[1]);

    /* A pty master: data arrives from the slave side. */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(master >= 0);
    CHECK_OK(grantpt(master));
    CHECK_OK(unlockpt(master));
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    CHECK(slave >= 0);
    CHECK_OK(fcntl(master, F_SETOWN, getpid()));
    CHECK_OK(fcntl(master, F_SETFL, O_ASYNC));
    CHECK_RET(fcntl(master, F_GETFL) & O_ASYNC, O_ASYNC);
    CHECK_RET(write(slave, "k\n", 2), 2);
    CHECK(sigio_arrives());
    close(master);
    close(slave);

    sigprocmask(SIG_SETMASK, &old, NULL);
    return check_status();
}
