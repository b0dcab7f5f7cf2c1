/* mremap: shrink, grow in place, grow by moving, MREMAP_FIXED,
 * MREMAP_DONTUNMAP, and the errors. The layout is made inside a reserved
 * range so that no neighbour (such as the vDSO) gets in the way. */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>

static long rmremap(void *old, long old_len, long new_len, long flags, void *new_addr) {
    return syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, 64 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(area != MAP_FAILED);
    CHECK_OK(munmap(area, 64 * pg));
    char *p = mmap(area, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(p == area);
    strcpy(p, "contents");
    CHECK(rmremap(p, 4 * pg, 2 * pg, 0, 0) == (long)p);
    CHECK(rmremap(p, 2 * pg, 4 * pg, 0, 0) == (long)p); /* the space above is free again */
    CHECK(p[4 * pg - 1] == 0);
    char *n = mmap(p + 4 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(n == p + 4 * pg);
    CHECK_ERR(rmremap(p, 4 * pg, 8 * pg, 0, 0), ENOMEM);
    char *m = (char *)rmremap(p, 4 * pg, 8 * pg, MREMAP_MAYMOVE, 0);
    CHECK(m != MAP_FAILED && m != p);
    CHECK(strcmp(m, "contents") == 0);
    CHECK(m[8 * pg - 1] == 0);
    /* MREMAP_FIXED moves to a chosen place, replacing what is there. */
    char *dst = area + 32 * pg;
    CHECK(mmap(dst, 8 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == dst);
    CHECK(rmremap(m, 8 * pg, 8 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, dst) == (long)dst);
    CHECK(strcmp(dst, "contents") == 0);
    /* DONTUNMAP moves the pages to the hinted place and leaves the old
     * range mapped and empty. */
    char *hint = area + 16 * pg;
    char *d = (char *)rmremap(dst, pg, pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, hint);
    CHECK(d == hint);
    CHECK(strcmp(d, "contents") == 0);
    CHECK(dst[0] == 0);
    CHECK_ERR(rmremap(dst, pg, pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, hint + 1), EINVAL);
    CHECK_ERR(rmremap(d, pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), EINVAL);
    CHECK_ERR(rmremap(d, pg, 2 * pg, 0x80, 0), EINVAL);
    CHECK_ERR(rmremap(d, pg, 2 * pg, MREMAP_FIXED, dst), EINVAL);
    CHECK_ERR(rmremap(d + 1, pg, 2 * pg, 0, 0), EINVAL);
    CHECK_ERR(rmremap(d, pg, 0, 0, 0), EINVAL);
    CHECK_ERR(rmremap(d, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, d + 1), EINVAL);
    CHECK_ERR(rmremap(d, pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, d - pg), EINVAL);
    CHECK_ERR(rmremap(d, 4 * pg, 8 * pg, MREMAP_MAYMOVE, 0), EFAULT);
    CHECK_OK(munmap(d, pg));
    CHECK_ERR(rmremap(d, pg, 2 * pg, MREMAP_MAYMOVE, 0), EFAULT);
    return check_status();
}
