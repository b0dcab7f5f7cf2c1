/* /proc/pid/limits: a header and one line per resource, columns 25, 20,
 * 20 and 10 wide with a space between; "unlimited" for RLIM_INFINITY; no
 * unit for the nice and realtime priorities; setrlimit shows at once, and
 * prlimit on a child shows in the child's file. */
#include "proc_util.h"
#include <sys/resource.h>

/* The line of `text` that starts with `name`. */
static const char *line_of(const char *text, const char *name) {
    static char out[256];
    const char *p = strstr(text, name);
    if (!p) {
        out[0] = 0;
        return out;
    }
    const char *nl = strchr(p, '\n');
    snprintf(out, sizeof out, "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
    return out;
}

int main(void) {
    char want[256];
    const char *l = proc_read("/proc/self/limits", NULL);
    CHECK(l != NULL);
    CHECK_RET(proc_lines(l), 17);
    snprintf(want, sizeof want, "%-25s %-20s %-20s %-10s", "Limit", "Soft Limit", "Hard Limit",
             "Units");
    CHECK(strcmp(line_of(l, "Limit "), want) == 0);

    struct rlimit r = {64, 128};
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &r));
    r.rlim_cur = 0;
    r.rlim_max = RLIM_INFINITY;
    CHECK_OK(setrlimit(RLIMIT_CORE, &r));
    r.rlim_cur = r.rlim_max = 0;
    CHECK_OK(setrlimit(RLIMIT_NICE, &r));
    r.rlim_cur = r.rlim_max = RLIM_INFINITY;
    CHECK_OK(setrlimit(RLIMIT_CPU, &r));
    l = proc_read("/proc/self/limits", NULL);
    snprintf(want, sizeof want, "%-25s %-20s %-20s %-10s", "Max open files", "64", "128", "files");
    CHECK(strcmp(line_of(l, "Max open files"), want) == 0);
    snprintf(want, sizeof want, "%-25s %-20s %-20s %-10s", "Max core file size", "0", "unlimited",
             "bytes");
    CHECK(strcmp(line_of(l, "Max core file size"), want) == 0);
    snprintf(want, sizeof want, "%-25s %-20s %-20s ", "Max nice priority", "0", "0");
    CHECK(strcmp(line_of(l, "Max nice priority"), want) == 0);
    snprintf(want, sizeof want, "%-25s %-20s %-20s %-10s", "Max cpu time", "unlimited",
             "unlimited", "seconds");
    CHECK(strcmp(line_of(l, "Max cpu time"), want) == 0);

    /* Another process's. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        _exit(read(p[0], &c, 1) < 0);
    }
    close(p[0]);
    struct rlimit nr = {32, 64};
    CHECK_OK(prlimit(pid, RLIMIT_NOFILE, &nr, NULL));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/limits", pid);
    snprintf(want, sizeof want, "%-25s %-20s %-20s %-10s", "Max open files", "32", "64", "files");
    CHECK(strcmp(line_of(proc_read(path, NULL), "Max open files"), want) == 0);
    close(p[1]);
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    return check_status();
}
