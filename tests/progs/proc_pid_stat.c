/* /proc/self/stat: 52 fields; pid, ppid, process group and session match
 * the calls; the name in parentheses may hold spaces and parentheses
 * (fields are found after its last ')'); state R for the reader; nice and
 * priority follow nice(2); the thread count follows pthread_create; a
 * thread's task/<tid>/stat starts with its tid; exit_signal is SIGCHLD for
 * a forked child; the memory layout fields bracket what they name: code
 * holds main, data holds an initialised global, the break starts at or
 * below sbrk(0), the stack field is just below argv, and the argument and
 * environment ranges start at argv[0] and environ[0]. */
#include "proc_util.h"
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>

int initialised = 42;
static pthread_barrier_t bar;

static void *parked(void *arg) {
    (void)arg;
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    return NULL;
}

static unsigned long long num(const char *s, int n) {
    return (unsigned long long)proc_stat_num(s, n);
}

int main(int argc, char **argv, char **envp) {
    (void)argc;
    const char *s = proc_read("/proc/self/stat", NULL);
    CHECK(s != NULL);
    CHECK_RET(proc_stat_count(s), 52);
    CHECK_RET(proc_stat_num(s, 1), getpid());
    CHECK(strstr(s, ") R ") != NULL);
    CHECK_RET(proc_stat_num(s, 4), getppid());
    CHECK_RET(proc_stat_num(s, 5), getpgrp());
    CHECK_RET(proc_stat_num(s, 6), getsid(0));
    CHECK_RET(proc_stat_num(s, 20), 1); /* threads */
    CHECK_RET(proc_stat_num(s, 18), 20); /* priority */
    CHECK_RET(proc_stat_num(s, 19), 0);  /* nice */

    /* Layout. */
    CHECK(num(s, 26) <= (unsigned long)main && (unsigned long)main < num(s, 27));
    CHECK(num(s, 45) <= (unsigned long)&initialised &&
          (unsigned long)&initialised < num(s, 46));
    CHECK(num(s, 47) <= (unsigned long)sbrk(0));
    CHECK(num(s, 28) == (unsigned long)argv - 8);
    CHECK(num(s, 48) == (unsigned long)argv[0]);
    CHECK(num(s, 49) == num(s, 50));
    CHECK(envp[0] == NULL || num(s, 50) == (unsigned long)envp[0]);
    CHECK(num(s, 50) <= num(s, 51));
    CHECK(num(s, 23) > 0); /* vsize */
    CHECK(num(s, 24) > 0); /* rss */

    /* A name with spaces and parentheses. */
    CHECK_OK(prctl(PR_SET_NAME, "a) b (c"));
    s = proc_read("/proc/self/stat", NULL);
    CHECK(strncmp(strchr(s, '('), "(a) b (c) R ", 12) == 0);
    CHECK_RET(proc_stat_count(s), 52);
    CHECK_RET(proc_stat_num(s, 4), getppid());

    /* nice. */
    CHECK_RET(nice(5), 5);
    s = proc_read("/proc/self/stat", NULL);
    CHECK_RET(proc_stat_num(s, 19), 5);
    CHECK_RET(proc_stat_num(s, 18), 25);

    /* Threads. */
    pthread_t t;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&t, NULL, parked, NULL);
    pthread_barrier_wait(&bar);
    s = proc_read("/proc/self/stat", NULL);
    CHECK_RET(proc_stat_num(s, 20), 2);
    pthread_barrier_wait(&bar);
    pthread_join(t, NULL);

    /* A forked child's own view. */
    long long parent_start = proc_stat_num(proc_read("/proc/self/stat", NULL), 22);
    pid_t pid = fork();
    if (pid == 0) {
        const char *c = proc_read("/proc/self/stat", NULL);
        CHECK(c != NULL);
        CHECK_RET(proc_stat_num(c, 1), getpid());
        CHECK_RET(proc_stat_num(c, 4), getppid());
        CHECK_RET(proc_stat_num(c, 38), SIGCHLD);
        CHECK(proc_stat_num(c, 22) >= parent_start);
        CHECK_RET(proc_stat_num(c, 20), 1);
        CHECK_RET(proc_stat_num(c, 19), 5);
        _exit(check_status());
    }
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_status();
}
