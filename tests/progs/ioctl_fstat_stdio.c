/* ioctl and fstat on the standard streams: a pipe is not a terminal. */
#include "check.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <fcntl.h>

int main(void) {
    struct termios t;
    CHECK_ERR(ioctl(1, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(0, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(99, TCGETS, &t), EBADF);
    struct winsize ws;
    CHECK_ERR(ioctl(1, TIOCGWINSZ, &ws), ENOTTY);
    CHECK_ERR(ioctl(1, 0x1234, 0), ENOTTY);
    CHECK_OK(ioctl(1, FIOCLEX));
    CHECK_RET(fcntl(1, F_GETFD), FD_CLOEXEC);
    CHECK_OK(ioctl(1, FIONCLEX));
    CHECK_RET(fcntl(1, F_GETFD), 0);
    int on = 1;
    CHECK_OK(ioctl(1, FIONBIO, &on));
    CHECK((fcntl(1, F_GETFL) & O_NONBLOCK) != 0);
    on = 0;
    CHECK_OK(ioctl(1, FIONBIO, &on));
    CHECK_ERR(ioctl(1, FIONBIO, (void *)8), EFAULT);
    struct stat st;
    CHECK_OK(fstat(1, &st));
    CHECK(S_ISFIFO(st.st_mode));
    CHECK_OK(fstat(0, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_ERR(fstat(99, &st), EBADF);
    CHECK_ERR(syscall(SYS_fstat, 1, (void *)8), EFAULT);
    CHECK_OK(syscall(SYS_newfstatat, 1, "", &st, AT_EMPTY_PATH));
    CHECK(S_ISFIFO(st.st_mode));
    CHECK_ERR(syscall(SYS_newfstatat, 1, "", &st, 0), ENOENT);
    CHECK_ERR(syscall(SYS_newfstatat, 1, "", &st, 0x8000), EINVAL);
    CHECK_ERR(syscall(SYS_newfstatat, 1, "relative", &st, 0), ENOTDIR);
    CHECK_ERR(syscall(SYS_newfstatat, 99, "relative", &st, 0), EBADF);
    return check_status();
}
