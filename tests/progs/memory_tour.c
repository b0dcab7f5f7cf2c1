/* The foundation's tour: memory (mmap, munmap split, mprotect, mremap,
 * madvise, brk, mincore), time, identity, rlimits, getrandom and the errnos
 * Linux gives bad input, in one program. */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>

static long page;

static void memory(void) {
    char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(((uintptr_t)p & (page - 1)) == 0);
    CHECK(p[0] == 0 && p[4 * page - 1] == 0);
    memset(p, 'a', 4 * page);

    /* munmap in the middle splits the mapping. */
    CHECK(munmap(p + page, page) == 0);
    CHECK(p[0] == 'a' && p[2 * page] == 'a');
    unsigned char vec[4];
    CHECK_ERR(mincore(p, 4 * page, vec), ENOMEM);
    CHECK(mincore(p, page, vec) == 0 && (vec[0] & 1) == 1);
    CHECK(munmap(p + page, page) == 0); /* unmapping a hole is fine */

    /* mprotect, then the errors. */
    CHECK(mprotect(p, page, PROT_READ) == 0);
    CHECK(p[0] == 'a');
    CHECK(mprotect(p, page, PROT_READ | PROT_WRITE) == 0);
    p[0] = 'b';
    CHECK(p[0] == 'b');
    CHECK_ERR(mprotect(p + 1, page, PROT_READ), EINVAL);
    CHECK_ERR(mprotect(p + page, page, PROT_READ), ENOMEM);
    CHECK_ERR(mprotect(p, page, 0x100), EINVAL);

    /* mremap: shrink, grow with a move, contents kept. */
    char *q = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(q != MAP_FAILED);
    strcpy(q, "kept");
    CHECK(mremap(q, 2 * page, page, 0) == q);
    char *r = mremap(q, page, 64 * page, MREMAP_MAYMOVE);
    CHECK(r != MAP_FAILED);
    CHECK(strcmp(r, "kept") == 0);
    CHECK(r[64 * page - 1] == 0);
    CHECK_ERR(mremap(r, page, 2 * page, 8), EINVAL);
    CHECK_ERR(mremap(r + 1, page, 2 * page, 0), EINVAL);
    CHECK_ERR(mremap(r, page, 2 * page, MREMAP_FIXED, r + 100 * page), EINVAL);
    CHECK_ERR(mremap(r, 0, 0, 0), EINVAL);
    CHECK(munmap(r, 64 * page) == 0);
    CHECK_ERR(mremap(r, page, 2 * page, MREMAP_MAYMOVE), EFAULT);

    /* madvise(MADV_DONTNEED) zeroes private anonymous memory. */
    p[2 * page] = 'z';
    CHECK(madvise(p + 2 * page, page, MADV_DONTNEED) == 0);
    CHECK(p[2 * page] == 0);
    CHECK_ERR(madvise(p, page, 12345), EINVAL);
    CHECK_ERR(madvise(p + 1, page, MADV_NORMAL), EINVAL);

    /* Fixed placement. */
    char *f = mmap(p + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(f == p + page);
    CHECK_ERR(mmap(p + page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    CHECK_ERR(mmap(p + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
    CHECK_ERR(munmap(p, 0), EINVAL);
    CHECK_ERR(munmap(p + 1, page), EINVAL);
    CHECK(munmap(p, 4 * page) == 0);

    /* brk through the raw syscall. */
    uintptr_t b0 = syscall(SYS_brk, 0);
    uintptr_t b1 = syscall(SYS_brk, b0 + 3 * page);
    CHECK(b1 == b0 + 3 * page);
    ((char *)b0)[3 * page - 1] = 'x';
    CHECK(syscall(SYS_brk, b0) == (long)b0);
    CHECK(syscall(SYS_brk, 0) == (long)b0);
}

static void timekeeping(void) {
    struct timespec a, b, res;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    struct timespec nap = {0, 2000000};
    CHECK(nanosleep(&nap, NULL) == 0);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    long long d = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    CHECK(d >= 2000000);
    CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1);
    CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
    CHECK(time(NULL) + 1 >= a.tv_sec); /* time() lags by up to a tick */
    CHECK_ERR(syscall(SYS_clock_gettime, 10, &a), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)1), EFAULT);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
}

static void identity(void) {
    CHECK(getpid() > 0);
    CHECK(gettid() == getpid());
    CHECK(getuid() == geteuid());
    CHECK(getgid() == getegid());
    struct utsname u;
    CHECK(uname(&u) == 0);
    CHECK(strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "x86_64") == 0);
    CHECK_ERR(syscall(SYS_uname, NULL), EFAULT);
}

static void limits(void) {
    struct rlimit old, now, lower;
    CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
    lower = old;
    lower.rlim_cur = old.rlim_cur / 2;
    CHECK(setrlimit(RLIMIT_NOFILE, &lower) == 0);
    CHECK(getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur == lower.rlim_cur);
    struct rlimit inverted = {old.rlim_max, old.rlim_max - 1};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &inverted), EINVAL);
    CHECK_ERR(syscall(SYS_getrlimit, 99, &now), EINVAL);
    CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &now), ESRCH);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
}

static void randomness(void) {
    unsigned char buf[64] = {0}, zero[64] = {0};
    CHECK(syscall(SYS_getrandom, buf, sizeof buf, 0) == (long)sizeof buf);
    CHECK(memcmp(buf, zero, sizeof buf) != 0);
    CHECK(syscall(SYS_getrandom, buf, 0, 0) == 0);
    CHECK_ERR(syscall(SYS_getrandom, buf, 8, 0x40), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, buf, 8, 0x2 | 0x4), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, (void *)8, 8, 0), EFAULT);
}

static void descriptors(void) {
    CHECK_ERR(write(99, "x", 1), EBADF);
    CHECK_ERR(syscall(SYS_write, 1, (void *)8, 4), EFAULT);
    CHECK_ERR(close(99), EBADF);
    char termios[64];
    CHECK_ERR(syscall(SYS_ioctl, 1, 0x5401 /* TCGETS */, termios), ENOTTY);
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    memory();
    timekeeping();
    identity();
    limits();
    randomness();
    descriptors();
    return check_status();
}
