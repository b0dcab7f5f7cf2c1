/* Checks for behaviour tests: each prints "ok <expr>" or "FAIL <expr>: why",
 * and check_status() is the exit code. Errnos print by name. Output must be
 * deterministic: relations, never pids, addresses or times.
 *
 *   CHECK_OK(e)          e is not -1
 *   CHECK_RET(e, want)   e == want
 *   CHECK_ERR(e, ERRNO)  e is -1 with errno ERRNO
 *   CHECK(cond)          a plain relation
 *
 * stdout is unbuffered (set before main), so what was printed before a
 * fatal signal is not lost. */
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

/* The symbolic name of every Linux errno (asm-generic/errno*.h; the
 * aliases EWOULDBLOCK, EDEADLOCK and ENOTSUP print as EAGAIN, EDEADLK and
 * EOPNOTSUPP). Anything else, such as a leaked kernel-internal ERESTARTSYS
 * (512), prints as its number: "E512". */
__attribute__((unused)) static const char *errno_name(int e) {
#define CHECK_NAME_(x) [x] = #x
    static const char *const names[] = {
        [0] = "0",
        CHECK_NAME_(EPERM), CHECK_NAME_(ENOENT), CHECK_NAME_(ESRCH), CHECK_NAME_(EINTR),
        CHECK_NAME_(EIO), CHECK_NAME_(ENXIO), CHECK_NAME_(E2BIG), CHECK_NAME_(ENOEXEC),
        CHECK_NAME_(EBADF), CHECK_NAME_(ECHILD), CHECK_NAME_(EAGAIN), CHECK_NAME_(ENOMEM),
        CHECK_NAME_(EACCES), CHECK_NAME_(EFAULT), CHECK_NAME_(ENOTBLK), CHECK_NAME_(EBUSY),
        CHECK_NAME_(EEXIST), CHECK_NAME_(EXDEV), CHECK_NAME_(ENODEV), CHECK_NAME_(ENOTDIR),
        CHECK_NAME_(EISDIR), CHECK_NAME_(EINVAL), CHECK_NAME_(ENFILE), CHECK_NAME_(EMFILE),
        CHECK_NAME_(ENOTTY), CHECK_NAME_(ETXTBSY), CHECK_NAME_(EFBIG), CHECK_NAME_(ENOSPC),
        CHECK_NAME_(ESPIPE), CHECK_NAME_(EROFS), CHECK_NAME_(EMLINK), CHECK_NAME_(EPIPE),
        CHECK_NAME_(EDOM), CHECK_NAME_(ERANGE), CHECK_NAME_(EDEADLK),
        CHECK_NAME_(ENAMETOOLONG), CHECK_NAME_(ENOLCK), CHECK_NAME_(ENOSYS),
        CHECK_NAME_(ENOTEMPTY), CHECK_NAME_(ELOOP), CHECK_NAME_(ENOMSG), CHECK_NAME_(EIDRM),
        CHECK_NAME_(ECHRNG), CHECK_NAME_(EL2NSYNC), CHECK_NAME_(EL3HLT),
        CHECK_NAME_(EL3RST), CHECK_NAME_(ELNRNG), CHECK_NAME_(EUNATCH), CHECK_NAME_(ENOCSI),
        CHECK_NAME_(EL2HLT), CHECK_NAME_(EBADE), CHECK_NAME_(EBADR), CHECK_NAME_(EXFULL),
        CHECK_NAME_(ENOANO), CHECK_NAME_(EBADRQC), CHECK_NAME_(EBADSLT),
        CHECK_NAME_(EBFONT), CHECK_NAME_(ENOSTR), CHECK_NAME_(ENODATA), CHECK_NAME_(ETIME),
        CHECK_NAME_(ENOSR), CHECK_NAME_(ENONET), CHECK_NAME_(ENOPKG), CHECK_NAME_(EREMOTE),
        CHECK_NAME_(ENOLINK), CHECK_NAME_(EADV), CHECK_NAME_(ESRMNT), CHECK_NAME_(ECOMM),
        CHECK_NAME_(EPROTO), CHECK_NAME_(EMULTIHOP), CHECK_NAME_(EDOTDOT),
        CHECK_NAME_(EBADMSG), CHECK_NAME_(EOVERFLOW), CHECK_NAME_(ENOTUNIQ),
        CHECK_NAME_(EBADFD), CHECK_NAME_(EREMCHG), CHECK_NAME_(ELIBACC),
        CHECK_NAME_(ELIBBAD), CHECK_NAME_(ELIBSCN), CHECK_NAME_(ELIBMAX),
        CHECK_NAME_(ELIBEXEC), CHECK_NAME_(EILSEQ), CHECK_NAME_(ERESTART),
        CHECK_NAME_(ESTRPIPE), CHECK_NAME_(EUSERS), CHECK_NAME_(ENOTSOCK),
        CHECK_NAME_(EDESTADDRREQ), CHECK_NAME_(EMSGSIZE), CHECK_NAME_(EPROTOTYPE),
        CHECK_NAME_(ENOPROTOOPT), CHECK_NAME_(EPROTONOSUPPORT),
        CHECK_NAME_(ESOCKTNOSUPPORT), CHECK_NAME_(EOPNOTSUPP), CHECK_NAME_(EPFNOSUPPORT),
        CHECK_NAME_(EAFNOSUPPORT), CHECK_NAME_(EADDRINUSE), CHECK_NAME_(EADDRNOTAVAIL),
        CHECK_NAME_(ENETDOWN), CHECK_NAME_(ENETUNREACH), CHECK_NAME_(ENETRESET),
        CHECK_NAME_(ECONNABORTED), CHECK_NAME_(ECONNRESET), CHECK_NAME_(ENOBUFS),
        CHECK_NAME_(EISCONN), CHECK_NAME_(ENOTCONN), CHECK_NAME_(ESHUTDOWN),
        CHECK_NAME_(ETOOMANYREFS), CHECK_NAME_(ETIMEDOUT), CHECK_NAME_(ECONNREFUSED),
        CHECK_NAME_(EHOSTDOWN), CHECK_NAME_(EHOSTUNREACH), CHECK_NAME_(EALREADY),
        CHECK_NAME_(EINPROGRESS), CHECK_NAME_(ESTALE), CHECK_NAME_(EUCLEAN),
        CHECK_NAME_(ENOTNAM), CHECK_NAME_(ENAVAIL), CHECK_NAME_(EISNAM),
        CHECK_NAME_(EREMOTEIO), CHECK_NAME_(EDQUOT), CHECK_NAME_(ENOMEDIUM),
        CHECK_NAME_(EMEDIUMTYPE), CHECK_NAME_(ECANCELED), CHECK_NAME_(ENOKEY),
        CHECK_NAME_(EKEYEXPIRED), CHECK_NAME_(EKEYREVOKED), CHECK_NAME_(EKEYREJECTED),
        CHECK_NAME_(EOWNERDEAD), CHECK_NAME_(ENOTRECOVERABLE), CHECK_NAME_(ERFKILL),
        CHECK_NAME_(EHWPOISON),
    };
#undef CHECK_NAME_
    static char other[4][24]; /* rotating, so one printf may name several */
    static unsigned next;
    if (e >= 0 && e < (int)(sizeof names / sizeof names[0]) && names[e])
        return names[e];
    char *buf = other[next++ % 4];
    snprintf(buf, sizeof other[0], "E%d", e);
    return buf;
}

