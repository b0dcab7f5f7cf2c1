/* signalfd4: blocked signals are read as 128-byte signalfd_siginfo records
 * (ssi_signo, ssi_code SI_USER/SI_QUEUE/SI_TKILL, ssi_pid, ssi_uid,
 * ssi_int), lowest signal first, several per read if the buffer allows;
 * reading consumes the pending signal; standard signals coalesce, real-time
 * ones queue in order; SFD_NONBLOCK reads of nothing are EAGAIN; buffers
 * under 128 bytes EINVAL; signals outside the mask stay unread until the
 * mask is widened by passing the existing fd; poll and epoll see POLLIN;
 * a blocking read is woken by a signal sent from another thread or a child;
 * and the errors: bad flags or sizemask EINVAL, a non-signalfd fd EINVAL,
 * a closed fd EBADF. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>

static long sfd4(int fd, const sigset_t *m, size_t size, int flags) {
    return syscall(SYS_signalfd4, fd, m, size, flags);
}

static void *late_kill(void *arg) {
    (void)arg;
    usleep(30000);
    kill(getpid(), SIGUSR2);
    return NULL;
}

int main(void) {
    struct signalfd_siginfo si[4];
    sigset_t both, usr1, cur;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    sigaddset(&both, SIGRTMIN);
    CHECK_OK(sigprocmask(SIG_BLOCK, &both, NULL));
    CHECK_RET(sizeof(struct signalfd_siginfo), 128);

    /* Errors. */
    CHECK_ERR(sfd4(-1, &usr1, 8, O_APPEND), EINVAL);
    CHECK_ERR(sfd4(-1, &usr1, 4, 0), EINVAL);
    CHECK_ERR(sfd4(-1, &usr1, 16, 0), EINVAL);
    CHECK_ERR(sfd4(-1, (sigset_t *)8, 8, 0), EFAULT);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(signalfd(p[0], &usr1, 0), EINVAL);
    CHECK_ERR(signalfd(900, &usr1, 0), EBADF);

    int fd = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK_ERR(read(fd, si, sizeof si[0]), EAGAIN);

    /* kill: SI_USER from us. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    struct pollfd pf = {fd, POLLIN, 0};
    CHECK_RET(poll(&pf, 1, 0), 1);
    CHECK_RET(pf.revents, POLLIN);
    CHECK_ERR(read(fd, si, 127), EINVAL);
    CHECK_RET(read(fd, si, sizeof si), 128);
    CHECK_RET(si[0].ssi_signo, SIGUSR1);
    CHECK_RET(si[0].ssi_code, SI_USER);
    CHECK(si[0].ssi_pid == (uint32_t)getpid());
    CHECK(si[0].ssi_uid == getuid());
    CHECK_RET(si[0].ssi_errno, 0);
    CHECK_OK(sigpending(&cur));
    CHECK(!sigismember(&cur, SIGUSR1)); /* consumed */
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);
    CHECK_RET(poll(&pf, 1, 0), 0);

    /* Standard signals coalesce. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_RET(read(fd, si, sizeof si), 128);
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);

    /* sigqueue: SI_QUEUE with its value; tgkill: SI_TKILL. */
    union sigval sv = {.sival_int = 1234};
    CHECK_OK(sigqueue(getpid(), SIGUSR1, sv));
    CHECK_RET(read(fd, si, sizeof si), 128);
    CHECK_RET(si[0].ssi_code, SI_QUEUE);
    CHECK_RET(si[0].ssi_int, 1234);
    CHECK(si[0].ssi_pid == (uint32_t)getpid());
    CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
    CHECK_RET(read(fd, si, sizeof si), 128);
    CHECK_RET(si[0].ssi_code, SI_TKILL);

    /* Outside the mask: unread, still pending, until the mask widens. */
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);
    CHECK_RET(poll(&pf, 1, 0), 0);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 5}, out[2];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    CHECK_RET(epoll_wait(ep, out, 2, 0), 0);
    CHECK_RET(signalfd(fd, &both, 0), fd); /* same fd back; flags ignored */
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 1);
    CHECK_RET(out[0].data.u64, 5);
    CHECK_RET(poll(&pf, 1, 0), 1);

    /* Two pending, one read: lowest number first, both records. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_RET(read(fd, si, sizeof si), 256);
    CHECK_RET(si[0].ssi_signo, SIGUSR1);
    CHECK_RET(si[1].ssi_signo, SIGUSR2);
    CHECK_RET(epoll_wait(ep, out, 2, 0), 0);

    /* Real-time signals queue, in order, values intact. */
    for (int i = 1; i <= 3; i++) {
        sv.sival_int = i * 11;
        CHECK_OK(sigqueue(getpid(), SIGRTMIN, sv));
    }
    CHECK_RET(read(fd, si, sizeof si), 3 * 128);
    CHECK(si[0].ssi_signo == (uint32_t)SIGRTMIN && si[2].ssi_signo == (uint32_t)SIGRTMIN);
    CHECK(si[0].ssi_int == 11 && si[1].ssi_int == 22 && si[2].ssi_int == 33);
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);

    /* SIGKILL and SIGSTOP in the mask are quietly dropped. */
    sigset_t all;
    sigfillset(&all);
    int fd2 = signalfd(-1, &all, SFD_NONBLOCK);
    CHECK(fd2 >= 0);
    CHECK_ERR(read(fd2, si, sizeof si), EAGAIN);
    close(fd2);

    /* Blocking reads: woken by another thread's kill... */
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    pthread_t t;
    pthread_create(&t, NULL, late_kill, NULL);
    CHECK_RET(read(fd, si, sizeof si[0]), 128);
    CHECK_RET(si[0].ssi_signo, SIGUSR2);
    CHECK(si[0].ssi_pid == (uint32_t)getpid());
    pthread_join(t, NULL);
    /* ...or by a child's, which carries the child's pid. */
    pid_t pid = fork();
    if (pid == 0) {
        usleep(30000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    CHECK_RET(read(fd, si, sizeof si[0]), 128);
    CHECK_RET(si[0].ssi_signo, SIGUSR1);
    CHECK(si[0].ssi_pid == (uint32_t)pid);
    CHECK_RET(si[0].ssi_code, SI_USER);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    /* SIGCHLD is not in the mask: nothing more to read. */
    CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(fd, si, sizeof si), EAGAIN);

    /* Closing the signalfd leaves later signals pending as usual. */
    close(ep);
    close(fd);
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_OK(sigpending(&cur));
    CHECK(sigismember(&cur, SIGUSR2));
    siginfo_t info;
    struct timespec zero = {0, 0};
    CHECK_RET(sigtimedwait(&both, &info, &zero), SIGUSR2);
    close(p[0]);
    close(p[1]);
    return check_status();
}
