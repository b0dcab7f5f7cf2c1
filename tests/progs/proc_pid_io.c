/* /proc/pid/io counts the read and write families: wchar grows by exactly
 * the bytes write(), writev() and pwrite64() moved and syscw by the calls;
 * rchar and syscr likewise for reads, a failed read (EAGAIN) counting as a
 * call; sendfile counts as one read and one write; splice does not count.
 * A thread's task/<tid>/io has its own counts, the process's has all of
 * its threads', exited ones too. Each measurement reads io with one read()
 * and prints nothing in between, since stdout's writes count too. */
#define _GNU_SOURCE
#include "proc_util.h"
#include <pthread.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

struct io {
    unsigned long long rchar, wchar, syscr, syscw, len;
};

static char text[512];

/* One open, one read() (counted after it returns), one close. */
static struct io io_of(const char *path) {
    struct io v = {0};
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return v;
    text[n] = 0;
    v.len = (unsigned long long)n;
    sscanf(text, "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\n", &v.rchar, &v.wchar,
           &v.syscr, &v.syscw);
    return v;
}

static int pipe_w;
static struct io thread_before, thread_after;

static void *writer(void *arg) {
    (void)arg;
    thread_before = io_of("/proc/thread-self/io");
    for (int i = 0; i < 3; i++)
        if (write(pipe_w, "0123456789", 10) != 10)
            return NULL;
    thread_after = io_of("/proc/thread-self/io");
    return NULL;
}

int main(void) {
    int p[2];
    char buf[64];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    pipe_w = p[1];

    /* The format: Linux's seven lines. */
    io_of("/proc/self/io");
    const char *keys[] = {"rchar",       "wchar",       "syscr", "syscw", "read_bytes",
                          "write_bytes", "cancelled_write_bytes"};
    const char *at = text;
    for (int i = 0; i < 7; i++) {
        size_t k = strlen(keys[i]);
        int ok = strncmp(at, keys[i], k) == 0 && at[k] == ':' && at[k + 1] == ' ';
        CHECK(ok);
        at = strchr(at, '\n');
        if (!at)
            break;
        at++;
    }
    CHECK(at && *at == 0);
    struct stat st;
    CHECK_OK(stat("/proc/self/io", &st));
    printf("io mode %o\n", st.st_mode & 07777);

    /* Writes: write, writev, a failed write on a bad fd (never reaches a
     * file: not counted). */
    struct io a = io_of("/proc/self/io");
    ssize_t w1 = write(p[1], "hello", 5);
    struct iovec iov[2] = {{"abc", 3}, {"defg", 4}};
    ssize_t w2 = writev(p[1], iov, 2);
    ssize_t w3 = write(-1, "x", 1);
    struct io b = io_of("/proc/self/io");
    CHECK_RET(w1, 5);
    CHECK_RET(w2, 7);
    CHECK(w3 == -1);
    CHECK(b.wchar - a.wchar == 12);
    CHECK(b.syscw - a.syscw == 2);

    /* Reads: between the two snapshots are the first one's read (its
     * bytes) and ours; EAGAIN counts as a call with no bytes. */
    a = io_of("/proc/self/io");
    ssize_t r1 = read(p[0], buf, 5);
    ssize_t r2 = read(p[0], buf, sizeof buf);
    ssize_t r3 = read(p[0], buf, sizeof buf);
    int e3 = errno;
    b = io_of("/proc/self/io");
    CHECK_RET(r1, 5);
    CHECK_RET(r2, 7);
    CHECK(r3 == -1 && e3 == EAGAIN);
    CHECK(b.rchar - a.rchar == a.len + 12);
    CHECK(b.syscr - a.syscr == 1 + 3);

    /* pwrite64 and pread64 on a file; sendfile from it into the pipe. */
    char path[] = "/tmp/proc_pid_io_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    unlink(path);
    a = io_of("/proc/self/io");
    ssize_t w4 = pwrite(fd, "0123456789abcdef", 16, 0);
    ssize_t r4 = pread(fd, buf, 6, 10);
    off_t off = 2;
    ssize_t s1 = sendfile(p[1], fd, &off, 4);
    b = io_of("/proc/self/io");
    CHECK_RET(w4, 16);
    CHECK_RET(r4, 6);
    CHECK_RET(s1, 4);
    CHECK(b.wchar - a.wchar == 16 + 4);
    CHECK(b.syscw - a.syscw == 2);
    CHECK(b.rchar - a.rchar == a.len + 6 + 4);
    CHECK(b.syscr - a.syscr == 1 + 2);
    CHECK_RET(read(p[0], buf, sizeof buf), 4);

    /* splice moves bytes without counting them. */
    int q[2];
    CHECK_OK(pipe(q));
    CHECK_RET(write(p[1], "spliced", 7), 7);
    a = io_of("/proc/self/io");
    ssize_t s2 = splice(p[0], NULL, q[1], NULL, 7, 0);
    b = io_of("/proc/self/io");
    CHECK_RET(s2, 7);
    CHECK(b.wchar == a.wchar && b.syscw == a.syscw);
    CHECK(b.syscr - a.syscr == 1);

    /* A thread: its own io sees its writes; the main thread's does not;
     * the process's keeps them after the thread is gone. */
    char main_io[64];
    snprintf(main_io, sizeof main_io, "/proc/self/task/%d/io", getpid());
    struct io m1 = io_of(main_io);
    a = io_of("/proc/self/io");
    pthread_t t;
    int created = pthread_create(&t, NULL, writer, NULL);
    if (created == 0)
        pthread_join(t, NULL);
    struct io m2 = io_of(main_io);
    b = io_of("/proc/self/io");
    CHECK(created == 0);
    CHECK(thread_after.wchar - thread_before.wchar == 30);
    CHECK(thread_after.syscw - thread_before.syscw == 3);
    CHECK(m2.wchar == m1.wchar && m2.syscw == m1.syscw);
    CHECK(b.wchar - a.wchar == 30);
    CHECK(b.syscw - a.syscw == 3);

    /* A child's io starts from nothing it did not do. */
    pid_t pid = fork();
    if (pid == 0) {
        struct io c = io_of("/proc/self/io");
        _exit(c.wchar == 0 && c.syscw == 0 ? 0 : 1);
    }
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_status();
}
