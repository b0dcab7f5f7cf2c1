/* The files at the top of /proc: meminfo's MemTotal is sysinfo's total,
 * its free figures within it; cpuinfo has an entry per online CPU, all
 * with the same flags; uptime agrees with sysinfo, stat's btime plus
 * uptime is now, and stat has a cpu line per CPU; loadavg reads "a b c
 * running/total last-pid" with our child at or below last-pid; version
 * names uname's release; filesystems lists proc, sysfs and tmpfs; /proc
 * lists self, thread-self and our pid, but not a thread's tid, which can
 * still be looked up. */
#include "proc_util.h"
#include <pthread.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

static pthread_barrier_t bar;
static pid_t tid;
static void *parked(void *arg) {
    (void)arg;
    tid = gettid();
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    return NULL;
}

/* The value of a cpuinfo line, "key<tabs>: value". */
static const char *cpu_field(const char *text, const char *key) {
    static char v[4096];
    v[0] = 0;
    const char *p = strstr(text, key);
    if (!p || !(p = strstr(p, ": ")))
        return v;
    p += 2;
    snprintf(v, sizeof v, "%.*s", (int)strcspn(p, "\n"), p);
    return v;
}

static int count_lines_starting(const char *text, const char *prefix) {
    int n = 0;
    size_t l = strlen(prefix);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, prefix, l) == 0)
            n++;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    return n;
}

int main(void) {
    struct sysinfo si;
    CHECK_OK(sysinfo(&si));
    const char *m = proc_read("/proc/meminfo", NULL);
    CHECK(m && strncmp(m, "MemTotal:", 9) == 0);
    long total = atol(proc_field(m, "MemTotal"));
    CHECK(total == (long)(si.totalram * si.mem_unit / 1024));
    CHECK(atol(proc_field(m, "MemFree")) <= total);
    CHECK(atol(proc_field(m, "MemAvailable")) <= total);
    CHECK(strcmp(proc_field(m, "Hugepagesize"), "2048 kB") == 0);
    CHECK(strstr(proc_field(m, "SwapTotal"), " kB") != NULL);

    const char *c = proc_read("/proc/cpuinfo", NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK_RET(count_lines_starting(c, "processor\t: "), cpus);
    CHECK_RET(count_lines_starting(c, "flags\t\t: "), cpus);
    CHECK(strstr(c, "processor\t: 0\n") == c);
    CHECK(strlen(cpu_field(c, "vendor_id")) == 12);
    char flags[4096];
    snprintf(flags, sizeof flags, "%s", cpu_field(c, "\nflags"));
    CHECK(strstr(flags, "fpu ") == flags);
    for (const char *p = c; (p = strstr(p, "\nflags\t\t: ")) != NULL; p++)
        CHECK(strncmp(p + 10, flags, strlen(flags)) == 0);

    double up, idle;
    CHECK_RET(sscanf(proc_read("/proc/uptime", NULL), "%lf %lf", &up, &idle), 2);
    CHECK(up >= 0 && idle >= 0 && (long)up - si.uptime <= 1 && si.uptime - (long)up <= 1);
    const char *st = proc_read("/proc/stat", NULL);
    CHECK(strncmp(st, "cpu  ", 5) == 0);
    CHECK_RET(count_lines_starting(st, "cpu"), cpus + 1);
    long btime = atol(strstr(st, "\nbtime ") + 7);
    long now = (long)time(NULL);
    CHECK(labs(btime + (long)up - now) <= 2);
    CHECK(strstr(st, "\nprocesses ") && strstr(st, "\nprocs_running "));

    pid_t child = fork();
    if (child == 0) {
        usleep(100000);
        _exit(0);
    }
    double l1, l5, l15;
    int running, all, last;
    CHECK_RET(sscanf(proc_read("/proc/loadavg", NULL), "%lf %lf %lf %d/%d %d", &l1, &l5, &l15,
                     &running, &all, &last),
              6);
    CHECK(running >= 1 && running <= all && child <= last);
    CHECK(proc_lists(child));
    waitpid(child, NULL, 0);

    struct utsname u;
    uname(&u);
    char want[128];
    snprintf(want, sizeof want, "Linux version %s ", u.release);
    CHECK(strncmp(proc_read("/proc/version", NULL), want, strlen(want)) == 0);
    const char *fs = proc_read("/proc/filesystems", NULL);
    CHECK(strstr(fs, "nodev\tproc\n") && strstr(fs, "nodev\tsysfs\n") && strstr(fs, "nodev\ttmpfs\n"));

    /* The listing. */
    CHECK(proc_lists(getpid()));
    struct stat sb;
    CHECK_OK(lstat("/proc/self", &sb));
    CHECK(S_ISLNK(sb.st_mode));
    CHECK_OK(lstat("/proc/thread-self", &sb));
    CHECK(S_ISLNK(sb.st_mode));
    pthread_t t;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&t, NULL, parked, NULL);
    pthread_barrier_wait(&bar);
    CHECK(!proc_lists(tid));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", tid);
    snprintf(want, sizeof want, "%d", tid);
    CHECK(strcmp(proc_field(proc_read(path, NULL), "Pid"), want) == 0);
    pthread_barrier_wait(&bar);
    pthread_join(t, NULL);
    return check_status();
}
