/* /proc/self/status lines that follow the process's settings: SigBlk
 * shows the blocked set; SigIgn and SigCgt the ignored and caught signals
 * (one bit each, bit n-1 for signal n); a signal raised at the thread while
 * blocked is in SigPnd, one sent to the process in ShdPnd, and SigQ counts
 * them (with the user's other queued signals) against RLIMIT_SIGPENDING; Umask follows umask(2), NoNewPrivs
 * PR_SET_NO_NEW_PRIVS, Cpus_allowed_list sched_setaffinity; TracerPid is
 * 0; a thread's own status has its own SigBlk. */
#include "proc_util.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static unsigned long long mask(const char *key) {
    return strtoull(proc_field(proc_read("/proc/self/status", NULL), key), NULL, 16);
}

static int has(const char *key, int sig) { return (mask(key) >> (sig - 1)) & 1; }

static void handler(int sig) { (void)sig; }

static char task_blk[32];
static void *worker(void *arg) {
    (void)arg;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", gettid());
    snprintf(task_blk, sizeof task_blk, "%s", proc_field(proc_read(path, NULL), "SigBlk"));
    return NULL;
}

int main(void) {
    const char *s = proc_read("/proc/self/status", NULL);
    CHECK(strcmp(proc_field(s, "TracerPid"), "0") == 0);
    CHECK(strcmp(proc_field(s, "NoNewPrivs"), "0") == 0);
    CHECK(strncmp(proc_field(s, "State"), "R", 1) == 0);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    CHECK(has("SigBlk", SIGUSR1) && has("SigBlk", SIGTERM) && !has("SigBlk", SIGUSR2));
    CHECK(strcmp(proc_field(proc_read("/proc/self/status", NULL), "SigBlk"),
                 "0000000000004200") == 0);

    signal(SIGUSR2, SIG_IGN);
    CHECK(has("SigIgn", SIGUSR2) && !has("SigCgt", SIGUSR2));
    struct sigaction sa = {.sa_handler = handler};
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK(has("SigCgt", SIGUSR1) && !has("SigIgn", SIGUSR1));
    signal(SIGUSR2, SIG_DFL);
    CHECK(!has("SigIgn", SIGUSR2) && !has("SigCgt", SIGUSR2));

    /* Pending. */
    CHECK(mask("SigPnd") == 0 && mask("ShdPnd") == 0);
    CHECK_OK(raise(SIGUSR1));
    CHECK_OK(kill(getpid(), SIGTERM));
    CHECK(has("SigPnd", SIGUSR1) && !has("SigPnd", SIGTERM));
    CHECK(has("ShdPnd", SIGTERM) && !has("ShdPnd", SIGUSR1));
    /* SigQ counts the signals queued for our user (other processes of the
     * user count too) against RLIMIT_SIGPENDING. */
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_SIGPENDING, &rl));
    unsigned long long queued, limit;
    CHECK_RET(sscanf(proc_field(proc_read("/proc/self/status", NULL), "SigQ"), "%llu/%llu",
                     &queued, &limit),
              2);
    CHECK(queued >= 2 && limit == (unsigned long long)rl.rlim_cur);
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    CHECK_OK(sigwait(&set, &sig));
    CHECK(mask("ShdPnd") == 0 && has("SigPnd", SIGUSR1));

    /* A thread starts with its creator's mask, and its own status shows it. */
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    CHECK(strcmp(task_blk, "0000000000004200") == 0);

    /* Other settings. */
    umask(027);
    CHECK(strcmp(proc_field(proc_read("/proc/self/status", NULL), "Umask"), "0027") == 0);
    CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    CHECK(strcmp(proc_field(proc_read("/proc/self/status", NULL), "NoNewPrivs"), "1") == 0);
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    CHECK_OK(sched_setaffinity(0, sizeof cpus, &cpus));
    CHECK(strcmp(proc_field(proc_read("/proc/self/status", NULL), "Cpus_allowed_list"), "0") ==
          0);
    return check_status();
}
