/* Process groups and sessions: getpgrp/getpgid/getsid agree; a child can
 * start its own group (from either side of the fork), join a sibling's
 * group in the same session, or start a session with setsid (then it leads
 * both, and a second setsid is EPERM, as is setsid by any group leader);
 * setpgid refuses a child in another session or a session leader (EPERM),
 * a non-child (ESRCH), a child that has exec'd (EACCES), a nonexistent
 * target group (EPERM) and a negative pgid (EINVAL). kill(-pgid) and killpg
 * reach every member, kill(0) the caller's own group. A process group
 * orphaned while one of its members is stopped gets SIGHUP then SIGCONT.
 * The exec case re-executes argv[0] with argv[1] = "child". */
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static pid_t sleeper(void) {
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static void reap_killed(pid_t pid, int sig, int *all) {
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != sig)
        *all = 0;
}

static void basics(void) {
    CHECK(getpgrp() == getpgid(0));
    CHECK(getpgid(getpid()) == getpgrp());
    CHECK(getsid(0) == getsid(getpid()));
    CHECK_ERR(getpgid(-1), ESRCH);
    CHECK_ERR(getsid(-1), ESRCH);
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    CHECK_ERR(getpgid(gone), ESRCH);
    CHECK_ERR(getsid(gone), ESRCH);
    CHECK_ERR(setpgid(gone, gone), ESRCH);

    /* A child inherits our group and session. */
    pid_t pid = sleeper();
    CHECK(getpgid(pid) == getpgrp());
    CHECK(getsid(pid) == getsid(0));
    /* We make it a group leader. */
    CHECK_OK(setpgid(pid, 0));
    CHECK(getpgid(pid) == pid);
    CHECK_OK(setpgid(pid, pid)); /* again: no-op */
    /* A second child joins that group. */
    pid_t two = sleeper();
    CHECK_OK(setpgid(two, pid));
    CHECK(getpgid(two) == pid);
    /* And moves back to ours. */
    CHECK_OK(setpgid(two, getpgrp()));
    CHECK(getpgid(two) == getpgrp());
    CHECK_ERR(setpgid(two, -1), EINVAL);
    CHECK_ERR(setpgid(two, gone), EPERM);
    CHECK_ERR(setpgid(-1, 0), EINVAL);
    kill(pid, SIGKILL);
    kill(two, SIGKILL);
    waitpid(pid, NULL, 0);
    waitpid(two, NULL, 0);
}

/* The child's own view, reported by exit status bits. */
static void sessions(void) {
    int st;
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        pid_t me = getpid();
        pid_t old_sid = getsid(0);
        if (setsid() != me)
            bad |= 1;
        if (getsid(0) != me || getpgrp() != me || getpgid(0) != me)
            bad |= 2;
        if (getsid(0) == old_sid)
            bad |= 4;
        errno = 0;
        if (setsid() != -1 || errno != EPERM)
            bad |= 8;
        /* A session leader cannot change its group, even to itself. */
        errno = 0;
        if (setpgid(0, 0) != -1 || errno != EPERM)
            bad |= 16;
        /* Its child inherits the session; that child cannot join a group
         * in the old session. */
        pid_t gc = fork();
        if (gc == 0) {
            int b = 0;
            if (getsid(0) != me || getpgrp() != me)
                b |= 1;
            errno = 0;
            if (setpgid(0, getppid()) != 0) /* own session's group: fine */
                b |= 2;
            _exit(b);
        }
        int s;
        if (waitpid(gc, &s, 0) != gc || !WIFEXITED(s) || WEXITSTATUS(s) != 0)
            bad |= 32;
        char c = (char)bad;
        write(p[1], &c, 1);
        pause();
        _exit(0);
    }
    char c;
    CHECK_RET(read(p[0], &c, 1), 1);
    CHECK_RET(c, 0);
    /* From outside: it leads its session and group. */
    CHECK(getsid(pid) == pid);
    CHECK(getpgid(pid) == pid);
    CHECK(getsid(pid) != getsid(0));
    /* Another session: we cannot move it, nor join its group. */
    CHECK_ERR(setpgid(pid, getpgrp()), EPERM);
    pid_t other = sleeper();
    CHECK_ERR(setpgid(other, pid), EPERM);
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    kill(pid, SIGKILL);
    CHECK_RET(waitpid(pid, &st, 0), pid);

    /* A group leader cannot setsid. */
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        errno = 0;
        int r = setsid();
        _exit(r == -1 && errno == EPERM ? 0 : 1);
    }
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(p[0]);
    close(p[1]);
}

