/* wait4's options and pid selectors: WNOHANG returns 0 while children live
 * and ECHILD when there are none; WUNTRACED reports a SIGSTOP'd child once
 * (status 0x137f) and WCONTINUED its SIGCONT (status 0xffff), neither being
 * reported without the option; pid 0 and -pgid select by process group;
 * children with a non-SIGCHLD exit signal need __WCLONE or __WALL (and
 * that signal, with CLD_EXITED, is what the parent gets); unknown
 * options (WEXITED, WNOWAIT included) are EINVAL and INT_MIN is ESRCH. */
#include "check.h"
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

static pid_t sleeper(void) {
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static void nohang(void) {
    int st = 12345;
    CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
    CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
    pid_t pid = sleeper();
    CHECK_RET(wait4(-1, &st, WNOHANG, NULL), 0);
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0);
    CHECK_RET(wait4(0, &st, WNOHANG, NULL), 0);
    CHECK_RET(waitid(P_PGID, 0, &(siginfo_t){0}, WEXITED | WNOHANG), 0);
    CHECK_ERR(wait4(pid + 100000, &st, WNOHANG, NULL), ECHILD);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    /* Once a zombie exists WNOHANG reaps it. */
    pid = fork();
    if (pid == 0)
        _exit(4);
    siginfo_t si;
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    CHECK_RET(wait4(-1, &st, WNOHANG, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 4);
}

static void stop_continue(void) {
    int st;
    pid_t pid = sleeper();
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(wait4(pid, &st, WUNTRACED, NULL), pid);
    CHECK(WIFSTOPPED(st) && !WIFEXITED(st) && !WIFSIGNALED(st));
    CHECK_RET(WSTOPSIG(st), SIGSTOP);
    CHECK_RET(st, 0x137f);
    /* Reported once only. */
    CHECK_RET(wait4(pid, &st, WUNTRACED | WNOHANG, NULL), 0);
    CHECK_OK(kill(pid, SIGCONT));
    /* Without WCONTINUED the continue is not reported. */
    CHECK_RET(wait4(pid, &st, WNOHANG | WUNTRACED, NULL), 0);
    CHECK_RET(wait4(pid, &st, WCONTINUED, NULL), pid);
    CHECK(WIFCONTINUED(st) && !WIFSTOPPED(st));
    CHECK_RET(st, 0xffff);
    CHECK_RET(wait4(pid, &st, WCONTINUED | WNOHANG, NULL), 0);

    /* Without WUNTRACED a stop is not reported. */
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(wait4(pid, &st, WUNTRACED, NULL), pid);
    CHECK_OK(kill(pid, SIGSTOP)); /* already stopped: nothing new */
    CHECK_RET(wait4(pid, &st, WNOHANG | WUNTRACED, NULL), 0);
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0);
    /* A stopped child still dies of SIGKILL. */
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    /* A stop that is not waited for, then SIGCONT: WUNTRACED | WCONTINUED
     * then reports the continue. */
    pid = sleeper();
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(wait4(pid, &st, WUNTRACED, NULL), pid);
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_RET(wait4(pid, &st, WUNTRACED | WCONTINUED, NULL), pid);
    CHECK(WIFCONTINUED(st));
    /* SIGTERM to a stopped child is not acted on until it continues. */
    CHECK_OK(kill(pid, SIGSTOP));
    CHECK_RET(wait4(pid, &st, WUNTRACED, NULL), pid);
    CHECK_OK(kill(pid, SIGTERM));
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0);
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

static void groups(void) {
    int st;
    /* A child in its own process group is not selected by pid 0. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        setpgid(0, 0);
        read(p[0], &c, 1);
        _exit(6);
    }
    CHECK_OK(setpgid(pid, pid));
    CHECK_ERR(wait4(0, &st, WNOHANG, NULL), ECHILD);
    /* wait4(-getpgrp()) would mean "any child" for a process in group 1,
     * which the sandbox's init is: ask for the group by waitid instead. */
    siginfo_t si;
    CHECK_ERR(waitid(P_PGID, getpgrp(), &si, WEXITED | WNOHANG), ECHILD);
    CHECK_RET(wait4(-pid, &st, WNOHANG, NULL), 0);
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_RET(wait4(-pid, &st, 0, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 6);
    /* One in our group is. */
    pid = fork();
    if (pid == 0)
        _exit(8);
    CHECK_RET(wait4(0, &st, 0, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 8);
    close(p[0]);
    close(p[1]);
}

static int clone_child(void *arg) {
    (void)arg;
    return 3;
}

static volatile int usr1_code, usr1_status, usr1_count;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    usr1_code = si->si_code;
    usr1_status = si->si_status;
    usr1_count++;
}

static void clone_children(void) {
    static char stack[65536];
    int st;
    struct sigaction sa = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    /* exit signal 0: a "clone" child. */
    pid_t pid = clone(clone_child, stack + sizeof stack, 0, NULL);
    CHECK(pid > 0);
    CHECK_ERR(wait4(pid, &st, 0, NULL), ECHILD);
    CHECK_RET(wait4(pid, &st, __WCLONE, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 3);

    pid = clone(clone_child, stack + sizeof stack, SIGUSR1, NULL);
    CHECK(pid > 0);
    CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
    CHECK_RET(wait4(-1, &st, __WALL, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 3);
    /* The parent got the chosen exit signal, with CLD_EXITED. */
    CHECK(usr1_count == 1);
    CHECK(usr1_code == CLD_EXITED);
    CHECK(usr1_status == 3);

    /* A SIGCHLD child is not a clone child. */
    pid = fork();
    if (pid == 0)
        _exit(2);
    CHECK_ERR(wait4(pid, &st, __WCLONE, NULL), ECHILD);
    CHECK_RET(wait4(pid, &st, __WALL, NULL), pid);
    CHECK_RET(WEXITSTATUS(st), 2);
}

static void errors(void) {
    int st;
    pid_t pid = sleeper();
    CHECK_ERR(wait4(-1, &st, WEXITED, NULL), EINVAL);
    CHECK_ERR(wait4(-1, &st, WNOWAIT, NULL), EINVAL);
    CHECK_ERR(wait4(-1, &st, 0x100, NULL), EINVAL);
    CHECK_ERR(wait4(-1, &st, WNOHANG | 0x10000, NULL), EINVAL);
    CHECK_ERR(wait4(INT_MIN, &st, WNOHANG, NULL), ESRCH);
    CHECK_RET(wait4(-1, &st, WNOHANG | __WNOTHREAD, NULL), 0);
    kill(pid, SIGKILL);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
}

int main(void) {
    nohang();
    stop_continue();
    groups();
    clone_children();
    errors();
    return check_status();
}
