/* Sending signals: kill(pid, 0) probes existence (a zombie still exists,
 * a reaped child is ESRCH); bad signal numbers are EINVAL for kill, tkill,
 * tgkill, rt_sigqueueinfo and pidfd_send_signal alike; tgkill/tkill aim at
 * one thread and its handler runs on that thread (gettid inside it),
 * tgkill with the wrong tgid is ESRCH and non-positive ids EINVAL; a
 * process-directed signal goes to a thread that does not block it;
 * pidfd_send_signal kills through a pidfd, carries a caller's siginfo to
 * itself, is ESRCH once the process is reaped (kill on a nonexistent pid is
 * ESRCH even with a bad signal number) and EINVAL/EBADF for bad
 * flags, info or descriptors. A /proc/<pid> directory serves as a pidfd
 * for it (not a thread's directory, nor other /proc files). */
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static int pidfd_open(pid_t pid) { return syscall(SYS_pidfd_open, pid, 0); }
static int pidfd_send(int fd, int sig, siginfo_t *si, unsigned flags) {
    return syscall(SYS_pidfd_send_signal, fd, sig, si, flags);
}

static void existence(void) {
    pid_t me = getpid();
    CHECK_OK(kill(me, 0));
    CHECK_OK(kill(0, 0));
    CHECK_OK(kill(0, 0)); /* the own group (-getpgrp() is -1 for a group-1 init) */
    CHECK_OK(syscall(SYS_tgkill, me, gettid(), 0));
    CHECK_OK(syscall(SYS_tkill, gettid(), 0));
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    siginfo_t si;
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    CHECK_OK(kill(pid, 0)); /* zombie */
    CHECK_OK(kill(pid, SIGKILL)); /* harmless on a zombie */
    CHECK_RET(waitpid(pid, NULL, 0), pid);
    CHECK_ERR(kill(pid, 0), ESRCH);
    CHECK_ERR(kill(pid, SIGTERM), ESRCH);
    CHECK_ERR(kill(-pid, 0), ESRCH);
    CHECK_ERR(kill(INT_MIN, 0), ESRCH);
    CHECK_ERR(syscall(SYS_tkill, pid, 0), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, pid, pid, 0), ESRCH);
}

static void bad_numbers(void) {
    pid_t me = getpid();
    CHECK_ERR(kill(me, 65), EINVAL);
    CHECK_ERR(kill(me, -1), EINVAL);
    CHECK_ERR(kill(me, 1000), EINVAL);
    CHECK_ERR(syscall(SYS_tkill, gettid(), 65), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, me, gettid(), 65), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, me, 0, SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, -1, gettid(), SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tkill, -5, SIGUSR1), EINVAL);
    /* A nonexistent target with a bad signal: the target is looked up
     * first, so ESRCH. */
    CHECK_ERR(kill(999999999, 65), ESRCH);
}

static volatile pid_t handled_on[4];
static volatile int which;
static pid_t thread_tid[4];
static volatile int ready, stop;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    int i = si->si_value.sival_int;
    if (si->si_code == SI_TKILL)
        i = which;
    if (i >= 0 && i < 4)
        handled_on[i] = gettid();
}

static void *idle(void *arg) {
    long i = (long)arg;
    thread_tid[i] = gettid();
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    while (!stop)
        usleep(500);
    return NULL;
}

static void *unblocked(void *arg) {
    long i = (long)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    return idle((void *)i);
}

static volatile pid_t usr2_on;
static void on_usr2(int sig) {
    (void)sig;
    usr2_on = gettid();
}

static void threads(void) {
    struct sigaction sa = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, idle, (void *)i);
    while (ready < 4)
        usleep(500);
    for (int i = 0; i < 4; i++) {
        which = i;
        handled_on[i] = 0;
        CHECK_OK(syscall(SYS_tgkill, getpid(), thread_tid[i], SIGUSR1));
        for (int n = 0; n < 10000 && !handled_on[i]; n++)
            usleep(200);
    }
    int right = 1;
    for (int i = 0; i < 4; i++)
        if (handled_on[i] != thread_tid[i])
            right = 0;
    CHECK(right);
    /* tkill too. */
    which = 2;
    handled_on[2] = 0;
    CHECK_OK(syscall(SYS_tkill, thread_tid[2], SIGUSR1));
    for (int n = 0; n < 10000 && !handled_on[2]; n++)
        usleep(200);
    CHECK(handled_on[2] == thread_tid[2]);
    /* The wrong thread group. */
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    CHECK_ERR(syscall(SYS_tgkill, child, thread_tid[0], SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), child, SIGUSR1), ESRCH);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    stop = 1;
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);

    /* A process-directed signal goes to the one thread not blocking it. */
    signal(SIGUSR2, on_usr2);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    stop = 0;
    ready = 0;
    pthread_create(&t[0], NULL, idle, (void *)0);
    pthread_create(&t[1], NULL, unblocked, (void *)1);
    pthread_create(&t[2], NULL, idle, (void *)2);
    while (ready < 3)
        usleep(500);
    usr2_on = 0;
    CHECK_OK(kill(getpid(), SIGUSR2));
    for (int n = 0; n < 10000 && !usr2_on; n++)
        usleep(200);
    CHECK(usr2_on == thread_tid[1]);
    stop = 1;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

