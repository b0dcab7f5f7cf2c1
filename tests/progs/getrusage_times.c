/* getrusage and times: CPU time grows with work, children have none yet,
 * and the errors. */
#include "check.h"
#include <sys/resource.h>
#include <sys/times.h>

static volatile unsigned long sink;

int main(void) {
    struct rusage a, b;
    CHECK_OK(getrusage(RUSAGE_SELF, &a));
    for (unsigned long i = 0; i < 200000000UL; i++)
        sink += i;
    CHECK_OK(getrusage(RUSAGE_SELF, &b));
    long ua = a.ru_utime.tv_sec * 1000000 + a.ru_utime.tv_usec;
    long ub = b.ru_utime.tv_sec * 1000000 + b.ru_utime.tv_usec;
    CHECK(ub > ua);
    CHECK(b.ru_utime.tv_usec >= 0 && b.ru_utime.tv_usec < 1000000);
    CHECK(b.ru_stime.tv_usec >= 0 && b.ru_stime.tv_usec < 1000000);
    CHECK(b.ru_maxrss > 0);
    CHECK_OK(getrusage(RUSAGE_THREAD, &b));
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &b));
    CHECK(b.ru_utime.tv_sec == 0 && b.ru_utime.tv_usec == 0);
    CHECK_ERR(getrusage(5, &b), EINVAL);
    CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, (void *)8), EFAULT);
    struct tms t;
    clock_t c1 = times(&t);
    CHECK(c1 != (clock_t)-1);
    CHECK(t.tms_utime >= 1);
    CHECK(t.tms_cutime == 0 && t.tms_cstime == 0);
    CHECK(times(NULL) >= c1);
    CHECK_ERR(syscall(SYS_times, (void *)8), EFAULT);
    return check_status();
}
