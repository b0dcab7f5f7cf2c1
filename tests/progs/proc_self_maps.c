/* /proc/self/maps for mapped files: a line per mapping with the address range,
 * permissions ("r--s" shared read-only, "rw-p" private writable), the file
 * offset in hex, the device as major:minor in hex, the inode and the path;
 * mprotect of one page splits the line; an unlinked file gets " (deleted)";
 * munmap removes the line; the executable itself is mapped. */
#include "fs_util.h"
#include <sys/mman.h>
#include <sys/sysmacros.h>

static char maps[1 << 17];

static void load(void) {
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n = 0, r;
    while ((r = read(fd, maps + n, sizeof maps - 1 - n)) > 0)
        n += r;
    close(fd);
    maps[n] = 0;
}

/* Finds the line for the mapping starting at addr; copies it to out. */
static int line_for(void *addr, char *out, size_t cap) {
    char key[32];
    snprintf(key, sizeof key, "%lx-", (unsigned long)addr);
    for (char *p = maps; *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (strncmp(p, key, strlen(key)) == 0) {
            snprintf(out, cap, "%.*s", (int)len, p);
            return 1;
        }
        p += len + (nl ? 1 : 0);
    }
    return 0;
}

static int count_path(const char *path) {
    int n = 0;
    size_t l = strlen(path);
    for (char *p = maps; (p = strstr(p, path)) != NULL; p += l)
        if (p[l] == '\n' || p[l] == ' ')
            n++;
    return n;
}

int main(void) {
    char line[4400], want[4400], path[4200];
    struct stat st;
    long pg = sysconf(_SC_PAGESIZE);
    fs_enter_scratch();
    snprintf(path, sizeof path, "%s/mapped", fs_scratch);
    int fd = open("mapped", O_RDWR | O_CREAT, 0644);
    CHECK_OK(ftruncate(fd, 4 * pg));
    CHECK_OK(fstat(fd, &st));

    char *s = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 2 * pg);
    CHECK(s != MAP_FAILED && p != MAP_FAILED);
    load();
    CHECK(line_for(s, line, sizeof line));
    snprintf(want, sizeof want, "%lx-%lx r--s %08lx %02x:%02x %lu", (unsigned long)s,
             (unsigned long)(s + pg), pg, major(st.st_dev), minor(st.st_dev),
             (unsigned long)st.st_ino);
    CHECK(strncmp(line, want, strlen(want)) == 0);
    CHECK(strlen(line) > strlen(path) && strcmp(line + strlen(line) - strlen(path), path) == 0);
    CHECK(line_for(p, line, sizeof line));
    snprintf(want, sizeof want, "%lx-%lx rw-p %08lx ", (unsigned long)p,
             (unsigned long)(p + 2 * pg), 2 * pg);
    CHECK(strncmp(line, want, strlen(want)) == 0);
    CHECK_RET(count_path(path), 2);

    /* mprotect splits. */
    CHECK_OK(mprotect(p + pg, pg, PROT_READ));
    load();
    CHECK(line_for(p, line, sizeof line));
    snprintf(want, sizeof want, "%lx-%lx rw-p %08lx ", (unsigned long)p,
             (unsigned long)(p + pg), 2 * pg);
    CHECK(strncmp(line, want, strlen(want)) == 0);
    CHECK(line_for(p + pg, line, sizeof line));
    snprintf(want, sizeof want, "%lx-%lx r--p %08lx ", (unsigned long)(p + pg),
             (unsigned long)(p + 2 * pg), 3 * pg);
    CHECK(strncmp(line, want, strlen(want)) == 0);
    CHECK_RET(count_path(path), 3);

    /* Unlinked. */
    CHECK_OK(unlink("mapped"));
    load();
    CHECK(line_for(s, line, sizeof line));
    snprintf(want, sizeof want, "%s (deleted)", path);
    CHECK(strlen(line) > strlen(want) && strcmp(line + strlen(line) - strlen(want), want) == 0);

    /* Unmapped. */
    CHECK_OK(munmap(s, pg));
    CHECK_OK(munmap(p, 2 * pg));
    load();
    CHECK(!line_for(s, line, sizeof line));
    CHECK_RET(count_path(path), 0);
    close(fd);

    /* The executable. */
    char exe[4200];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    CHECK(n > 0);
    exe[n > 0 ? n : 0] = 0;
    CHECK(count_path(exe) >= 1);

    fs_leave_scratch();
    return check_status();
}
