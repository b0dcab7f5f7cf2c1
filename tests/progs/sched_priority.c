/* sched_getscheduler, sched_getparam, priority ranges, rr interval, and
 * getpriority/setpriority on the caller. */
#include "check.h"
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

int main(void) {
    CHECK_RET(sched_getscheduler(0), SCHED_OTHER);
    CHECK_ERR(sched_getscheduler(999999), ESRCH);
    CHECK_ERR(sched_getscheduler(-1), EINVAL);
    struct sched_param p = {.sched_priority = 77};
    CHECK_OK(sched_getparam(0, &p));
    CHECK(p.sched_priority == 0);
    CHECK_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getparam, 0, (void *)8), EFAULT);
    CHECK_RET(sched_get_priority_max(SCHED_FIFO), 99);
    CHECK_RET(sched_get_priority_min(SCHED_RR), 1);
    CHECK_RET(sched_get_priority_max(SCHED_OTHER), 0);
    CHECK_RET(sched_get_priority_min(SCHED_BATCH), 0);
    CHECK_ERR(sched_get_priority_max(42), EINVAL);
    struct timespec ts = {9, 9};
    CHECK_OK(sched_rr_get_interval(0, &ts));
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    CHECK_ERR(sched_rr_get_interval(999999, &ts), ESRCH);
    errno = 0;
    int base = getpriority(PRIO_PROCESS, 0);
    CHECK(errno == 0);
    CHECK_OK(setpriority(PRIO_PROCESS, 0, base + 5));
    CHECK_RET(getpriority(PRIO_PROCESS, 0), base + 5);
    CHECK_RET(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20 - (base + 5));
    CHECK_OK(setpriority(PRIO_PROCESS, 0, 100));
    CHECK_RET(getpriority(PRIO_PROCESS, 0), 19);
    CHECK_OK(setpriority(PRIO_PROCESS, 0, base));
    CHECK_ERR(setpriority(PRIO_PROCESS, 999999, 0), ESRCH);
    CHECK_ERR(setpriority(9, 0, 0), EINVAL);
    CHECK_ERR(getpriority(9, 0), EINVAL);
    return check_status();
}
