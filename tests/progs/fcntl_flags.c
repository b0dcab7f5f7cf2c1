/* fcntl: descriptor flags, status flags, F_DUPFD, and the errors. */
#include "check.h"
#include <fcntl.h>

int main(void) {
    CHECK_RET(fcntl(1, F_GETFD), 0);
    CHECK_OK(fcntl(1, F_SETFD, FD_CLOEXEC));
    CHECK_RET(fcntl(1, F_GETFD), FD_CLOEXEC);
    CHECK_OK(fcntl(1, F_SETFD, 0));
    int fl = fcntl(1, F_GETFL);
    CHECK(fl != -1);
    CHECK((fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR);
    CHECK((fcntl(0, F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK_OK(fcntl(1, F_SETFL, fl | O_NONBLOCK));
    CHECK((fcntl(1, F_GETFL) & O_NONBLOCK) != 0);
    CHECK_OK(fcntl(1, F_SETFL, fl & ~O_NONBLOCK));
    CHECK((fcntl(1, F_GETFL) & O_NONBLOCK) == 0);
    /* F_SETFL cannot change the access mode. */
    CHECK_OK(fcntl(1, F_SETFL, O_RDONLY));
    CHECK((fcntl(1, F_GETFL) & O_ACCMODE) == (fl & O_ACCMODE));
    CHECK_RET(fcntl(1, F_DUPFD, 20), 20);
    CHECK_RET(fcntl(1, F_DUPFD, 20), 21);
    CHECK_RET(fcntl(20, F_GETFD), 0);
    CHECK_RET(fcntl(1, F_DUPFD_CLOEXEC, 0), 3);
    CHECK_RET(fcntl(3, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(fcntl(1, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(99, F_GETFD), EBADF);
    CHECK_ERR(fcntl(99, F_GETFL), EBADF);
    CHECK_ERR(fcntl(1, 9999), EINVAL);
    CHECK(fcntl(1, F_GETPIPE_SZ) > 0);
    return check_status();
}
