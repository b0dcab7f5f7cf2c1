/* Memory figures: statm has seven fields, size at least resident; a fresh
 * 64-page private mapping adds its size to statm and to status's VmSize at
 * once but is resident only once touched; its smaps entry starts with its
 * maps line, then "Size:" of 256 kB, page sizes of 4 kB, "Rss:" 0 kB, and
 * after every page is written Rss, Anonymous and Private_Dirty of 256 kB;
 * VmFlags name it readable and writable; munmap takes it out again. */
#include "proc_util.h"
#include <sys/mman.h>

static long statm(int i) {
    const char *s = proc_read("/proc/self/statm", NULL);
    long v[7];
    if (!s || sscanf(s, "%ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                     &v[6]) != 7)
        return -1;
    return v[i];
}

static long vm_kb(const char *key) {
    return atol(proc_field(proc_read("/proc/self/status", NULL), key));
}

/* The smaps entry of the mapping starting at addr, in out. */
static int entry(void *addr, char *out, size_t cap) {
    char key[32];
    const char *s = proc_read("/proc/self/smaps", NULL);
    snprintf(key, sizeof key, "%lx-", (unsigned long)addr);
    const char *p = s ? strstr(s, key) : NULL;
    if (!p || (p != s && p[-1] != '\n'))
        return 0;
    const char *end = strstr(p, "VmFlags:");
    end = end ? strchr(end, '\n') : NULL;
    if (!end)
        return 0;
    snprintf(out, cap, "%.*s", (int)(end - p + 1), p);
    return 1;
}

int main(void) {
    static char e[8192];
    const long pg = sysconf(_SC_PAGESIZE), n = 64;
    long size0 = statm(0), vm0 = vm_kb("VmSize");
    CHECK(size0 > 0 && statm(1) > 0 && size0 >= statm(1));
    CHECK_RET(statm(6), 0);
    char *m = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK_RET(statm(0) - size0, n);
    CHECK_RET(vm_kb("VmSize") - vm0, n * pg / 1024);

    CHECK(entry(m, e, sizeof e));
    char line[128];
    snprintf(line, sizeof line, "%lx-%lx rw-p 00000000 00:00 0 ", (unsigned long)m,
             (unsigned long)(m + n * pg));
    CHECK(strncmp(e, line, strlen(line)) == 0);
    CHECK(strcmp(proc_field(e, "Size"), "256 kB") == 0);
    CHECK(strcmp(proc_field(e, "KernelPageSize"), "4 kB") == 0);
    CHECK(strcmp(proc_field(e, "MMUPageSize"), "4 kB") == 0);
    CHECK(strcmp(proc_field(e, "Rss"), "0 kB") == 0);
    CHECK(strncmp(proc_field(e, "VmFlags"), "rd wr ", 6) == 0);

    long rss0 = statm(1);
    for (long i = 0; i < n; i++)
        m[i * pg] = 1;
    CHECK(statm(1) - rss0 >= n);
    CHECK(entry(m, e, sizeof e));
    CHECK(strcmp(proc_field(e, "Rss"), "256 kB") == 0);
    CHECK(strcmp(proc_field(e, "Anonymous"), "256 kB") == 0);
    CHECK(strcmp(proc_field(e, "Private_Dirty"), "256 kB") == 0);
    CHECK(strcmp(proc_field(e, "Swap"), "0 kB") == 0);

    CHECK_OK(munmap(m, n * pg));
    CHECK_RET(statm(0), size0);
    CHECK(!entry(m, e, sizeof e));
    return check_status();
}
