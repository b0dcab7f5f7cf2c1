/* mlock, mlock2, munlock, mlockall, munlockall: a range is rounded out to
 * whole pages, must be mapped (ENOMEM), and is populated (mincore) unless
 * MLOCK_ONFAULT; VmLck in /proc/self/status and "Locked:" and the "lo"
 * flag in smaps follow. Bad flags are EINVAL. Without CAP_IPC_LOCK an
 * RLIMIT_MEMLOCK of 0 is EPERM and more than the limit ENOMEM, counting
 * pages already locked once. A child of fork has no locks; MCL_FUTURE
 * locks later mappings, MCL_CURRENT alone stops that. */
#include "check.h"
#include "proc_util.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define PG 4096L

/* The smaps "Locked:" kB and whether VmFlags has "lo", for the mapping
 * that starts at `p`. */
static void smaps_of(void *p, long *locked_kb, int *lo) {
    char want[32], line[512];
    snprintf(want, sizeof want, "%lx-", (unsigned long)p);
    FILE *f = fopen("/proc/self/smaps", "r");
    int in = 0;
    *locked_kb = -1;
    *lo = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strchr(line, ' ') && strchr(line, '-') < strchr(line, ' ') &&
            line[0] != 'V')
            in = strncmp(line, want, strlen(want)) == 0;
        if (!in)
            continue;
        if (strncmp(line, "Locked:", 7) == 0)
            *locked_kb = atol(line + 7);
        if (strncmp(line, "VmFlags:", 8) == 0)
            *lo = strstr(line, " lo ") != NULL;
    }
    if (f)
        fclose(f);
}

static int resident_pages(char *p, long pages) {
    unsigned char vec[64];
    if (mincore(p, (size_t)(pages * PG), vec) < 0)
        return -1;
    int n = 0;
    for (long i = 0; i < pages; i++)
        n += vec[i] & 1;
    return n;
}

static char *fresh(long pages) {
    return mmap(NULL, (size_t)(pages * PG), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
}

int main(void) {
    long base = proc_status_field("VmLck");
    CHECK_RET(base, 0);

    char *p = fresh(8);
    CHECK(p != MAP_FAILED);
    CHECK_RET(resident_pages(p, 8), 0);
    /* Unaligned: rounded out to pages 1-2. */
    CHECK_OK(mlock(p + PG + 100, PG));
    CHECK_RET(resident_pages(p, 8), 2);
    CHECK_RET(proc_status_field("VmLck"), 8);
    long kb;
    int lo;
    smaps_of(p + PG, &kb, &lo);
    CHECK_RET(kb, 8);
    CHECK_RET(lo, 1);
    smaps_of(p, &kb, &lo);
    CHECK_RET(kb, 0);
    CHECK_RET(lo, 0);
    /* Locking again counts once. */
    CHECK_OK(mlock(p + PG, 2 * PG));
    CHECK_RET(proc_status_field("VmLck"), 8);
    CHECK_OK(mlock(p, 0));
    /* MLOCK_ONFAULT: locked, not populated. */
    CHECK_OK(mlock2(p + 4 * PG, 2 * PG, MLOCK_ONFAULT));
    CHECK_RET(resident_pages(p, 8), 2);
    CHECK_RET(proc_status_field("VmLck"), 16);
    CHECK_ERR(mlock2(p, PG, 2), EINVAL);
    CHECK_ERR(syscall(SYS_mlock2, p, PG, -1), EINVAL);

    /* A fork's child has no locks. */
    pid_t c = fork();
    if (c == 0)
        _exit(proc_status_field("VmLck") == 0 ? 0 : 1);
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    CHECK_OK(munlock(p, 8 * PG));
    CHECK_RET(proc_status_field("VmLck"), 0);

    /* Holes. */
    CHECK_OK(munmap(p + 6 * PG, PG));
    CHECK_ERR(mlock(p + 5 * PG, 2 * PG), ENOMEM);
    CHECK_ERR(munlock(p + 5 * PG, 2 * PG), ENOMEM);
    CHECK_ERR(mlock(p + 6 * PG, PG), ENOMEM);
    CHECK_OK(munlock(p, 2 * PG));
    CHECK_OK(munlockall());
    CHECK_RET(proc_status_field("VmLck"), 0);

    /* PROT_NONE memory is locked, but populating it fails: ENOMEM, unless
     * MLOCK_ONFAULT. */
    char *none = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_ERR(mlock(none, 2 * PG), ENOMEM);
    CHECK_RET(proc_status_field("VmLck"), 8);
    CHECK_OK(mlock2(none, 2 * PG, MLOCK_ONFAULT));
    CHECK_OK(munlock(none, 2 * PG));
    CHECK_RET(proc_status_field("VmLck"), 0);

    /* mlockall. */
    CHECK_ERR(mlockall(0), EINVAL);
    CHECK_ERR(mlockall(MCL_ONFAULT), EINVAL);
    CHECK_ERR(mlockall(8), EINVAL);
    CHECK_OK(mlockall(MCL_FUTURE));
    CHECK_RET(proc_status_field("VmLck"), 0);
    char *q = fresh(3); /* locked, so populated */
    CHECK_RET(proc_status_field("VmLck"), 12);
    CHECK_RET(resident_pages(q, 3), 3);
    CHECK_OK(mlockall(MCL_CURRENT | MCL_ONFAULT));
    long all = proc_status_field("VmLck");
    CHECK(all > 12 && all <= proc_status_field("VmSize"));
    char *r0 = fresh(2); /* without MCL_FUTURE now: not locked */
    CHECK_RET(proc_status_field("VmLck"), all);
    CHECK_RET(resident_pages(r0, 2), 0);
    munmap(r0, 2 * PG);
    CHECK_OK(mlockall(MCL_CURRENT));
    char *r = fresh(2); /* MCL_CURRENT alone ended MCL_FUTURE */
    CHECK_RET(proc_status_field("VmLck"), all);
    CHECK_OK(munlockall());
    CHECK_RET(proc_status_field("VmLck"), 0);
    munmap(r, 2 * PG);
    munmap(q, 3 * PG);

    /* Limits, as an unprivileged user. */
    c = fork();
    if (c == 0) {
        if (setgid(4243) < 0 || setuid(4243) < 0)
            _exit(99);
        struct rlimit rl = {0, 0};
        CHECK_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
        CHECK_ERR(mlock(p, PG), EPERM);
        CHECK_ERR(mlockall(MCL_CURRENT), EPERM);
        CHECK_OK(munlock(p, PG));
        _exit(check_status());
    }
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    c = fork();
    if (c == 0) {
        struct rlimit rl = {2 * PG, 2 * PG};
        CHECK_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
        if (setgid(4243) < 0 || setuid(4243) < 0)
            _exit(99);
        CHECK_ERR(mlock(p, 3 * PG), ENOMEM);
        CHECK_OK(mlock(p, 2 * PG));
        CHECK_OK(mlock(p + PG, PG));
        CHECK_ERR(mlock(p + 2 * PG, PG), ENOMEM);
        CHECK_ERR(mlockall(MCL_CURRENT), ENOMEM);
        CHECK_OK(mlockall(MCL_FUTURE));
        _exit(check_status());
    }
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return check_status();
}
