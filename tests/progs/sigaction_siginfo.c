/* sigaction and what an SA_SIGINFO handler is told: si_signo, si_code
 * SI_USER for kill, SI_TKILL for tgkill/tkill/raise, SI_QUEUE for sigqueue
 * (with si_value), a caller-chosen negative code through rt_sigqueueinfo /
 * rt_tgsigqueueinfo (a non-negative one toward another process is EPERM);
 * si_pid and si_uid name the sender. SA_RESETHAND runs the handler once and
 * resets the action (and implies SA_NODEFER); SA_NODEFER lets a handler be
 * re-entered by its own signal; otherwise the mask inside a handler holds
 * the signal and sa_mask, and the old mask returns afterwards. sigaction
 * reports the previous action; SIGKILL/SIGSTOP, 0, 65 and a bad sigsetsize
 * are EINVAL, bad pointers EFAULT. */
#include "check.h"
#include <signal.h>
#include <sys/wait.h>

static volatile int got_signo, got_code, got_value, got_errno;
static volatile pid_t got_pid;
static volatile uid_t got_uid;
static volatile int hits;

static void on_info(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_signo = si->si_signo;
    got_code = si->si_code;
    got_pid = si->si_pid;
    got_uid = si->si_uid;
    got_value = si->si_value.sival_int;
    got_errno = si->si_errno;
    hits++;
    (void)sig;
}

static void reset(void) {
    got_signo = got_code = got_value = got_errno = -99;
    got_pid = -99;
    hits = 0;
}

static void codes(void) {
    struct sigaction sa = {.sa_sigaction = on_info, .sa_flags = SA_SIGINFO};
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    pid_t me = getpid();

    reset();
    CHECK_OK(kill(me, SIGUSR1));
    CHECK(hits == 1);
    CHECK(got_signo == SIGUSR1);
    CHECK(got_code == SI_USER);
    CHECK(got_pid == me);
    CHECK(got_uid == getuid());
    CHECK(got_errno == 0);

    reset();
    CHECK_OK(syscall(SYS_tgkill, me, gettid(), SIGUSR1));
    CHECK(hits == 1 && got_code == SI_TKILL && got_pid == me);
    reset();
    CHECK_OK(syscall(SYS_tkill, gettid(), SIGUSR1));
    CHECK(hits == 1 && got_code == SI_TKILL && got_pid == me);
    reset();
    CHECK_OK(raise(SIGUSR1));
    CHECK(hits == 1 && got_code == SI_TKILL);

    reset();
    union sigval v = {.sival_int = 1234};
    CHECK_OK(sigqueue(me, SIGUSR1, v));
    CHECK(hits == 1 && got_code == SI_QUEUE && got_value == 1234 && got_pid == me);

    /* rt_sigqueueinfo with our own info: negative codes pass through. */
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = -42;
    si.si_pid = 777;
    si.si_uid = 888;
    si.si_value.sival_int = 55;
    reset();
    CHECK_OK(syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si));
    CHECK(hits == 1 && got_code == -42 && got_value == 55);
    CHECK(got_pid == 777 && got_uid == 888); /* taken as given */
    reset();
    CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, me, gettid(), SIGUSR1, &si));
    CHECK(hits == 1 && got_code == -42);
    /* To ourselves even a kernel-looking code is allowed. */
    si.si_code = SI_KERNEL;
    reset();
    CHECK_OK(syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si));
    CHECK(hits == 1 && got_code == SI_KERNEL);
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, (void *)8), EFAULT);
    CHECK_RET(syscall(SYS_rt_sigqueueinfo, me, 0, &si), 0); /* existence check */
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, me, 65, &si), EINVAL);

    /* Toward a child: SI_USER / SI_TKILL / non-negative codes are EPERM. */
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    si.si_code = SI_USER;
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
    si.si_code = SI_TKILL;
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
    si.si_code = 1;
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
    si.si_code = SI_QUEUE;
    si.si_signo = SIGTERM;
    CHECK_OK(syscall(SYS_rt_sigqueueinfo, pid, SIGTERM, &si));
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

static volatile int depth, max_depth, entries;

static void on_nodefer(int sig) {
    entries++;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (entries < 3)
        raise(sig); /* runs the handler again, nested */
    depth--;
}

static volatile int blocked_self, blocked_extra, blocked_other;

static void on_masked(int sig) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_self = sigismember(&now, sig);
    blocked_extra = sigismember(&now, SIGUSR2);
    blocked_other = sigismember(&now, SIGHUP);
    entries++;
    if (entries == 1)
        raise(sig); /* stays pending until we return */
    depth = entries;
}

static void flags(void) {
    struct sigaction sa, old;

    /* SA_RESETHAND: once, then back to default. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    reset();
    raise(SIGUSR2);
    CHECK(hits == 1);
    CHECK_OK(sigaction(SIGUSR2, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL);
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGUSR2, &sa, NULL);
        raise(SIGUSR2);
        raise(SIGUSR2); /* default action: dies */
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2);

    /* SA_NODEFER: re-entered. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_nodefer;
    sa.sa_flags = SA_NODEFER;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    entries = depth = max_depth = 0;
    raise(SIGUSR1);
    CHECK(entries == 3);
    CHECK(max_depth == 3);

    /* Default: the signal and sa_mask are blocked inside; a second raise
     * waits until the handler returns. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_masked;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    entries = depth = 0;
    raise(SIGUSR1);
    CHECK(entries == 2);
    CHECK(depth == 2); /* the second ran after the first finished */
    CHECK(blocked_self == 1);
    CHECK(blocked_extra == 1);
    CHECK(blocked_other == 0);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));

    /* The previous action comes back from sigaction. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = SA_RESTART;
    sigaddset(&sa.sa_mask, SIGINT);
    CHECK_OK(sigaction(SIGHUP, &sa, NULL));
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    CHECK_OK(sigaction(SIGHUP, &sa, &old));
    CHECK(old.sa_handler == SIG_IGN);
    CHECK(old.sa_flags & SA_RESTART);
    CHECK(sigismember(&old.sa_mask, SIGINT) == 1);
    /* Ignored signals vanish. */
    signal(SIGHUP, SIG_IGN);
    CHECK_OK(raise(SIGHUP));
    sigset_t pend;
    sigpending(&pend);
    CHECK(!sigismember(&pend, SIGHUP));
    signal(SIGHUP, SIG_DFL);
    /* SIGKILL and SIGSTOP can still be read. */
    CHECK_OK(sigaction(SIGKILL, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL);
}

static void errors(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    sa.sa_handler = SIG_DFL;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 0, NULL, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, -1, NULL, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, (void *)8, 8), EFAULT);
    CHECK_OK(syscall(SYS_rt_sigaction, 64, NULL, NULL, 8));
    CHECK_ERR(kill(getpid(), 65), EINVAL);
    CHECK_ERR(kill(getpid(), -1), EINVAL);
    CHECK_ERR(sigqueue(getpid(), 65, (union sigval){0}), EINVAL);
}

int main(void) {
    codes();
    flags();
    errors();
    return check_status();
}
