/* alarm returns the old timer's seconds; ITIMER_REAL and ITIMER_VIRTUAL fire
 * SIGALRM and SIGVTALRM; a periodic POSIX timer delivers SIGRTMIN with its
 * sigev_value; timer_gettime, timer_delete and their errors. */
#include "check.h"
#include <signal.h>
#include <time.h>
#include <sys/time.h>
static volatile int alrm, vt, rt, rtval, ovr;
static void h(int s, siginfo_t *si, void *u) { (void)u; if (s == SIGALRM) alrm++; else if (s == SIGVTALRM) vt++; else { rt++; rtval = si->si_value.sival_int; ovr = si->si_overrun >= 0; } }
int main(void) {
  struct sigaction sa = {0}; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
  sigaction(SIGALRM, &sa, 0); sigaction(SIGVTALRM, &sa, 0); sigaction(SIGRTMIN, &sa, 0);
  CHECK_RET(alarm(5), 0);
  CHECK_RET(alarm(0), 5);
  struct itimerval it = {{0, 0}, {0, 20000}}, old;
  CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
  CHECK_OK(getitimer(ITIMER_REAL, &old));
  CHECK(old.it_value.tv_usec > 0 && old.it_value.tv_usec <= 20000);
  while (!alrm) pause();
  CHECK(alrm == 1);
  struct itimerval v = {{0, 0}, {0, 30000}};
  CHECK_OK(setitimer(ITIMER_VIRTUAL, &v, NULL));
  while (!vt) { for (volatile int i = 0; i < 1000000; i++); }
  CHECK(vt == 1);
  CHECK_ERR(setitimer(5, &it, NULL), EINVAL);
  timer_t tid; struct sigevent ev = {0}; ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGRTMIN; ev.sigev_value.sival_int = 42;
  CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &tid));
  struct itimerspec ts = {{0, 10000000}, {0, 10000000}};
  CHECK_OK(timer_settime(tid, 0, &ts, NULL));
  while (rt < 3) pause();
  CHECK(rtval == 42 && ovr);
  struct itimerspec cur; CHECK_OK(timer_gettime(tid, &cur));
  CHECK(cur.it_interval.tv_nsec == 10000000);
  CHECK_OK(timer_delete(tid));
  CHECK_ERR(timer_delete(tid), EINVAL);
  return check_status();
}
