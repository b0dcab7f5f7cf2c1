/* mincore reports touched pages resident; msync validates its flags. */
#include "check.h"
#include <sys/mman.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char vec[4] = {9, 9, 9, 9};
    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 1;
    p[2 * pg] = 1;
    CHECK_OK(mincore(p, 4 * pg, vec));
    CHECK((vec[0] & 1) == 1 && (vec[2] & 1) == 1);
    CHECK((vec[1] & 1) == 0 && (vec[3] & 1) == 0);
    CHECK_OK(mincore(p, 1, vec));
    CHECK_ERR(mincore(p + 1, pg, vec), EINVAL);
    CHECK_ERR(mincore(p, pg, (void *)8), EFAULT);
    CHECK_OK(msync(p, 4 * pg, MS_SYNC));
    CHECK_OK(msync(p, 4 * pg, MS_ASYNC | MS_INVALIDATE));
    CHECK_OK(msync(p, 0, MS_SYNC));
    CHECK_ERR(msync(p, pg, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERR(msync(p, pg, 8), EINVAL);
    CHECK_ERR(msync(p + 1, pg, MS_SYNC), EINVAL);
    CHECK_OK(munmap(p + pg, pg));
    CHECK_ERR(msync(p, 4 * pg, MS_SYNC), ENOMEM);
    CHECK_ERR(mincore(p, 4 * pg, vec), ENOMEM);
    return check_status();
}
