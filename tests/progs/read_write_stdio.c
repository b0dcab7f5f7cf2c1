/* read, write, readv, writev, pread and lseek on the standard streams
 * (stdin is /dev/null, stdout a pipe), and their errors. */
#include "check.h"
#include <sys/uio.h>

int main(void) {
    char buf[16];
    CHECK_RET(read(0, buf, sizeof buf), 0); /* /dev/null: end of file */
    CHECK_RET(read(0, buf, 0), 0);
    CHECK_RET(write(1, "line one\n", 9), 9);
    CHECK_RET(write(1, buf, 0), 0);
    struct iovec iov[3] = {{"two ", 4}, {"", 0}, {"parts\n", 6}};
    CHECK_RET(writev(1, iov, 3), 10);
    CHECK_RET(writev(1, iov, 0), 0);
    struct iovec in[2] = {{buf, 4}, {buf + 4, 4}};
    CHECK_RET(readv(0, in, 2), 0);
    CHECK_ERR(syscall(SYS_write, 99, "x", 1), EBADF);
    CHECK_ERR(syscall(SYS_read, 99, buf, 1), EBADF);
    CHECK_ERR(syscall(SYS_read, -1, buf, 1), EBADF);
    CHECK_ERR(syscall(SYS_write, 1, (void *)8, 4), EFAULT);
    CHECK_ERR(syscall(SYS_writev, 1, iov, -1), EINVAL);
    CHECK_ERR(syscall(SYS_writev, 1, iov, 1025), EINVAL);
    CHECK_ERR(syscall(SYS_readv, 0, (void *)8, 1), EFAULT);
    struct iovec badlen[1] = {{buf, (size_t)-1}};
    CHECK_ERR(syscall(SYS_writev, 1, badlen, 1), EINVAL);
    /* Writing to the read end, reading from the write end. */
    CHECK_ERR(syscall(SYS_write, 0, "x", 1), EBADF);
    CHECK_ERR(syscall(SYS_read, 1, buf, 1), EBADF);
    /* A pipe cannot seek. */
    CHECK_ERR(lseek(1, 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(syscall(SYS_pread64, 1, buf, 1, 0), ESPIPE);
    CHECK_ERR(syscall(SYS_pwrite64, 1, "x", 1, 0), ESPIPE);
    /* /dev/null takes any offset, even a negative one. */
    CHECK_RET(syscall(SYS_pread64, 0, buf, 1, -1), 0);
    CHECK_ERR(lseek(99, 0, SEEK_SET), EBADF);
    CHECK_RET(lseek(0, 0, SEEK_SET), 0); /* /dev/null seeks */
    CHECK_RET(syscall(SYS_pread64, 0, buf, 4, 100), 0);
    return check_status();
}
