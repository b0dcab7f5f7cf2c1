/* mprotect: protections change and the errors Linux gives. */
#include "check.h"
#include <sys/mman.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 1;
    CHECK_OK(mprotect(p, pg, PROT_READ));
    CHECK(p[0] == 1);
    CHECK_OK(mprotect(p, pg, PROT_NONE));
    CHECK_OK(mprotect(p, pg, PROT_READ | PROT_WRITE));
    p[0] = 2;
    CHECK(p[0] == 2);
    CHECK_OK(mprotect(p, 0, PROT_READ));
    CHECK_ERR(mprotect(p + 1, pg, PROT_READ), EINVAL);
    CHECK_ERR(mprotect(p, pg, 0x40), EINVAL);
    CHECK_ERR(mprotect(p, pg, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
    CHECK_ERR(mprotect(p, pg, PROT_READ | PROT_GROWSDOWN), EINVAL);
    CHECK_OK(munmap(p + pg, pg));
    CHECK_ERR(mprotect(p, 3 * pg, PROT_READ), ENOMEM);
    CHECK_ERR(mprotect(p + pg, pg, PROT_READ), ENOMEM);
    /* The kernel reads through the new protection: a read-only buffer
     * cannot receive data. */
    CHECK_OK(mprotect(p, pg, PROT_READ));
    CHECK_ERR(syscall(SYS_clock_gettime, 1, p), EFAULT);
    CHECK_OK(mprotect(p, pg, PROT_NONE));
    CHECK_ERR(syscall(SYS_write, 1, p, 1), EFAULT);
    return check_status();
}