static volatile int info_code, info_value, info_hits;
static void on_info(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    info_code = si->si_code;
    info_value = si->si_value.sival_int;
    info_hits++;
}

static void pidfds(void) {
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    int fd = pidfd_open(pid);
    CHECK(fd >= 0);
    CHECK_OK(pidfd_send(fd, 0, NULL, 0));
    CHECK_ERR(pidfd_send(fd, SIGTERM, NULL, 1u << 20), EINVAL);
    CHECK_ERR(pidfd_send(fd, 65, NULL, 0), EINVAL);
    CHECK_OK(pidfd_send(fd, SIGTERM, NULL, 0));
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    CHECK_ERR(pidfd_send(fd, 0, NULL, 0), ESRCH);
    CHECK_ERR(pidfd_send(fd, SIGTERM, NULL, 0), ESRCH);
    close(fd);
    CHECK_ERR(pidfd_send(fd, SIGTERM, NULL, 0), EBADF);
    CHECK_ERR(pidfd_send(1, SIGTERM, NULL, 0), EBADF);

    /* To ourselves, with our own siginfo. */
    struct sigaction sa = {.sa_sigaction = on_info, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    fd = pidfd_open(getpid());
    CHECK(fd >= 0);
    info_hits = 0;
    CHECK_OK(pidfd_send(fd, SIGUSR1, NULL, 0));
    CHECK(info_hits == 1 && info_code == SI_USER);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 77;
    CHECK_OK(pidfd_send(fd, SIGUSR1, &si, 0));
    CHECK(info_hits == 2 && info_code == SI_QUEUE && info_value == 77);
    si.si_signo = SIGUSR2; /* does not match */
    CHECK_ERR(pidfd_send(fd, SIGUSR1, &si, 0), EINVAL);
    CHECK_ERR(pidfd_send(fd, SIGUSR1, (siginfo_t *)8, 0), EFAULT);
    close(fd);
    signal(SIGUSR1, SIG_DFL);
}

static volatile int proc_dir_hits;

static void on_proc_dir_signal(int sig) {
    (void)sig;
    proc_dir_hits++;
}

static void proc_dirs(void) {
    signal(SIGUSR2, on_proc_dir_signal);
    int me = open("/proc/self", O_RDONLY | O_DIRECTORY);
    CHECK_RET(pidfd_send(me, 0, NULL, 0), 0);
    CHECK_RET(pidfd_send(me, SIGUSR2, NULL, 0), 0);
    CHECK_RET(proc_dir_hits, 1);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d", (int)syscall(SYS_gettid));
    int task = open(path, O_RDONLY | O_DIRECTORY);
    CHECK_ERR(pidfd_send(task, 0, NULL, 0), EBADF);
    int status = open("/proc/self/status", O_RDONLY);
    CHECK_ERR(pidfd_send(status, 0, NULL, 0), EBADF);
    int fdir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(pidfd_send(fdir, 0, NULL, 0), EBADF);
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    snprintf(path, sizeof path, "/proc/%d", (int)c);
    int child = open(path, O_RDONLY | O_DIRECTORY);
    CHECK(child >= 0);
    CHECK_RET(waitpid(c, NULL, 0), c);
    CHECK_ERR(pidfd_send(child, 0, NULL, 0), ESRCH);
    close(me);
    close(task);
    close(status);
    close(fdir);
    close(child);
    signal(SIGUSR2, SIG_DFL);
}

int main(void) {
    existence();
    proc_dirs();
    bad_numbers();
    threads();
    pidfds();
    return check_status();
}
