/* /proc/self/maps for anonymous memory: a private mapping's line is
 * "start-end rw-p 00000000 00:00 0 " (a trailing space, no name); a shared
 * one is "rw-s" named "/dev/zero (deleted)"; PROT_NONE shows "---p";
 * mprotect of the middle page splits a mapping into three lines, and
 * mprotect back merges them into one; munmap of the middle leaves two;
 * brk growth stays one "[heap]" line; the stack's line is "[stack]". */
#include "proc_util.h"
#include <sys/mman.h>

static char *maps;

static void load(void) { maps = proc_read("/proc/self/maps", NULL); }

/* The line whose range holds addr, copied to out; 0 when none. */
static int line_at(unsigned long addr, char *out, size_t cap, unsigned long *start,
                   unsigned long *end) {
    for (char *p = maps; p && *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        unsigned long s, e;
        if (sscanf(p, "%lx-%lx", &s, &e) == 2 && s <= addr && addr < e) {
            snprintf(out, cap, "%.*s", (int)len, p);
            *start = s;
            *end = e;
            return 1;
        }
        p += len + (nl ? 1 : 0);
    }
    return 0;
}

static int ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

int main(void) {
    char line[512], want[128];
    unsigned long s, e, pg = (unsigned long)sysconf(_SC_PAGESIZE);
    /* Guards around the mapping keep it from merging with a neighbour. */
    char *g = mmap(NULL, 7 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(g != MAP_FAILED);
    char *p = mmap(g + 2 * pg, 3 * pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(p == g + 2 * pg);
    unsigned long a = (unsigned long)p;
    load();
    CHECK(line_at(a, line, sizeof line, &s, &e));
    snprintf(want, sizeof want, "%lx-%lx rw-p 00000000 00:00 0 ", a, a + 3 * pg);
    CHECK(strcmp(line, want) == 0);
    CHECK(line_at(a - pg, line, sizeof line, &s, &e));
    CHECK(strncmp(strchr(line, ' '), " ---p 00000000 00:00 0 ", 23) == 0);
    CHECK(s == (unsigned long)g && e == a);

    /* Split and merge. */
    CHECK_OK(mprotect(p + pg, pg, PROT_READ));
    load();
    CHECK(line_at(a, line, sizeof line, &s, &e) && s == a && e == a + pg);
    CHECK(line_at(a + pg, line, sizeof line, &s, &e) && s == a + pg && e == a + 2 * pg);
    CHECK(strstr(line, " r--p ") != NULL);
    CHECK(line_at(a + 2 * pg, line, sizeof line, &s, &e) && s == a + 2 * pg && e == a + 3 * pg);
    CHECK_OK(mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
    load();
    CHECK(line_at(a + pg, line, sizeof line, &s, &e) && s == a && e == a + 3 * pg);
    CHECK_OK(munmap(p + pg, pg));
    load();
    CHECK(line_at(a, line, sizeof line, &s, &e) && s == a && e == a + pg);
    CHECK(!line_at(a + pg, line, sizeof line, &s, &e));
    CHECK(line_at(a + 2 * pg, line, sizeof line, &s, &e) && s == a + 2 * pg);

    /* Shared. */
    char *sh = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(sh != MAP_FAILED);
    load();
    CHECK(line_at((unsigned long)sh, line, sizeof line, &s, &e));
    CHECK(strstr(line, " rw-s 00000000 00:01 ") != NULL);
    CHECK(ends_with(line, " /dev/zero (deleted)"));

    /* The heap and the stack. */
    char *b0 = sbrk(0);
    CHECK(sbrk(8 * pg) != (void *)-1);
    CHECK(sbrk(8 * pg) != (void *)-1);
    char *b1 = sbrk(0);
    load();
    CHECK(line_at((unsigned long)b1 - 1, line, sizeof line, &s, &e));
    CHECK(ends_with(line, "[heap]"));
    CHECK(s <= (unsigned long)b0 && e >= (unsigned long)b1);
    int local;
    CHECK(line_at((unsigned long)&local, line, sizeof line, &s, &e));
    CHECK(ends_with(line, "[stack]"));
    return check_status();
}
