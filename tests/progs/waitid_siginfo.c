/* waitid: P_PID, P_PGID (0 meaning the caller's group), P_ALL and P_PIDFD
 * (pidfd_open) select children; the siginfo says SIGCHLD with si_code
 * CLD_EXITED / CLD_KILLED / CLD_STOPPED / CLD_CONTINUED, si_status the exit
 * code or signal, si_pid and si_uid. WNOWAIT leaves the child waitable (a
 * zombie still answers kill(pid, 0)); WNOHANG with nothing to report returns
 * 0 and zeroes si_signo and si_pid; a NULL infop is allowed. Bad idtypes,
 * ids, option sets and descriptors give EINVAL, EBADF, ECHILD as Linux. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }

static pid_t sleeper(void) {
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static void fill(siginfo_t *si) { memset(si, 0x5a, sizeof *si); }

static void codes(void) {
    siginfo_t si;
    pid_t pid = fork();
    if (pid == 0)
        _exit(17);
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK(si.si_signo == SIGCHLD);
    CHECK(si.si_code == CLD_EXITED);
    CHECK(si.si_status == 17);
    CHECK(si.si_pid == pid);
    CHECK(si.si_uid == getuid());
    CHECK(si.si_errno == 0);
    CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);

    pid = sleeper();
    CHECK_OK(kill(pid, SIGSTOP));
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WSTOPPED), 0);
    CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_STOPPED);
    CHECK(si.si_status == SIGSTOP);
    CHECK(si.si_pid == pid);
    CHECK_OK(kill(pid, SIGCONT));
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WCONTINUED), 0);
    CHECK(si.si_code == CLD_CONTINUED);
    CHECK(si.si_status == SIGCONT);
    CHECK(si.si_pid == pid);
    CHECK_OK(kill(pid, SIGKILL));
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK(si.si_code == CLD_KILLED);
    CHECK(si.si_status == SIGKILL);
    CHECK(si.si_pid == pid);

    /* WEXITED alone does not report a stop; WNOHANG shows nothing. */
    pid = sleeper();
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT), 0);
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
    CHECK(si.si_signo == 0 && si.si_pid == 0 && si.si_code == 0 && si.si_status == 0);
    /* WNOWAIT left the stop report in place. */
    CHECK_RET(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG), 0);
    CHECK(si.si_pid == pid && si.si_code == CLD_STOPPED);
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG), 0);
    CHECK(si.si_pid == 0);
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK(si.si_code == CLD_KILLED && si.si_status == SIGTERM);
}

static void nowait(void) {
    siginfo_t si;
    int st;
    pid_t pid = fork();
    if (pid == 0)
        _exit(9);
    fill(&si);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    CHECK(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 9);
    /* Still a zombie: it can be seen again and signalled. */
    CHECK_OK(kill(pid, 0));
    fill(&si);
    CHECK_RET(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT), 0);
    CHECK(si.si_pid == pid && si.si_status == 9);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
    CHECK_ERR(kill(pid, 0), ESRCH);
    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);

    /* A NULL infop reaps all the same. */
    pid = fork();
    if (pid == 0)
        _exit(1);
    CHECK_RET(syscall(SYS_waitid, P_PID, pid, NULL, WEXITED, NULL), 0);
    CHECK_ERR(waitpid(pid, &st, WNOHANG), ECHILD);
}

static void selectors(void) {
    siginfo_t si;
    int p[2];
    CHECK_OK(pipe(p));
    /* Two children: one in its own group, one in ours. */
    pid_t a = fork();
    if (a == 0) {
        char c;
        setpgid(0, 0);
        read(p[0], &c, 1);
        _exit(21);
    }
    CHECK_OK(setpgid(a, a));
    pid_t b = fork();
    if (b == 0) {
        char c;
        read(p[0], &c, 1);
        _exit(22);
    }
    CHECK_RET(write(p[1], "xy", 2), 2);
    fill(&si);
    CHECK_RET(waitid(P_PGID, a, &si, WEXITED), 0);
    CHECK(si.si_pid == a && si.si_status == 21);
    fill(&si);
    CHECK_RET(waitid(P_PGID, 0, &si, WEXITED), 0);
    CHECK(si.si_pid == b && si.si_status == 22);
    CHECK_ERR(waitid(P_PGID, a, &si, WEXITED | WNOHANG), ECHILD);

    a = fork();
    if (a == 0)
        _exit(23);
    fill(&si);
    CHECK_RET(waitid(P_ALL, 12345, &si, WEXITED), 0); /* the id is ignored */
    CHECK(si.si_pid == a && si.si_status == 23);
    close(p[0]);
    close(p[1]);
}

static void pidfds(void) {
    siginfo_t si;
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(p[0], &c, 1);
        _exit(31);
    }
    int fd = pidfd_open(pid, 0);
    CHECK(fd >= 0);
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
    /* Not readable while the child lives. */
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    CHECK_RET(poll(&pfd, 1, 0), 0);
    fill(&si);
    CHECK_RET(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), 0);
    CHECK(si.si_pid == 0);
    CHECK_RET(write(p[1], "x", 1), 1);
    /* Readable once it has exited, before it is reaped. */
    CHECK_RET(poll(&pfd, 1, -1), 1);
    CHECK(pfd.revents & POLLIN);
    fill(&si);
    CHECK_RET(waitid(P_PIDFD, fd, &si, WEXITED), 0);
    CHECK(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 31);
    CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
    CHECK_OK(close(fd));

    CHECK_ERR(waitid(P_PIDFD, 999, &si, WEXITED), EBADF);
    CHECK_ERR(waitid(P_PIDFD, -1, &si, WEXITED), EINVAL);
    CHECK_ERR(waitid(P_PIDFD, p[0], &si, WEXITED), EBADF);
    /* Our own pidfd: we are not our own child. */
    fd = pidfd_open(getpid(), 0);
    CHECK(fd >= 0);
    CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), ECHILD);
    close(fd);
    CHECK_ERR(pidfd_open(pid, 0), ESRCH);
    CHECK_ERR(pidfd_open(getpid(), 1), EINVAL);
    CHECK_ERR(pidfd_open(-1, 0), EINVAL);
    CHECK_ERR(pidfd_open(0, 0), EINVAL);
    close(p[0]);
    close(p[1]);
}

static void wall_and_errors(void) {
    siginfo_t si;
    pid_t pid = sleeper();
    CHECK_ERR(waitid(P_PID, pid, &si, 0), EINVAL);
    CHECK_ERR(waitid(P_PID, pid, &si, WNOHANG), EINVAL);
    CHECK_ERR(waitid(P_PID, pid, &si, WEXITED | 0x100), EINVAL);
    CHECK_ERR(waitid(7, pid, &si, WEXITED), EINVAL);
    CHECK_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
    CHECK_ERR(waitid(P_PID, -1, &si, WEXITED), EINVAL);
    CHECK_ERR(waitid(P_PGID, -1, &si, WEXITED), EINVAL);
    CHECK_RET(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL), 0);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG), 0);
    CHECK_ERR(syscall(SYS_waitid, P_PID, pid, (void *)8, WEXITED | WNOHANG, NULL), EFAULT);
    kill(pid, SIGKILL);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | __WALL), 0);
    CHECK(si.si_code == CLD_KILLED);
    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
    CHECK_ERR(waitid(P_PID, 1, &si, WEXITED | WNOHANG), ECHILD);
}

int main(void) {
    codes();
    nowait();
    selectors();
    pidfds();
    wall_and_errors();
    return check_status();
}
