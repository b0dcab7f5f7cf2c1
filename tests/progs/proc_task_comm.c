/* Writing comm through /proc: a thread's task/<tid>/comm renames that
 * thread (pthread_getname_np sees it, the main thread keeps its name);
 * /proc/self/comm written by another thread renames the main thread; a
 * write keeps at most 15 bytes, newline included, and stops at a NUL;
 * another process's comm is EINVAL; O_TRUNC opens are fine. */
#include "proc_util.h"
#include <pthread.h>
#include <sys/prctl.h>

static pthread_barrier_t bar;
static pid_t worker_tid;

static int put(const char *path, const char *s, size_t n) {
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, s, n);
    int e = errno;
    close(fd);
    errno = e;
    return (int)w;
}

static void *worker(void *arg) {
    (void)arg;
    worker_tid = gettid();
    pthread_barrier_wait(&bar);
    /* The main thread renames us; then we rename it. */
    pthread_barrier_wait(&bar);
    int w = put("/proc/self/comm", "from-worker", 11);
    pthread_barrier_wait(&bar);
    /* The main thread looks while we still live. */
    pthread_barrier_wait(&bar);
    CHECK_RET(w, 11);
    return NULL;
}

static const char *name_of(pthread_t t) {
    static char n[32];
    n[0] = 0;
    pthread_getname_np(t, n, sizeof n);
    return n;
}

int main(void) {
    char path[64];
    CHECK_OK(prctl(PR_SET_NAME, "main"));
    pthread_t t;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&t, NULL, worker, NULL);
    pthread_barrier_wait(&bar);
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", worker_tid);
    CHECK_RET(put(path, "renamed", 7), 7);
    CHECK(strcmp(name_of(t), "renamed") == 0);
    CHECK(strcmp(name_of(pthread_self()), "main") == 0);
    CHECK(strcmp(proc_read(path, NULL), "renamed\n") == 0);
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    CHECK(strcmp(name_of(pthread_self()), "from-worker") == 0);
    CHECK(strcmp(name_of(t), "renamed") == 0);
    pthread_barrier_wait(&bar);
    pthread_join(t, NULL);

    /* Lengths, newlines and NULs. */
    CHECK_RET(put("/proc/self/comm", "0123456789abcdefghij", 20), 20);
    CHECK(strcmp(name_of(pthread_self()), "0123456789abcde") == 0);
    CHECK_RET(put("/proc/self/comm", "line\n", 5), 5);
    CHECK(strcmp(name_of(pthread_self()), "line\n") == 0);
    CHECK(strcmp(proc_read("/proc/self/comm", NULL), "line\n\n") == 0);
    CHECK(strcmp(proc_field(proc_read("/proc/self/status", NULL), "Name"), "line\\n") == 0);
    CHECK_RET(put("/proc/self/comm", "ab\0cd", 5), 5);
    CHECK(strcmp(name_of(pthread_self()), "ab") == 0);

    /* Another process. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        _exit(read(p[0], &c, 1) < 0);
    }
    close(p[0]);
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    CHECK_ERR(put(path, "other", 5), EINVAL);
    CHECK(strcmp(proc_read(path, NULL), "ab\n") == 0);
    close(p[1]);
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    return check_status();
}
