/* Checks for behaviour tests: each prints "ok <expr>" or "FAIL <expr>: why",
 * and check_status() is the exit code. Errnos print by name. Output must be
 * deterministic: relations, never pids, addresses or times. */
#ifndef CHECK_H
#define CHECK_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int check_failed;

__attribute__((constructor)) static void check_init(void) { setvbuf(stdout, NULL, _IONBF, 0); }

__attribute__((unused)) static const char *errno_name(int e) {
    static const char *names[] = {
        [0] = "0", [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
        [EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC",
        [EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
        [EACCES] = "EACCES", [EFAULT] = "EFAULT", [ENOTBLK] = "ENOTBLK", [EBUSY] = "EBUSY",
        [EEXIST] = "EEXIST", [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR",
        [EISDIR] = "EISDIR", [EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE",
        [ENOTTY] = "ENOTTY", [ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC",
        [ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EMLINK] = "EMLINK", [EPIPE] = "EPIPE",
        [EDOM] = "EDOM", [ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK",
        [ENAMETOOLONG] = "ENAMETOOLONG", [ENOLCK] = "ENOLCK", [ENOSYS] = "ENOSYS",
        [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [EOVERFLOW] = "EOVERFLOW",
        [EOPNOTSUPP] = "EOPNOTSUPP",
    };
    if (e >= 0 && e < (int)(sizeof names / sizeof names[0]) && names[e])
        return names[e];
    return "E?";
}

/* The expression must not be -1. */
#define CHECK_OK(e)                                                                      \
    do {                                                                                 \
        errno = 0;                                                                       \
        long r_ = (long)(e);                                                             \
        if (r_ != -1)                                                                    \
            printf("ok %s\n", #e);                                                       \
        else {                                                                           \
            printf("FAIL %s: %s\n", #e, errno_name(errno));                              \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

/* The expression must equal `want`. */
#define CHECK_RET(e, want)                                                               \
    do {                                                                                 \
        errno = 0;                                                                       \
        long r_ = (long)(e), w_ = (long)(want);                                          \
        if (r_ == w_)                                                                    \
            printf("ok %s\n", #e);                                                       \
        else {                                                                           \
            printf("FAIL %s: got %ld (%s) want %ld\n", #e, r_, errno_name(errno), w_);   \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

/* The expression must fail with -1 and errno `err`. */
#define CHECK_ERR(e, err)                                                                \
    do {                                                                                 \
        errno = 0;                                                                       \
        long r_ = (long)(e);                                                             \
        int e_ = errno;                                                                  \
        if (r_ == -1 && e_ == (err))                                                     \
            printf("ok %s -> %s\n", #e, errno_name(e_));                                 \
        else {                                                                           \
            printf("FAIL %s: got %ld/%s want %s\n", #e, r_, errno_name(e_), errno_name(err)); \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

/* A relation that must hold. */
#define CHECK(c)                                                                         \
    do {                                                                                 \
        if (c)                                                                           \
            printf("ok %s\n", #c);                                                       \
        else {                                                                           \
            printf("FAIL %s (errno %s)\n", #c, errno_name(errno));                       \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

__attribute__((unused)) static int check_status(void) { return check_failed; }

#endif
