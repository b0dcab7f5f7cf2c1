/* close, dup, dup2 and dup3, with the lowest-free-descriptor rule. */
#include "check.h"
#include <fcntl.h>

int main(void) {
    int a = dup(1);
    CHECK(a == 3);
    CHECK_RET(write(a, "via dup\n", 8), 8);
    CHECK_RET(dup(1), 4);
    CHECK_OK(close(3));
    CHECK_RET(dup(2), 3); /* the lowest free one */
    CHECK_OK(close(3));
    CHECK_OK(close(4));
    CHECK_ERR(close(3), EBADF);
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(dup(99), EBADF);
    CHECK_RET(dup2(1, 10), 10);
    CHECK_RET(write(10, "via dup2\n", 9), 9);
    CHECK_RET(dup2(10, 10), 10);
    CHECK_ERR(dup2(99, 99), EBADF);
    CHECK_ERR(dup2(99, 10), EBADF);
    CHECK_RET(write(10, "still open\n", 11), 11); /* a failed dup2 closes nothing */
    CHECK_ERR(dup2(1, -1), EBADF);
    CHECK_RET(dup3(1, 11, O_CLOEXEC), 11);
    CHECK_RET(fcntl(11, F_GETFD), FD_CLOEXEC);
    CHECK_RET(dup3(1, 11, 0), 11);
    CHECK_RET(fcntl(11, F_GETFD), 0);
    CHECK_ERR(dup3(1, 1, 0), EINVAL);
    CHECK_ERR(dup3(1, 12, O_NONBLOCK), EINVAL);
    CHECK_ERR(dup3(99, 12, 0), EBADF);
    CHECK_RET(dup2(2, 1), 1); /* replaces stdout, silently closing the pipe end */
    CHECK_RET(dup2(10, 1), 1);
    CHECK_OK(close(10));
    CHECK_OK(close(11));
    return check_status();
}