static void not_our_child(void) {
    /* Our grandchild is not our child. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        pid_t gc = sleeper();
        write(p[1], &gc, sizeof gc);
        pause();
        _exit(0);
    }
    pid_t gc;
    CHECK_RET(read(p[0], &gc, sizeof gc), sizeof gc);
    CHECK_ERR(setpgid(gc, 0), ESRCH);
    CHECK(getpgid(gc) == getpgrp()); /* but getpgid works on anyone */
    kill(gc, SIGKILL);
    kill(pid, SIGKILL);
    CHECK_RET(waitpid(pid, NULL, 0), pid);
    /* The grandchild has been reparented to us, the subreaper. */
    int st;
    CHECK_RET(waitpid(gc, &st, 0), gc);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    close(p[0]);
    close(p[1]);
}

static void after_exec(char *self) {
    /* Two pipes: the exec'd child reads "q" from one, and must not be able
     * to swallow the "e" its pre-exec self sends on the other. */
    int p[2], ready[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(ready));
    pid_t pid = fork();
    if (pid == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", p[0]);
        char *args[] = {self, "child", fd, NULL};
        write(ready[1], "e", 1);
        execve(self, args, NULL);
        _exit(127);
    }
    char c;
    /* Wait for its "e", then until setpgid says it has exec'd. */
    CHECK_RET(read(ready[0], &c, 1), 1);
    CHECK(c == 'e');
    for (int i = 0; i < 200; i++) {
        errno = 0;
        if (setpgid(pid, pid) == -1 && errno == EACCES)
            break;
        usleep(5000);
    }
    CHECK_ERR(setpgid(pid, pid), EACCES);
    CHECK_RET(write(p[1], "q", 1), 1);
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 33);
    close(p[0]);
    close(p[1]);
    close(ready[0]);
    close(ready[1]);
}

static void group_kill(void) {
    /* Three members in one group. */
    pid_t a = sleeper();
    CHECK_OK(setpgid(a, a));
    pid_t b = sleeper();
    CHECK_OK(setpgid(b, a));
    pid_t c = sleeper();
    CHECK_OK(setpgid(c, a));
    pid_t outsider = sleeper();
    CHECK_OK(kill(-a, SIGTERM));
    int all = 1;
    reap_killed(a, SIGTERM, &all);
    reap_killed(b, SIGTERM, &all);
    reap_killed(c, SIGTERM, &all);
    CHECK(all);
    CHECK_RET(waitpid(outsider, NULL, WNOHANG), 0);
    CHECK_ERR(kill(-a, SIGTERM), ESRCH);
    CHECK_ERR(killpg(a, SIGTERM), ESRCH);

    a = sleeper();
    CHECK_OK(setpgid(a, a));
    b = sleeper();
    CHECK_OK(setpgid(b, a));
    CHECK_OK(killpg(a, SIGUSR1));
    all = 1;
    reap_killed(a, SIGUSR1, &all);
    reap_killed(b, SIGUSR1, &all);
    CHECK(all);
    CHECK_RET(waitpid(outsider, NULL, WNOHANG), 0);

    /* kill(0) from a group leader reaches itself and its group. */
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        pid_t m = sleeper();
        setpgid(m, getpid());
        kill(0, SIGHUP);
        for (;;)
            pause();
    }
    CHECK_OK(setpgid(leader, leader));
    all = 1;
    reap_killed(leader, SIGHUP, &all);
    CHECK(all);
    kill(outsider, SIGKILL);
    waitpid(outsider, NULL, 0);
    /* The member, orphaned, was killed too; it was reparented to us. */
    int st;
    pid_t w = waitpid(-1, &st, 0);
    CHECK(w > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP);
}

static int hup_pipe = -1;
static void on_hup(int sig) {
    char c = sig == SIGHUP ? 'H' : '?';
    write(hup_pipe, &c, 1);
}

static void orphaned_stopped_group(void) {
    int p[2];
    CHECK_OK(pipe(p));
    pid_t a = fork();
    if (a == 0) {
        setsid();
        pid_t b = fork();
        if (b == 0) {
            setpgid(0, 0);
            hup_pipe = p[1];
            signal(SIGHUP, on_hup);
            raise(SIGSTOP);
            /* Continued after the SIGHUP handler ran. */
            write(p[1], "C", 1);
            _exit(44);
        }
        int st;
        setpgid(b, b);
        waitpid(b, &st, WUNTRACED);
        _exit(WIFSTOPPED(st) ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(a, &st, 0), a);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char got[2];
    CHECK_RET(read(p[0], &got[0], 1), 1);
    CHECK_RET(read(p[0], &got[1], 1), 1);
    CHECK(got[0] == 'H' && got[1] == 'C');
    pid_t w = waitpid(-1, &st, 0);
    CHECK(w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 44);
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "child") == 0) {
        char c;
        return read(atoi(argv[2]), &c, 1) == 1 && c == 'q' ? 33 : 1;
    }
    /* Orphans of our children come back to us. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    basics();
    sessions();
    not_our_child();
    after_exec(argv[0]);
    group_kill();
    orphaned_stopped_group();
    return check_status();
}
