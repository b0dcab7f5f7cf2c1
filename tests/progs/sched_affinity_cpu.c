/* sched_getaffinity, sched_yield and getcpu. */
#include "check.h"
#include <sched.h>

int main(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK_OK(sched_getaffinity(0, sizeof set, &set));
    CHECK(CPU_COUNT(&set) >= 1);
    long n = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    CHECK(n >= 8 && n % 8 == 0);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 9, &set), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof set, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 999999, sizeof set, &set), ESRCH);
    CHECK_OK(syscall(SYS_sched_getaffinity, getpid(), sizeof set, &set));
    CHECK_OK(sched_yield());
    unsigned cpu = 99999, node = 99999;
    CHECK_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
    CHECK(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set));
    CHECK(node == 0);
    CHECK_OK(syscall(SYS_getcpu, NULL, NULL, NULL));
    CHECK_ERR(syscall(SYS_getcpu, (void *)8, NULL, NULL), EFAULT);
    return check_status();
}
