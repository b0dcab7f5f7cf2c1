/* /sys: devices/system/cpu/online, possible and present are CPU lists
 * ("0-1", "0"), online agrees with sysconf's count and present with the
 * cpuN directories; the attributes are 0444 files reporting a page of
 * size, which root cannot open for writing (EACCES) and nobody can create
 * beside (mkdir EPERM); fs/cgroup is a directory; transparent_hugepage's
 * enabled brackets one of always, madvise and never; statfs says sysfs;
 * a name that is not there is ENOENT. */
#include "proc_util.h"
#include <sys/statfs.h>

/* The number of CPUs in a list like "0-3,5\n". */
static int count(const char *list) {
    int n = 0;
    const char *p = list;
    while (p && *p && *p != '\n') {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        n += (int)(b - a + 1);
        p = *end == ',' ? end + 1 : end;
        if (*end != ',')
            break;
    }
    return n;
}

int main(void) {
    const char *cpu = "/sys/devices/system/cpu";
    char path[128];
    snprintf(path, sizeof path, "%s/online", cpu);
    const char *online = proc_read(path, NULL);
    CHECK(online != NULL);
    CHECK(online && online[0] == '0' && online[strlen(online) - 1] == '\n');
    CHECK_RET(count(online), sysconf(_SC_NPROCESSORS_ONLN));
    snprintf(path, sizeof path, "%s/present", cpu);
    int present = count(proc_read(path, NULL));
    snprintf(path, sizeof path, "%s/possible", cpu);
    CHECK(count(proc_read(path, NULL)) >= present);
    CHECK(present >= count(online));

    int dirs = 0;
    DIR *d = opendir(cpu);
    CHECK(d != NULL);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char *end;
        if (strncmp(e->d_name, "cpu", 3) == 0 && e->d_name[3] >= '0' && e->d_name[3] <= '9' &&
            (strtol(e->d_name + 3, &end, 10), *end == 0) && e->d_type == DT_DIR)
            dirs++;
    }
    if (d)
        closedir(d);
    CHECK_RET(dirs, present);

    struct stat st;
    snprintf(path, sizeof path, "%s/online", cpu);
    CHECK_OK(stat(path, &st));
    CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0444 && st.st_size == 4096);
    CHECK_ERR(open(path, O_WRONLY), EACCES);
    CHECK_ERR(mkdir("/sys/devices/system/cpu/extra", 0755), EPERM);
    CHECK_ERR(open("/sys/devices/system/cpu/extra", O_WRONLY | O_CREAT, 0644), EACCES);
    CHECK_OK(stat("/sys/fs/cgroup", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_ERR(stat("/sys/devices/system/cpu/nonexistent", &st), ENOENT);

    const char *thp = proc_read("/sys/kernel/mm/transparent_hugepage/enabled", NULL);
    CHECK(thp != NULL);
    int chosen = 0;
    const char *words[] = {"always", "madvise", "never"};
    for (int i = 0; i < 3; i++) {
        char b[16];
        snprintf(b, sizeof b, "[%s]", words[i]);
        if (thp && strstr(thp, b))
            chosen++;
        CHECK(thp && strstr(thp, words[i]) != NULL);
    }
    CHECK_RET(chosen, 1);

    struct statfs sf;
    CHECK_OK(statfs("/sys", &sf));
    CHECK(sf.f_type == 0x62656572);
    return check_status();
}
