/* The small files of /proc/pid beside status: their modes and Linux's
 * text (identity maps, setgroups, personality, loginuid and sessionid
 * without a newline, schedstat's three numbers, smaps_rollup's layout,
 * mountstats' lines); timerslack_ns and coredump_filter written as Linux
 * parses them (kstrtoull: EINVAL, ERANGE, bases), inherited by a child,
 * timerslack_ns shared with prctl; status's Kthread and untag_mask lines
 * in their places; which entries a thread's directory leaves out. */
#define _GNU_SOURCE
#include "proc_util.h"
#include <sys/prctl.h>

static int put(const char *path, const char *s) {
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return (int)w;
}

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Whether `text` is decimal digits and nothing else. */
static int digits(const char *text) {
    return text && *text && strspn(text, "0123456789") == strlen(text);
}

/* The line after the one starting with `key` in `text`, up to its ':'. */
static const char *key_after(const char *text, const char *key) {
    static char out[64];
    out[0] = 0;
    const char *at = strstr(text, key);
    if (at && (at == text || at[-1] == '\n')) {
        const char *nl = strchr(at, '\n');
        if (nl)
            snprintf(out, sizeof out, "%.*s", (int)strcspn(nl + 1, ":"), nl + 1);
    }
    return out;
}

int main(void) {
    const char *modes[] = {"io",        "personality",   "mountstats",      "smaps_rollup",
                           "uid_map",   "gid_map",       "projid_map",      "setgroups",
                           "loginuid",  "sessionid",     "coredump_filter", "timerslack_ns",
                           "schedstat"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/self/%s", modes[i]);
        CHECK_OK(stat(path, &st));
        printf("%s mode %o\n", modes[i], st.st_mode & 07777);
    }

    /* Fixed text. */
    const char *map = "         0          0 4294967295\n";
    CHECK(strcmp(proc_read("/proc/self/uid_map", NULL), map) == 0);
    CHECK(strcmp(proc_read("/proc/self/gid_map", NULL), map) == 0);
    CHECK(strcmp(proc_read("/proc/self/projid_map", NULL), map) == 0);
    CHECK(strcmp(proc_read("/proc/self/setgroups", NULL), "allow\n") == 0);
    CHECK(strcmp(proc_read("/proc/self/personality", NULL), "00000000\n") == 0);
    CHECK(digits(proc_read("/proc/self/loginuid", NULL)));
    CHECK(digits(proc_read("/proc/self/sessionid", NULL)));

    /* The identity maps are written once, at boot. */
    CHECK_ERR(put("/proc/self/uid_map", "0 0 1\n"), EPERM);
    CHECK_ERR(put("/proc/self/setgroups", "deny"), EPERM);
    CHECK_ERR(put("/proc/self/setgroups", "maybe"), EINVAL);
    CHECK_RET(put("/proc/self/setgroups", "allow\n"), 6);

    /* schedstat: CPU time, wait time, timeslices. */
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 20000000; i++)
        spin += i;
    unsigned long long on_cpu = 0, wait = 0, slices = 0;
    char tail = 0;
    int got = sscanf(proc_read("/proc/self/schedstat", NULL), "%llu %llu %llu%c", &on_cpu,
                     &wait, &slices, &tail);
    CHECK(got == 4 && tail == '\n');
    CHECK(on_cpu > 0);

    /* smaps_rollup: one line spanning the mappings, then the sums. */
    char *roll = proc_read("/proc/self/smaps_rollup", NULL);
    unsigned long start = 0, end = 0, maps_start = 0;
    CHECK(sscanf(roll, "%lx-%lx ---p 00000000 00:00 0 ", &start, &end) == 2);
    char *nl = strchr(roll, '\n');
    CHECK(nl && nl - roll > 8 && strncmp(nl - 8, "[rollup]", 8) == 0);
    CHECK(sscanf(proc_read("/proc/self/maps", NULL), "%lx-", &maps_start) == 1);
    CHECK(start == maps_start && end > start);
    for (const char *line = nl ? nl + 1 : ""; *line;) {
        size_t len = strcspn(line, "\n");
        printf("smaps_rollup %.*s\n", (int)strcspn(line, ":"), line);
        CHECK(len > 3 && strncmp(line + len - 3, " kB", 3) == 0);
        line += len + (line[len] ? 1 : 0);
    }
    CHECK(atoi(proc_field(roll, "Rss")) > 0);

    /* mountstats: one line for each mount, /proc's among them. */
    char *ms = proc_read("/proc/self/mountstats", NULL);
    CHECK(ms && strncmp(ms, "device ", 7) == 0);
    CHECK(ms && strstr(ms, " mounted on /proc with fstype proc\n") != NULL);

    /* timerslack_ns, and prctl's view of it. */
    char *orig = strdup(proc_read("/proc/self/timerslack_ns", NULL));
    CHECK(orig[strlen(orig) - 1] == '\n');
    CHECK_RET(put("/proc/self/timerslack_ns", "12345"), 5);
    CHECK(strcmp(proc_read("/proc/self/timerslack_ns", NULL), "12345\n") == 0);
    CHECK_RET(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 12345);
    CHECK_OK(prctl(PR_SET_TIMERSLACK, 777, 0, 0, 0));
    CHECK(strcmp(proc_read("/proc/self/timerslack_ns", NULL), "777\n") == 0);
    CHECK_RET(put("/proc/self/timerslack_ns", "+99\n"), 4);
    CHECK(strcmp(proc_read("/proc/self/timerslack_ns", NULL), "99\n") == 0);
    CHECK_ERR(put("/proc/self/timerslack_ns", "abc"), EINVAL);
    CHECK_ERR(put("/proc/self/timerslack_ns", "-1"), EINVAL);
    CHECK_ERR(put("/proc/self/timerslack_ns", "12 "), EINVAL);
    CHECK_ERR(put("/proc/self/timerslack_ns", "0x10"), EINVAL);
    CHECK_ERR(put("/proc/self/timerslack_ns", "99999999999999999999"), ERANGE);
    CHECK(strcmp(proc_read("/proc/self/timerslack_ns", NULL), "99\n") == 0);

    /* coredump_filter: any base, the low nine bits kept. */
    char *filter = proc_read("/proc/self/coredump_filter", NULL);
    CHECK(strlen(filter) == 9 && strspn(filter, "0123456789abcdef") == 8);
    CHECK_RET(put("/proc/self/coredump_filter", "0x7"), 3);
    CHECK(strcmp(proc_read("/proc/self/coredump_filter", NULL), "00000007\n") == 0);
    CHECK_RET(put("/proc/self/coredump_filter", "010\n"), 4);
    CHECK(strcmp(proc_read("/proc/self/coredump_filter", NULL), "00000008\n") == 0);
    CHECK_RET(put("/proc/self/coredump_filter", "0xffffffff"), 10);
    CHECK(strcmp(proc_read("/proc/self/coredump_filter", NULL), "000001ff\n") == 0);
    CHECK_ERR(put("/proc/self/coredump_filter", "0x100000000"), ERANGE);
    CHECK_ERR(put("/proc/self/coredump_filter", "-1"), EINVAL);
    CHECK_ERR(put("/proc/self/coredump_filter", "z"), EINVAL);
    CHECK_RET(put("/proc/self/coredump_filter", "35"), 2);

    /* A child inherits both; its 0 restores the slack it was born with. */
    pid_t pid = fork();
    if (pid == 0) {
        int ok = strcmp(proc_read("/proc/self/timerslack_ns", NULL), "99\n") == 0 &&
                 strcmp(proc_read("/proc/self/coredump_filter", NULL), "00000023\n") == 0 &&
                 put("/proc/self/timerslack_ns", "5") == 1 &&
                 put("/proc/self/timerslack_ns", "0") == 1 &&
                 strcmp(proc_read("/proc/self/timerslack_ns", NULL), "99\n") == 0;
        _exit(ok ? 0 : 1);
    }
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Our 0 restores the slack we were born with. */
    CHECK_RET(put("/proc/self/timerslack_ns", "0"), 1);
    CHECK(strcmp(proc_read("/proc/self/timerslack_ns", NULL), orig) == 0);

    /* status: Kthread after NSsid, untag_mask after THP_enabled. */
    char *status_text = proc_read("/proc/self/status", NULL);
    printf("after NSsid: %s\n", key_after(status_text, "NSsid:"));
    printf("after THP_enabled: %s\n", key_after(status_text, "THP_enabled:"));
    printf("Kthread: %s\n", proc_field(status_text, "Kthread"));
    printf("untag_mask: %s\n", proc_field(status_text, "untag_mask"));

    /* A thread's directory leaves out the process-wide files. */
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/proc/self/task/%d", getpid());
    const char *both[] = {"io",       "comm",      "stat",     "status", "ns",
                          "uid_map",  "loginuid",  "sessionid", "schedstat", "smaps_rollup",
                          "personality", "setgroups"};
    for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, both[i]);
        printf("task has %s: %d\n", both[i], exists(path));
    }
    const char *only[] = {"timerslack_ns", "coredump_filter", "mountstats", "task"};
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, only[i]);
        int in_task = exists(path);
        snprintf(path, sizeof path, "/proc/self/%s", only[i]);
        printf("%s: process %d, thread %d\n", only[i], exists(path), in_task);
    }
    return check_status();
}
