/* PIPE_BUF atomicity: writes of at most PIPE_BUF (4096) bytes from several
 * concurrent writers never interleave. Four threads write 256 records of
 * exactly 4096 bytes, then three child processes write 300 records of 1000
 * bytes (not page-aligned, so records share pages); the reader finds every
 * record whole, each writer's records in order, and the exact totals. */
#include "check.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>

static int wfd;

struct rec_hdr {
    uint32_t writer;
    uint32_t seq;
};

static void fill(char *rec, size_t len, uint32_t writer, uint32_t seq) {
    struct rec_hdr h = {writer, seq};
    memset(rec, 'a' + writer, len);
    memcpy(rec, &h, sizeof h);
}

/* 0 if rec is whole: all filler bytes match the header's writer. */
static int whole(const char *rec, size_t len, struct rec_hdr *h) {
    memcpy(h, rec, sizeof *h);
    if (h->writer >= 26)
        return 0;
    for (size_t i = sizeof *h; i < len; i++)
        if (rec[i] != (char)('a' + h->writer))
            return 0;
    return 1;
}

static int write_records(uint32_t writer, int count, size_t len) {
    char rec[PIPE_BUF];
    for (int i = 0; i < count; i++) {
        fill(rec, len, writer, i);
        if (write(wfd, rec, len) != (ssize_t)len)
            return 1;
    }
    return 0;
}

static void *thread_writer(void *arg) {
    return (void *)(long)write_records((uint32_t)(long)arg, 256, PIPE_BUF);
}

static ssize_t read_full(int fd, char *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r <= 0)
            return got ? (ssize_t)got : r;
        got += r;
    }
    return got;
}

/* Reads records of len bytes until EOF; checks them; returns the count. */
static long read_records(int fd, size_t len, int writers, int per_writer, int *bad) {
    char rec[PIPE_BUF];
    uint32_t next[8] = {0};
    long n = 0;
    ssize_t r;
    while ((r = read_full(fd, rec, len)) == (ssize_t)len) {
        struct rec_hdr h;
        if (!whole(rec, len, &h) || (int)h.writer >= writers || h.seq != next[h.writer])
            (*bad)++;
        else
            next[h.writer]++;
        n++;
    }
    if (r != 0)
        (*bad)++;
    for (int i = 0; i < writers; i++)
        if ((int)next[i] != per_writer)
            (*bad)++;
    return n;
}

int main(void) {
    CHECK_RET(PIPE_BUF, 4096);
    int p[2];

    /* Threads, page-sized records. */
    CHECK_OK(pipe(p));
    wfd = p[1];
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, thread_writer, (void *)i);
    /* The reader runs concurrently; the write end closes after the joins,
     * so the reader must not wait for EOF first. Read exactly the total. */
    char rec[PIPE_BUF];
    uint32_t next[4] = {0};
    int bad = 0;
    for (int n = 0; n < 4 * 256; n++) {
        struct rec_hdr h;
        if (read_full(p[0], rec, PIPE_BUF) != PIPE_BUF || !whole(rec, PIPE_BUF, &h) || h.writer >= 4 ||
            h.seq != next[h.writer])
            bad++;
        else
            next[h.writer]++;
    }
    long failed = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        failed += (long)r;
    }
    CHECK_RET(failed, 0);
    CHECK_RET(bad, 0);
    CHECK(next[0] == 256 && next[1] == 256 && next[2] == 256 && next[3] == 256);
    close(p[1]);
    CHECK_RET(read(p[0], rec, 1), 0);
    close(p[0]);

    /* Processes, 1000-byte records. */
    CHECK_OK(pipe(p));
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            close(p[0]);
            wfd = p[1];
            _exit(write_records(i, 300, 1000));
        }
    }
    close(p[1]);
    bad = 0;
    CHECK_RET(read_records(p[0], 1000, 3, 300, &bad), 900);
    CHECK_RET(bad, 0);
    int ok_kids = 0;
    for (int i = 0; i < 3; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            ok_kids++;
    }
    CHECK_RET(ok_kids, 3);
    close(p[0]);
    return check_status();
}
