/* /proc/pid/ns: a 0511 directory of links named as Linux's, each reading
 * "<kind>:[N]" where N is the st_ino of the file it leads to; the
 * *_for_children links name the same namespaces as pid and time here;
 * a forked child and a thread's task/<tid>/ns read the same; the files
 * open read-only, and reading one is EINVAL. Only relations print, never
 * the numbers. */
#include "proc_util.h"

static const char *names[] = {"cgroup", "ipc",  "mnt",  "net",  "pid", "pid_for_children",
                              "time",   "time_for_children", "user", "uts"};
#define N (sizeof names / sizeof names[0])

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether link `name` of `dir` reads "<kind>:[st_ino]" with the st_ino of
 * what it leads to; the text goes to out. */
static int link_ok(const char *dir, const char *name, char *out, size_t size) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ssize_t n = readlink(path, out, size - 1);
    if (n < 0)
        return 0;
    out[n] = 0;
    struct stat st, lst;
    if (stat(path, &st) != 0 || lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode))
        return 0;
    char kind[32];
    snprintf(kind, sizeof kind, "%.*s", (int)strcspn(name, "_"), name);
    char want[64];
    snprintf(want, sizeof want, "%s:[%llu]", kind, (unsigned long long)st.st_ino);
    return strcmp(out, want) == 0;
}

int main(void) {
    struct stat st;
    CHECK_OK(lstat("/proc/self/ns", &st));
    printf("ns dir mode %o\n", st.st_mode & 07777);
    CHECK(S_ISDIR(st.st_mode));

    /* The listing. */
    char *seen[32];
    size_t n = 0;
    DIR *d = opendir("/proc/self/ns");
    CHECK(d != NULL);
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 32)
        if (e->d_name[0] != '.')
            seen[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(seen, n, sizeof seen[0], cmp);
    for (size_t i = 0; i < n; i++)
        printf("ns entry %s\n", seen[i]);

    /* Each link against what it leads to. */
    char mine[N][64];
    for (size_t i = 0; i < N; i++) {
        int ok = link_ok("/proc/self/ns", names[i], mine[i], sizeof mine[i]);
        printf("%s link matches its inode: %d\n", names[i], ok);
    }
    CHECK(strcmp(mine[4], mine[5]) == 0); /* pid, pid_for_children */
    CHECK(strcmp(mine[6], mine[7]) == 0); /* time, time_for_children */

    /* The same through the pid, the thread's directory and /proc/<pid>. */
    char dir[64], text[64];
    snprintf(dir, sizeof dir, "/proc/%d/task/%d/ns", getpid(), getpid());
    CHECK(link_ok(dir, "ipc", text, sizeof text) && strcmp(text, mine[1]) == 0);

    /* A forked child is in the same namespaces. */
    pid_t pid = fork();
    if (pid == 0) {
        char t[64];
        for (size_t i = 0; i < N; i++)
            if (!link_ok("/proc/self/ns", names[i], t, sizeof t) || strcmp(t, mine[i]) != 0)
                _exit(1);
        _exit(0);
    }
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Opening one: a file whose fstat names the namespace. */
    int fd = open("/proc/self/ns/uts", O_RDONLY);
    CHECK(fd >= 0);
    struct stat fst, lst;
    CHECK_OK(fstat(fd, &fst));
    CHECK_OK(stat("/proc/self/ns/uts", &lst));
    CHECK(fst.st_ino == lst.st_ino && fst.st_dev == lst.st_dev);
    char c;
    CHECK_ERR(read(fd, &c, 1), EINVAL);
    close(fd);
    CHECK_ERR(readlink("/proc/self/ns/nope", text, sizeof text), ENOENT);
    return check_status();
}
