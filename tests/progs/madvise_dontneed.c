/* madvise: MADV_DONTNEED zeroes private anonymous pages but not shared
 * ones; the flag and range errors. */
#include "check.h"
#include <sys/mman.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED && s != MAP_FAILED);
    p[0] = 'a';
    p[pg] = 'b';
    s[0] = 'c';
    CHECK_OK(madvise(p, pg, MADV_DONTNEED));
    CHECK(p[0] == 0);
    CHECK(p[pg] == 'b');
    CHECK_OK(madvise(s, pg, MADV_DONTNEED));
    CHECK(s[0] == 'c');
    CHECK_OK(madvise(p, 2 * pg, MADV_NORMAL));
    CHECK_OK(madvise(p, 2 * pg, MADV_WILLNEED));
    CHECK_OK(madvise(p, 0, MADV_DONTNEED));
    CHECK_OK(madvise(p, 2 * pg, MADV_DONTFORK));
    CHECK_OK(madvise(p, 2 * pg, MADV_DOFORK));
    CHECK_OK(madvise(p, 2 * pg, MADV_WIPEONFORK));
    CHECK_ERR(madvise(s, pg, MADV_WIPEONFORK), EINVAL);
    CHECK_ERR(madvise(p, pg, 12345), EINVAL);
    CHECK_ERR(madvise(p + 1, pg, MADV_NORMAL), EINVAL);
    CHECK_ERR(madvise(p, pg, MADV_REMOVE), EINVAL);
    CHECK_OK(munmap(p + pg, pg));
    CHECK_ERR(madvise(p, 2 * pg, MADV_DONTNEED), ENOMEM);
    CHECK_ERR(madvise(p + pg, pg, MADV_NORMAL), ENOMEM);
    return check_status();
}
