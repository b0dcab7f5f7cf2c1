/* fadvise64: every valid advice (NORMAL, RANDOM, SEQUENTIAL, WILLNEED,
 * DONTNEED, NOREUSE) returns 0 on a regular file, for any offset and a length
 * of 0 (to EOF), past EOF too, on read-only and write-only descriptors alike,
 * and leaves data and offset alone; errors: EINVAL for an unknown advice or a
 * negative length, ESPIPE for a pipe (checked first) but not for a socket (0),
 * EBADF. The raw syscall is used: posix_fadvise returns the error number
 * instead of setting errno. */
#include "fs_util.h"
#include <sys/socket.h>

static long fadv(int fd, long off, long len, int advice) {
    return syscall(SYS_fadvise64, fd, off, len, advice);
}

int main(void) {
    char buf[16];
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "advice"));
    int fd = open("f", O_RDONLY);
    CHECK_RET(read(fd, buf, 2), 2);

    CHECK_RET(fadv(fd, 0, 0, POSIX_FADV_NORMAL), 0);
    CHECK_RET(fadv(fd, 0, 0, POSIX_FADV_RANDOM), 0);
    CHECK_RET(fadv(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
    CHECK_RET(fadv(fd, 0, 6, POSIX_FADV_WILLNEED), 0);
    CHECK_RET(fadv(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    CHECK_RET(fadv(fd, 2, 2, POSIX_FADV_NOREUSE), 0);
    CHECK_RET(fadv(fd, 1 << 30, 4096, POSIX_FADV_WILLNEED), 0);
    CHECK_RET(fadv(fd, 0, 0, POSIX_FADV_NORMAL), 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 2);
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 6);
    CHECK(memcmp(buf, "advice", 6) == 0);
    int wo = open("f", O_WRONLY);
    CHECK_RET(fadv(wo, 0, 0, POSIX_FADV_DONTNEED), 0);
    CHECK_OK(close(wo));
    CHECK_RET(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
    CHECK_RET(posix_fadvise(fd, 0, 0, 77), EINVAL); /* returned, not in errno */

    /* Errors. */
    CHECK_ERR(fadv(fd, 0, 0, 6), EINVAL);
    CHECK_ERR(fadv(fd, 0, 0, -1), EINVAL);
    CHECK_ERR(fadv(fd, 0, 0, 100), EINVAL);
    CHECK_ERR(fadv(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
    CHECK_ERR(fadv(99, 0, 0, POSIX_FADV_NORMAL), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fadv(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
    CHECK_ERR(fadv(p[1], 0, 0, 100), ESPIPE); /* checked before the advice */
    close(p[0]);
    close(p[1]);
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_RET(fadv(sv[0], 0, 0, POSIX_FADV_NORMAL), 0); /* only FIFOs are ESPIPE */
    CHECK_ERR(fadv(sv[0], 0, 0, 100), EINVAL);
    close(sv[0]);
    close(sv[1]);
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
