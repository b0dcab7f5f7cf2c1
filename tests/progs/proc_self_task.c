/* /proc/self/task: one numeric entry per thread (the main thread's is the pid,
 * the others their gettid()), entries go away when threads are joined (give or
 * take the instant between the tid-clear wake-up and the reaping); each task's
 * status has "Pid:" = tid and "Tgid:" = pid, its stat starts with the tid, and
 * its comm is per thread (pthread_setname_np). */
#include "fs_util.h"
#include <pthread.h>

static pthread_barrier_t bar;
static pid_t tids[2];

static void *worker(void *arg) {
    long i = (long)arg;
    tids[i] = gettid();
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", i);
    pthread_setname_np(pthread_self(), name);
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    return NULL;
}

static int list_tasks(pid_t *out, int cap) {
    char buf[4096];
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY), n = 0;
    long r;
    while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < r; off += *(unsigned short *)(buf + off + 16)) {
            const char *name = buf + off + 19;
            if (name[0] != '.' && n < cap)
                out[n++] = atoi(name);
        }
    close(fd);
    return n;
}

static int has(const pid_t *v, int n, pid_t x) {
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static const char *slurp(const char *path) {
    static char text[8192];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
    if (fd >= 0)
        close(fd);
    text[n < 0 ? 0 : n] = 0;
    return text;
}

int main(void) {
    pid_t t[8];
    char path[64], want[64];
    CHECK_RET(list_tasks(t, 8), 1);
    CHECK(t[0] == getpid());

    pthread_barrier_init(&bar, NULL, 3);
    pthread_t th[2];
    pthread_create(&th[0], NULL, worker, (void *)0L);
    pthread_create(&th[1], NULL, worker, (void *)1L);
    pthread_barrier_wait(&bar);

    int n = list_tasks(t, 8);
    CHECK_RET(n, 3);
    CHECK(has(t, n, getpid()) && has(t, n, tids[0]) && has(t, n, tids[1]));
    CHECK(tids[0] != tids[1] && tids[0] != getpid());
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/proc/self/task/%d/status", tids[i]);
        const char *st = slurp(path);
        snprintf(want, sizeof want, "\nPid:\t%d\n", tids[i]);
        CHECK(strstr(st, want) != NULL);
        snprintf(want, sizeof want, "\nTgid:\t%d\n", getpid());
        CHECK(strstr(st, want) != NULL);
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", tids[i]);
        snprintf(want, sizeof want, "%d (worker-%d) ", tids[i], i);
        CHECK(strncmp(slurp(path), want, strlen(want)) == 0);
        snprintf(path, sizeof path, "/proc/self/task/%d/comm", tids[i]);
        snprintf(want, sizeof want, "worker-%d\n", i);
        CHECK(strcmp(slurp(path), want) == 0);
    }
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", getpid());
    CHECK(strncmp(slurp(path), "worker", 6) != 0); /* the main thread's own name */

    pthread_barrier_wait(&bar);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    /* pthread_join returns at the tid-clear, a moment before the kernel
     * reaps the thread: allow that moment. */
    for (int i = 0; i < 200 && list_tasks(t, 8) != 1; i++)
        usleep(5000);
    CHECK_RET(list_tasks(t, 8), 1);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", tids[0]);
    CHECK_ERR(open(path, O_RDONLY), ENOENT);
    return check_status();
}
