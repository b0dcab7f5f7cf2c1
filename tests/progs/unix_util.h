/* Helpers for the AF_UNIX behaviour programs: a private directory for
 * path sockets (the host's /tmp is shared by concurrent runs, the
 * sandbox's is its own: mkdtemp keeps them apart either way), addresses,
 * and abstract names that carry the pid (the host's abstract namespace
 * is shared too). */
#ifndef UNIX_UTIL_H
#define UNIX_UTIL_H
#include "check.h"
#include <dirent.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char unix_dir[64];

/* Makes the private directory (once); returns its path. */
__attribute__((unused)) static const char *unix_tmpdir(void) {
    if (!unix_dir[0]) {
        strcpy(unix_dir, "/tmp/unixtest.XXXXXX");
        if (!mkdtemp(unix_dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return unix_dir;
}

/* "<dir>/<name>" as a path address; returns the address length, which
 * counts the terminating NUL as Linux's getsockname does. */
__attribute__((unused)) static socklen_t unix_path(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", unix_tmpdir(), name);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

/* An abstract address "\0<name>.<pid>"; returns its length (no NUL at
 * the end: every byte counts). */
__attribute__((unused)) static socklen_t unix_abstract(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "%s.%d", name, (int)getpid());
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* Removes the private directory and what is in it. */
__attribute__((unused)) static void unix_cleanup(void) {
    if (!unix_dir[0])
        return;
    DIR *d = opendir(unix_dir);
    if (d) {
        struct dirent *e;
        char p[400];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", unix_dir, e->d_name);
                unlink(p);
            }
        }
        closedir(d);
    }
    rmdir(unix_dir);
}

/* An address nothing is mapped at, hidden from the compiler's checks. */
static void *volatile unix_bad_ptr = (void *)8;

#endif
