/* CPU time: a thread's CPU clock advances while it computes and not while
 * it sleeps; a process's clock covers its threads; a reaped child's time
 * shows in RUSAGE_CHILDREN, wait4's rusage and times()'s child fields. */
#include "check.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static long long ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void spin_ms(int ms) {
    long long end = ns(CLOCK_THREAD_CPUTIME_ID) + ms * 1000000LL;
    while (ns(CLOCK_THREAD_CPUTIME_ID) < end) {
        for (volatile int i = 0; i < 10000; i++) {
        }
    }
}

static long long worker_cpu;
static void *worker(void *a) {
    spin_ms(30);
    worker_cpu = ns(CLOCK_THREAD_CPUTIME_ID);
    return a;
}

static long long tv_us(struct timeval t) { return t.tv_sec * 1000000LL + t.tv_usec; }

int main(void) {
    long long t0 = ns(CLOCK_THREAD_CPUTIME_ID);
    struct timespec nap = {0, 50000000};
    nanosleep(&nap, NULL);
    CHECK(ns(CLOCK_THREAD_CPUTIME_ID) - t0 < 20000000); /* sleeping is not CPU */
    long long p0 = ns(CLOCK_PROCESS_CPUTIME_ID);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    CHECK(worker_cpu >= 30000000);
    CHECK(ns(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 30000000); /* the thread's counts */

    struct rusage ru;
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &ru));
    CHECK(tv_us(ru.ru_utime) + tv_us(ru.ru_stime) == 0);
    pid_t p = fork();
    if (p == 0) {
        spin_ms(60);
        _exit(0);
    }
    struct rusage child;
    int st;
    CHECK_RET(wait4(p, &st, 0, &child), p);
    CHECK(tv_us(child.ru_utime) + tv_us(child.ru_stime) >= 50000);
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &ru));
    CHECK(tv_us(ru.ru_utime) + tv_us(ru.ru_stime) >= 50000);
    struct tms tm;
    times(&tm);
    CHECK(tm.tms_cutime + tm.tms_cstime >= 4); /* >= 40 ms in 10 ms ticks */
    CHECK_OK(getrusage(RUSAGE_THREAD, &ru));
    CHECK(tv_us(ru.ru_utime) + tv_us(ru.ru_stime) < 40000); /* main did little */
    return check_status();
}
