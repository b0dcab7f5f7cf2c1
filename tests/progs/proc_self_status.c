/* /proc/self/status, stat, cmdline and comm: status has "Name:" (the
 * executable's basename cut to 15 bytes), "State:", "Pid:" equal to getpid(),
 * "PPid:" equal to getppid(), "Uid:"/"Gid:" with four equal ids, "Threads:"
 * counting our threads; stat's fields 1-4 are pid, (comm), state R and ppid,
 * even when comm holds spaces and parentheses; cmdline is argv with NUL
 * terminators; PR_SET_NAME shows in comm, status and stat; writing comm
 * renames too; a child's files show its own pid. */
#include "fs_util.h"
#include <pthread.h>
#include <sys/prctl.h>

static char text[16384];

static const char *slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    ssize_t n = 0, r;
    while (fd >= 0 && (r = read(fd, text + n, sizeof text - 1 - n)) > 0)
        n += r;
    if (fd >= 0)
        close(fd);
    text[n] = 0;
    return text;
}

/* The value after "Key:" and a tab, up to the newline. */
static const char *field(const char *status, const char *key) {
    static char val[256];
    char k[64];
    snprintf(k, sizeof k, "\n%s:\t", key);
    const char *p = strstr(status, k);
    if (!p && strncmp(status, k + 1, strlen(k + 1)) == 0)
        p = status - 1;
    if (!p)
        return "";
    p += strlen(k);
    size_t n = strcspn(p, "\n");
    snprintf(val, sizeof val, "%.*s", (int)n, p);
    return val;
}

static pthread_barrier_t bar;
static void *parked(void *arg) {
    (void)arg;
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    return NULL;
}

static void check_stat(const char *comm, pid_t pid, pid_t ppid) {
    slurp("/proc/self/stat");
    char want[64];
    snprintf(want, sizeof want, "%d (%s) R %d ", pid, comm, ppid);
    CHECK(strncmp(text, want, strlen(want)) == 0);
}

int main(int argc, char **argv) {
    char want[256];
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char comm[16];
    snprintf(comm, sizeof comm, "%.15s", base);

    /* status. */
    const char *st = slurp("/proc/self/status");
    CHECK(strncmp(st, "Name:\t", 6) == 0);
    CHECK(strcmp(field(st, "Name"), comm) == 0);
    snprintf(want, sizeof want, "%d", getpid());
    CHECK(strcmp(field(st, "Pid"), want) == 0);
    CHECK(strcmp(field(st, "Tgid"), want) == 0);
    snprintf(want, sizeof want, "%d", getppid());
    CHECK(strcmp(field(st, "PPid"), want) == 0);
    CHECK(strncmp(field(st, "State"), "R", 1) == 0);
    snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getuid(), geteuid(), getuid(), getuid());
    CHECK(strcmp(field(st, "Uid"), want) == 0);
    snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getgid(), getegid(), getgid(), getgid());
    CHECK(strcmp(field(st, "Gid"), want) == 0);
    CHECK(strcmp(field(st, "Threads"), "1") == 0);

    /* Threads. */
    pthread_t t[2];
    pthread_barrier_init(&bar, NULL, 3);
    pthread_create(&t[0], NULL, parked, NULL);
    pthread_create(&t[1], NULL, parked, NULL);
    pthread_barrier_wait(&bar);
    CHECK(strcmp(field(slurp("/proc/self/status"), "Threads"), "3") == 0);
    pthread_barrier_wait(&bar);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    for (int i = 0; i < 200 && strcmp(field(slurp("/proc/self/status"), "Threads"), "1"); i++)
        usleep(5000); /* joined threads are reaped a moment after the join */
    CHECK(strcmp(field(slurp("/proc/self/status"), "Threads"), "1") == 0);

    /* stat and comm. */
    check_stat(comm, getpid(), getppid());
    snprintf(want, sizeof want, "%s\n", comm);
    CHECK(strcmp(slurp("/proc/self/comm"), want) == 0);
    CHECK_OK(prctl(PR_SET_NAME, "odd) name (x"));
    CHECK(strcmp(slurp("/proc/self/comm"), "odd) name (x\n") == 0);
    CHECK(strcmp(field(slurp("/proc/self/status"), "Name"), "odd) name (x") == 0);
    check_stat("odd) name (x", getpid(), getppid());
    CHECK_OK(prctl(PR_SET_NAME, "a-name-longer-than-fifteen"));
    CHECK(strcmp(slurp("/proc/self/comm"), "a-name-longer-t\n") == 0);
    int fd = open("/proc/self/comm", O_WRONLY);
    CHECK_RET(write(fd, "written", 7), 7);
    close(fd);
    char name[17] = {0};
    CHECK_OK(prctl(PR_GET_NAME, name));
    CHECK(strcmp(name, "written") == 0);

    /* cmdline. */
    int clen = 0;
    for (int i = 0; i < argc; i++)
        clen += strlen(argv[i]) + 1;
    fd = open("/proc/self/cmdline", O_RDONLY);
    ssize_t n = read(fd, text, sizeof text);
    close(fd);
    CHECK_RET(n, clen);
    CHECK(memcmp(text, argv[0], strlen(argv[0]) + 1) == 0);

    /* A child sees itself. */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        char w[64];
        snprintf(w, sizeof w, "%d", getpid());
        int ok = strcmp(field(slurp("/proc/self/status"), "Pid"), w) == 0;
        snprintf(w, sizeof w, "%d", parent);
        ok = ok && strcmp(field(slurp("/proc/self/status"), "PPid"), w) == 0;
        _exit(ok ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    return check_status();
}
