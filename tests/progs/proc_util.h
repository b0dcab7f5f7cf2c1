/* Helpers for the /proc and /sys behaviour programs: reading a whole file,
 * the value of a "Key:" line, the fields of a stat line, and whether /proc
 * lists a pid. Include after check.h. */
#ifndef PROC_UTIL_H
#define PROC_UTIL_H
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Reads all of `path` (up to 256 KiB) into one of four rotating buffers,
 * NUL-terminated; returns it, or NULL with errno set. *len gets the length
 * when len is not NULL. */
__attribute__((unused)) static char *proc_read(const char *path, ssize_t *len) {
    static char bufs[4][1 << 18];
    static int next;
    char *b = bufs[next++ % 4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = 0, r;
    while ((r = read(fd, b + n, sizeof bufs[0] - 1 - n)) > 0)
        n += r;
    int e = errno;
    close(fd);
    if (r < 0) {
        errno = e;
        return NULL;
    }
    b[n] = 0;
    if (len)
        *len = n;
    return b;
}

/* The value after "Key:" and its blanks on a line of `text`, up to the
 * newline, in one of four rotating buffers; "" when there is no such line. */
__attribute__((unused)) static const char *proc_field(const char *text, const char *key) {
    static char vals[4][512];
    static int next;
    char *v = vals[next++ % 4];
    size_t kl = strlen(key);
    v[0] = 0;
    if (!text)
        return v;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == ':') {
            const char *s = p + kl + 1;
            while (s < p + len && (*s == ' ' || *s == '\t'))
                s++;
            snprintf(v, sizeof vals[0], "%.*s", (int)(p + len - s), s);
            return v;
        }
        p += len + (nl ? 1 : 0);
    }
    return v;
}

/* The number after "Key:" in /proc/self/status (kB for the Vm* lines),
 * or -1 without such a line. */
__attribute__((unused)) static long proc_status_field(const char *key) {
    const char *v = proc_field(proc_read("/proc/self/status", NULL), key);
    return *v ? atol(v) : -1;
}

/* Field n (1-based, as proc(5) numbers them) of a /proc/pid/stat line, as
 * a number; field 2, the name, is skipped over by its last ')'. Returns
 * -1 when the line has fewer fields. */
__attribute__((unused)) static long long proc_stat_num(const char *stat, int n) {
    if (n == 1)
        return strtoll(stat, NULL, 10);
    const char *p = strrchr(stat, ')');
    if (!p || n < 3)
        return -1;
    p += 2; /* field 3 */
    for (int i = 3; i < n; i++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    return strtoll(p, NULL, 10);
}

/* The number of fields of a stat line (the name counts as one). */
__attribute__((unused)) static int proc_stat_count(const char *stat) {
    const char *p = strrchr(stat, ')');
    if (!p)
        return 0;
    int n = 2;
    for (p++; *p && *p != '\n'; p++)
        if (*p == ' ' && p[1] && p[1] != '\n')
            n++;
    return n;
}

/* Whether the listing of /proc has an entry named `pid`. */
__attribute__((unused)) static int proc_lists(pid_t pid) {
    char want[16];
    snprintf(want, sizeof want, "%d", pid);
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, want) == 0)
            found = 1;
    closedir(d);
    return found;
}

/* The number of lines of `text`. */
__attribute__((unused)) static int proc_lines(const char *text) {
    int n = 0;
    for (const char *p = text; p && *p; p++)
        if (*p == '\n')
            n++;
    return n;
}

#endif
