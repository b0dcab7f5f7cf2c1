/* munmap: splitting a mapping, unmapping holes, and the errors. */
#include "check.h"
#include <sys/mman.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char vec[5];
    char *p = mmap(NULL, 5 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    memset(p, 'x', 5 * pg);
    CHECK_OK(munmap(p + 2 * pg, pg));
    CHECK(p[pg] == 'x' && p[3 * pg] == 'x');
    CHECK_ERR(mincore(p, 5 * pg, vec), ENOMEM);
    CHECK_OK(mincore(p, 2 * pg, vec));
    CHECK_OK(mincore(p + 3 * pg, 2 * pg, vec));
    CHECK_OK(munmap(p + 2 * pg, pg)); /* already unmapped: fine */
    CHECK_OK(munmap(p + 4 * pg, 100)); /* length rounded up */
    CHECK_ERR(mincore(p + 4 * pg, pg, vec), ENOMEM);
    CHECK_ERR(munmap(p, 0), EINVAL);
    CHECK_ERR(munmap(p + 1, pg), EINVAL);
    CHECK_ERR(munmap((void *)0x800000000000, pg), EINVAL);
    CHECK_OK(munmap(p, 5 * pg));
    CHECK_ERR(mincore(p, pg, vec), ENOMEM);
    return check_status();
}
