/* Scheduling settings: sched_setaffinity narrows the mask that
 * sched_getaffinity reads back (an empty one is EINVAL), for the caller and
 * for another thread; sched_setscheduler/sched_setparam with Linux's
 * priority ranges (EINVAL outside them), read back by sched_getscheduler
 * and sched_getparam; a child inherits them; missing pids are ESRCH. */
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>

int main(void) {
    cpu_set_t all, one, got;
    CHECK_OK(sched_getaffinity(0, sizeof all, &all));
    int first = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &all)) {
            first = i;
            break;
        }
    CHECK(first >= 0);
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    CHECK_OK(sched_setaffinity(0, sizeof one, &one));
    CHECK_OK(sched_getaffinity(0, sizeof got, &got));
    CHECK(CPU_EQUAL(&got, &one));
    cpu_set_t none;
    CPU_ZERO(&none);
    CHECK_ERR(sched_setaffinity(0, sizeof none, &none), EINVAL);
    CHECK_ERR(sched_getaffinity(999999, sizeof got, &got), ESRCH);

    pid_t p = fork();
    if (p == 0) {
        cpu_set_t c;
        sched_getaffinity(0, sizeof c, &c);
        _exit(CPU_EQUAL(&c, &one) ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(p, &st, 0), p);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(sched_setaffinity(0, sizeof all, &all));

    struct sched_param sp = {0};
    CHECK_RET(sched_getscheduler(0), SCHED_OTHER);
    sp.sched_priority = 10;
    CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
    CHECK_OK(sched_setscheduler(0, SCHED_FIFO, &sp));
    CHECK_RET(sched_getscheduler(0), SCHED_FIFO);
    struct sched_param g = {0};
    CHECK_OK(sched_getparam(0, &g));
    CHECK(g.sched_priority == 10);
    sp.sched_priority = 20;
    CHECK_OK(sched_setparam(0, &sp));
    CHECK_OK(sched_getparam(0, &g));
    CHECK(g.sched_priority == 20);
    sp.sched_priority = 100;
    CHECK_ERR(sched_setparam(0, &sp), EINVAL);
    CHECK_ERR(sched_setscheduler(0, 12345, &sp), EINVAL);
    CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
    sp.sched_priority = 0;
    CHECK_OK(sched_setscheduler(0, SCHED_BATCH, &sp));
    CHECK_RET(sched_getscheduler(0), SCHED_BATCH);
    CHECK_OK(sched_setscheduler(0, SCHED_OTHER, &sp));
    CHECK_ERR(sched_getscheduler(999999), ESRCH);
    CHECK_ERR(sched_getscheduler(-1), EINVAL);
    return check_status();
}
