/* arch_prctl: the FS base is the TLS pointer glibc set, GS can be set and
 * read back, and the errors. */
#include "check.h"
#include <asm/prctl.h>
#include <stdint.h>

int main(void) {
    unsigned long fs = 0, self = 0, gs = 1;
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    CHECK(fs != 0 && fs == self);
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
    CHECK(gs == 0);
    static char area[64];
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)area));
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
    CHECK(gs == (unsigned long)area);
    CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x800000000000UL), EPERM);
    CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL), EPERM);
    CHECK_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
    CHECK_RET(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
    /* The FS base survives a round trip through the sentry. */
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs));
    CHECK_OK(syscall(SYS_getppid));
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    CHECK(self == fs);
    return check_status();
}
