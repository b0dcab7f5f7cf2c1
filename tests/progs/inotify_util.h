/* Helpers for the inotify programs: watches named for printing, and a
 * drain that prints every queued event as "event <watch> MASK name cookie",
 * with cookies shown as letters in order of first appearance (0 stays "-"),
 * so a MOVED_FROM/MOVED_TO pair reads as one letter. Include after
 * fs_util.h. */
#ifndef INOTIFY_UTIL_H
#define INOTIFY_UTIL_H
#include <stdint.h>
#include <sys/inotify.h>

#define IN_MAX_WATCHES 16
static struct {
    int wd;
    const char *name;
} in_watches[IN_MAX_WATCHES];
static uint32_t in_cookies[64];
static int in_ncookies;

/* Adds a watch on `path` named `name`; returns the wd. */
__attribute__((unused)) static int in_watch(int in, const char *path, uint32_t mask,
                                            const char *name) {
    int wd = inotify_add_watch(in, path, mask);
    if (wd < 0) {
        printf("FAIL inotify_add_watch %s: %s\n", path, errno_name(errno));
        check_failed = 1;
        return wd;
    }
    for (int i = 0; i < IN_MAX_WATCHES; i++)
        if (in_watches[i].name == NULL || in_watches[i].wd == wd) {
            in_watches[i].wd = wd;
            in_watches[i].name = name;
            break;
        }
    return wd;
}

static const char *in_watch_name(int wd) {
    if (wd == -1)
        return "-1";
    for (int i = 0; i < IN_MAX_WATCHES; i++)
        if (in_watches[i].name && in_watches[i].wd == wd)
            return in_watches[i].name;
    return "wd?";
}

static void in_show_mask(uint32_t m) {
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{IN_ACCESS, "ACCESS"},
                 {IN_MODIFY, "MODIFY"},
                 {IN_ATTRIB, "ATTRIB"},
                 {IN_CLOSE_WRITE, "CLOSE_WRITE"},
                 {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
                 {IN_OPEN, "OPEN"},
                 {IN_MOVED_FROM, "MOVED_FROM"},
                 {IN_MOVED_TO, "MOVED_TO"},
                 {IN_CREATE, "CREATE"},
                 {IN_DELETE, "DELETE"},
                 {IN_DELETE_SELF, "DELETE_SELF"},
                 {IN_MOVE_SELF, "MOVE_SELF"},
                 {IN_UNMOUNT, "UNMOUNT"},
                 {IN_Q_OVERFLOW, "Q_OVERFLOW"},
                 {IN_IGNORED, "IGNORED"},
                 {IN_ISDIR, "ISDIR"}};
    const char *sep = "";
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (m & names[i].bit) {
            printf("%s%s", sep, names[i].name);
            sep = "|";
            m &= ~names[i].bit;
        }
    if (m)
        printf("%s0x%x", sep, m);
}

static char in_cookie_tag(uint32_t c) {
    if (c == 0)
        return '-';
    for (int i = 0; i < in_ncookies; i++)
        if (in_cookies[i] == c)
            return (char)('A' + i % 26);
    if (in_ncookies < 64)
        in_cookies[in_ncookies++] = c;
    return (char)('A' + (in_ncookies - 1) % 26);
}

/* Prints every queued event (the instance must be non-blocking) under the
 * heading `what`; returns how many there were. A name must be NUL-padded
 * to a multiple of the event size. */
__attribute__((unused)) static int in_drain(int in, const char *what) {
    char buf[4096] __attribute__((aligned(8)));
    int count = 0;
    printf("-- %s\n", what);
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (void *)p;
            printf("event %s ", in_watch_name(e->wd));
            in_show_mask(e->mask);
            printf(" %s %c\n", e->len ? e->name : "-", in_cookie_tag(e->cookie));
            if (e->len % sizeof *e != 0 || (e->len && strlen(e->name) >= e->len)) {
                printf("FAIL name length %u\n", e->len);
                check_failed = 1;
            }
            count++;
            p += sizeof *e + e->len;
        }
    }
    return count;
}

#endif
