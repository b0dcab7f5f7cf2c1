/* Orphans are reparented to the nearest child subreaper: with
 * PR_SET_CHILD_SUBREAPER set in this process, a grandchild whose parent
 * exited sees getppid() == this process and is reaped by it (even when it
 * was already a zombie); a nested subreaper collects its own descendants'
 * orphans instead. The attribute reads back with PR_GET_CHILD_SUBREAPER
 * and is not inherited by fork. PR_SET_PDEATHSIG fires when the parent dies
 * (the orphan gets the signal, already reparented), and also when only the
 * parent *thread* that forked it exits, though getppid() is unchanged then. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static int get_subreaper(void) {
    int v = -1;
    if (prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0) != 0)
        return -2;
    return v;
}

/* Grandchild bits reported through the exit status. */
static void orphan(pid_t reaper) {
    int go[2], ready[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(ready));
    pid_t child = fork();
    if (child == 0) {
        pid_t me = getpid();
        pid_t grandchild = fork();
        if (grandchild == 0) {
            char c;
            int bad = 0;
            if (getppid() != me)
                bad |= 1; /* the child is still there */
            write(ready[1], "r", 1);
            if (read(go[0], &c, 1) != 1)
                bad |= 2;
            if (getppid() != reaper)
                bad |= 4;
            _exit(bad ? bad : 50);
        }
        char c;
        _exit(grandchild > 0 && read(ready[0], &c, 1) == 1 ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* The grandchild is ours now. */
    CHECK_RET(write(go[1], "g", 1), 1);
    pid_t w = waitpid(-1, &st, 0);
    CHECK(w > 0 && w != child);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 50);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
}

static void zombie_orphan(void) {
    pid_t child = fork();
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0)
            _exit(51);
        siginfo_t si;
        /* Wait until it is a zombie, but leave it unreaped. */
        if (waitid(P_PID, grandchild, &si, WEXITED | WNOWAIT) != 0)
            _exit(1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    pid_t w = waitpid(-1, &st, 0);
    CHECK(w > 0 && w != child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 51);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
}

/* A nested subreaper: C sets it, C's child D forks E and exits; E's parent
 * becomes C. C reports through its exit status. */
static void nested(pid_t top) {
    pid_t c = fork();
    if (c == 0) {
        int bad = 0;
        if (get_subreaper() != 0)
            bad |= 1; /* not inherited */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            bad |= 2;
        pid_t me = getpid();
        int go[2];
        if (pipe(go) != 0)
            bad |= 4;
        pid_t d = fork();
        if (d == 0) {
            pid_t e = fork();
            if (e == 0) {
                char ch;
                if (read(go[0], &ch, 1) != 1)
                    _exit(2);
                _exit(getppid() == me ? 52 : getppid() == top ? 3 : 4);
            }
            _exit(0);
        }
        int st;
        if (waitpid(d, &st, 0) != d || st != 0)
            bad |= 8;
        if (write(go[1], "g", 1) != 1)
            bad |= 16;
        pid_t w = waitpid(-1, &st, 0);
        if (w <= 0 || w == d || !WIFEXITED(st) || WEXITSTATUS(st) != 52)
            bad |= 32;
        _exit(bad);
    }
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st));
    CHECK_RET(WEXITSTATUS(st), 0);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
}

/* PR_SET_PDEATHSIG: the orphan gets the signal once reparented. */
static void deathsig(pid_t reaper) {
    int ready[2], result[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(result));
    pid_t child = fork();
    if (child == 0) {
        pid_t gc = fork();
        if (gc == 0) {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGUSR2);
            sigprocmask(SIG_BLOCK, &set, NULL);
            int v = -1;
            prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
            prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0);
            char r[3] = {v == SIGUSR2, 0, 0};
            write(ready[1], "r", 1);
            siginfo_t si;
            int sig = sigwaitinfo(&set, &si);
            r[1] = sig == SIGUSR2;
            r[2] = getppid() == reaper;
            write(result[1], r, 3);
            _exit(0);
        }
        char c;
        read(ready[0], &c, 1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(child, &st, 0), child);
    char r[3];
    CHECK_RET(read(result[0], r, 3), 3);
    CHECK(r[0] == 1); /* PR_GET_PDEATHSIG read it back */
    CHECK(r[1] == 1); /* the signal came */
    CHECK(r[2] == 1); /* by then it was ours */
    CHECK(waitpid(-1, &st, 0) > 0);
    close(ready[0]);
    close(ready[1]);
    close(result[0]);
    close(result[1]);
}

/* The parent thread that forked exits, the process lives on. */
static int t_ready[2], t_result[2];
static pid_t thread_child;

static void *forker(void *arg) {
    (void)arg;
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set, NULL);
        prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
        pid_t before = getppid();
        write(t_ready[1], "r", 1);
        siginfo_t si;
        int sig = sigwaitinfo(&set, &si);
        char r[2] = {sig == SIGUSR1, getppid() == before};
        write(t_result[1], r, 2);
        _exit(0);
    }
    thread_child = pid;
    char c;
    read(t_ready[0], &c, 1);
    return NULL;
}

static void thread_parent(void) {
    CHECK_OK(pipe(t_ready));
    CHECK_OK(pipe(t_result));
    pthread_t t;
    CHECK_RET(pthread_create(&t, NULL, forker, NULL), 0);
    CHECK_RET(pthread_join(t, NULL), 0);
    char r[2];
    CHECK_RET(read(t_result[0], r, 2), 2);
    CHECK(r[0] == 1); /* the thread's exit sent the death signal */
    CHECK(r[1] == 1); /* the parent process is the same */
    int st;
    CHECK_RET(waitpid(thread_child, &st, 0), thread_child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void) {
    pid_t me = getpid();
    CHECK_RET(get_subreaper(), 0);
    CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    CHECK_RET(get_subreaper(), 1);
    orphan(me);
    zombie_orphan();
    nested(me);
    deathsig(me);
    thread_parent();
    CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0));
    CHECK_RET(get_subreaper(), 0);
    return check_status();
}