/* The expression must not be -1. */
#define CHECK_OK(e)                                                                      \
    do {                                                                                 \
        errno = 0;                                                                       \
        long r_ = (long)(e);                                                             \
        int e_ = errno;                                                                  \
        if (r_ != -1)                                                                    \
            printf("ok %s\n", #e);                                                       \
        else {                                                                           \
            printf("FAIL %s: %s\n", #e, errno_name(e_));                                 \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

/* The expression must equal `want`; a -1 names its errno. */
#define CHECK_RET(e, want)                                                               \
    do {                                                                                 \
        errno = 0;                                                                       \
        long r_ = (long)(e);                                                             \
        int e_ = errno;                                                                  \
        long w_ = (long)(want);                                                          \
        if (r_ == w_)                                                                    \
            printf("ok %s\n", #e);                                                       \
        else if (r_ == -1) {                                                             \
            printf("FAIL %s: got -1/%s want %ld\n", #e, errno_name(e_), w_);             \
            check_failed = 1;                                                            \
        } else {                                                                         \
            printf("FAIL %s: got %ld want %ld\n", #e, r_, w_);                           \
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
            printf("FAIL %s: got %ld/%s want %s\n", #e, r_, errno_name(e_),              \
                   errno_name(err));                                                     \
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

/* The exit code: 0 if every check passed, else 1. */
__attribute__((unused)) static int check_status(void) { return check_failed; }

#endif
