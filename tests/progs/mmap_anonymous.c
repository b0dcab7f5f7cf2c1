/* mmap of anonymous memory: private and shared, hints, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, and the errors Linux gives bad arguments. */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(((uintptr_t)p % pg) == 0);
    CHECK(p[0] == 0 && p[3 * pg - 1] == 0);
    p[pg] = 7;
    char *s = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED);
    s[pg - 1] = 1; /* the length is rounded up to a page */
    /* A free hint is honoured. */
    char *hint = p + 64 * pg * 1024;
    char *h = mmap(hint, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(h == hint);
    /* MAP_FIXED replaces, with fresh zero pages. */
    char *f = mmap(p + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(f == p + pg);
    CHECK(f[0] == 0);
    CHECK_ERR(mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    CHECK_ERR(mmap(p + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), EINVAL);
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
    CHECK_ERR(mmap(NULL, -1UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    CHECK_ERR(mmap((void *)0x7ffffffff000, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
    /* Descriptors that exist: the write end of a pipe is not readable
     * (EACCES); /dev/null cannot be mapped (ENODEV). */
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 1, 0), EACCES);
    CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 0, 0), ENODEV);
    /* A MAP_GROWSDOWN mapping is usable. */
    char *g = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    CHECK(g != MAP_FAILED);
    g[4 * pg - 1] = 1;
    CHECK_OK(munmap(g, 4 * pg));
    CHECK_OK(munmap(p, 3 * pg));
    CHECK_OK(munmap(s, pg));
    return check_status();
}
