/* getrandom: sizes, flags and bad input. */
#include "check.h"

int main(void) {
    unsigned char a[256], b[256], zero[256] = {0};
    CHECK_RET(syscall(SYS_getrandom, a, sizeof a, 0), sizeof a);
    CHECK_RET(syscall(SYS_getrandom, b, sizeof b, 0x1 /* GRND_NONBLOCK */), sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(memcmp(a, zero, sizeof a) != 0);
    CHECK_RET(syscall(SYS_getrandom, a, 16, 0x2 /* GRND_RANDOM */), 16);
    CHECK_RET(syscall(SYS_getrandom, a, 16, 0x4 /* GRND_INSECURE */), 16);
    CHECK_RET(syscall(SYS_getrandom, a, 0, 0), 0);
    CHECK_RET(syscall(SYS_getrandom, NULL, 0, 0), 0);
    CHECK_ERR(syscall(SYS_getrandom, a, 16, 0x8), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, a, 16, 0x2 | 0x4), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, (void *)8, 16, 0), EFAULT);
    static unsigned char big[1 << 20];
    CHECK_RET(syscall(SYS_getrandom, big, sizeof big, 0), sizeof big);
    return check_status();
}
