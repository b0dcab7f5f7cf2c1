/* Generic ioctls on regular files and directories: FIONREAD is the size minus
 * the offset (negative past EOF) on a file and ENOTTY on a directory;
 * FIOCLEX/FIONCLEX set and clear FD_CLOEXEC of one descriptor only; FIONBIO
 * toggles O_NONBLOCK in the shared status flags; FIOASYNC cannot turn O_ASYNC
 * on for a regular file (ENOTTY; off is a no-op) and F_SETFL silently leaves
 * it off; unknown and terminal requests are ENOTTY; EFAULT for a bad argument,
 * EBADF. */
#include "fs_util.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void) {
    int n;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "0123456789"));
    int fd = open("f", O_RDWR);

    /* FIONREAD and FIOQSIZE. */
    CHECK_OK(ioctl(fd, FIONREAD, &n));
    CHECK_RET(n, 10);
    CHECK_RET(lseek(fd, 4, SEEK_SET), 4);
    CHECK_OK(ioctl(fd, FIONREAD, &n));
    CHECK_RET(n, 6);
    CHECK_RET(lseek(fd, 15, SEEK_SET), 15);
    CHECK_OK(ioctl(fd, FIONREAD, &n));
    CHECK_RET(n, -5);
    CHECK_ERR(ioctl(fd, FIONREAD, (void *)1), EFAULT);
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY);
    CHECK_ERR(ioctl(dfd, FIONREAD, &n), ENOTTY);

    /* FIOCLEX / FIONCLEX: per descriptor. */
    int dup_fd = dup(fd);
    CHECK_OK(ioctl(fd, FIOCLEX));
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(dup_fd, F_GETFD), 0);
    CHECK_OK(ioctl(fd, FIONCLEX));
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_OK(ioctl(dfd, FIOCLEX));
    CHECK_RET(fcntl(dfd, F_GETFD), FD_CLOEXEC);

    /* FIONBIO / FIOASYNC: the shared description. */
    int on = 1, off = 0;
    CHECK_OK(ioctl(fd, FIONBIO, &on));
    CHECK_RET(fcntl(dup_fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_OK(ioctl(dup_fd, FIONBIO, &off));
    CHECK_RET(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    /* Regular files have no fasync: FIOASYNC on is ENOTTY (off is a no-op),
     * and F_SETFL accepts O_ASYNC without setting it. */
    CHECK_ERR(ioctl(fd, FIOASYNC, &on), ENOTTY);
    CHECK_OK(ioctl(fd, FIOASYNC, &off));
    CHECK_RET(fcntl(fd, F_GETFL) & O_ASYNC, 0);
    CHECK_OK(fcntl(fd, F_SETFL, O_ASYNC | O_APPEND));
    CHECK_RET(fcntl(dup_fd, F_GETFL) & (O_ASYNC | O_APPEND), O_APPEND);
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    CHECK_ERR(ioctl(fd, FIONBIO, (void *)1), EFAULT);

    /* Not for files. */
    struct termios t;
    CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(fd, TIOCGWINSZ, &t), ENOTTY);
    CHECK_ERR(ioctl(fd, _IO('z', 99)), ENOTTY);
    CHECK_ERR(ioctl(dfd, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(99, FIONREAD, &n), EBADF);
    CHECK_ERR(ioctl(99, FIOCLEX), EBADF);

    close(dup_fd);
    close(dfd);
    close(fd);
    fs_leave_scratch();
    return check_status();
}
