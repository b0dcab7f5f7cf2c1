/* Helpers for the filesystem behaviour programs: a private scratch
 * directory under /tmp (made with mkdtemp, entered with chdir, removed with
 * everything in it at the end), small file helpers, and running a piece of
 * a test in a forked child, optionally with root's privileges dropped.
 * Include after check.h. */
#ifndef FS_UTIL_H
#define FS_UTIL_H
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char fs_scratch[32];

/* Makes /tmp/fsXXXXXX and enters it; exits 2 if it cannot. */
__attribute__((unused)) static void fs_enter_scratch(void) {
    strcpy(fs_scratch, "/tmp/fsXXXXXX");
    if (!mkdtemp(fs_scratch) || chdir(fs_scratch) != 0) {
        printf("FAIL cannot make a scratch directory: %s\n", errno_name(errno));
        exit(2);
    }
}

/* Removes everything under dirfd/name (not following symlinks), making
 * directories writable and searchable first. Quiet: cleanup is not a check. */
__attribute__((unused)) static void fs_rm_rf_at(int dirfd, const char *name) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        fchmodat(dirfd, name, 0700, 0);
        for (int pass = 0; pass < 4; pass++) { /* again if it changed while read */
            int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                break;
            DIR *d = fdopendir(fd);
            if (!d) {
                close(fd);
                break;
            }
            int seen = 0;
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                seen++;
                fs_rm_rf_at(fd, e->d_name);
            }
            closedir(d);
            if (!seen)
                break;
        }
        unlinkat(dirfd, name, AT_REMOVEDIR);
    } else
        unlinkat(dirfd, name, 0);
}

/* Leaves the scratch directory and removes it. */
__attribute__((unused)) static void fs_leave_scratch(void) {
    if (chdir("/") != 0)
        return;
    fs_rm_rf_at(AT_FDCWD, fs_scratch);
    struct stat st;
    if (lstat(fs_scratch, &st) == 0)
        printf("FAIL scratch directory left behind\n");
}

/* Creates (or truncates) `path` holding `s`; returns 0 or -1. */
__attribute__((unused)) static int fs_write_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(s);
    ssize_t w = write(fd, s, n);
    close(fd);
    return w == (ssize_t)n ? 0 : -1;
}

/* Reads up to cap-1 bytes of `path` into buf, NUL-terminated; returns the
 * length or -1. */
__attribute__((unused)) static ssize_t fs_read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, buf, cap - 1);
    close(fd);
    if (r >= 0)
        buf[r] = 0;
    return r;
}

/* Drops every privilege: supplementary groups cleared (or set to the given
 * list), gid then uid set (real, effective and saved). Exits 3 on error. */
__attribute__((unused)) static void fs_drop_privs(uid_t uid, gid_t gid, int ngroups,
                                                  const gid_t *groups) {
    if (setgroups(ngroups, groups) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
        printf("FAIL cannot drop privileges: %s\n", errno_name(errno));
        exit(3);
    }
}

/* Runs fn() in a forked child and waits for it; the child's exit status is
 * its check_status(). Returns the wait status. */
__attribute__((unused)) static int fs_in_child(void (*fn)(void)) {
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(check_status());
    }
    int st = -1;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

/* Runs fn() in a child as uid/gid with no supplementary groups and checks
 * that every check there passed. */
#define FS_AS_USER(uid, gid, fn)                                                         \
    do {                                                                                 \
        pid_t p_ = fork();                                                               \
        if (p_ == 0) {                                                                   \
            fs_drop_privs((uid), (gid), 0, NULL);                                        \
            fn();                                                                        \
            _exit(check_status());                                                       \
        }                                                                                \
        int st_ = -1;                                                                    \
        waitpid(p_, &st_, 0);                                                            \
        CHECK(WIFEXITED(st_) && WEXITSTATUS(st_) == 0);                                  \
    } while (0)

#endif
