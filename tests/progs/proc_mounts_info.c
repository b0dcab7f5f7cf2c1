/* /proc/self/mounts and mountinfo: /proc is a "proc" mount and /sys a
 * "sysfs" one, in both files, with as many lines in each; /proc/mounts
 * links to self/mounts; a mountinfo line is "id parent major:minor root
 * point options - type source super-options", /proc's parent is the mount
 * at "/", its device is what stat says of /proc, and fdinfo's mnt_id of a
 * file in /proc is its id; statfs names both filesystems. */
#include "proc_util.h"
#include <sys/statfs.h>
#include <sys/sysmacros.h>

struct info {
    int id, parent;
    unsigned major, minor;
    char root[256], point[256], type[64];
};

/* The last mountinfo line whose mount point is `point`. */
static int find(const char *text, const char *point, struct info *out) {
    int found = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        struct info i;
        char opts[512];
        if (sscanf(p, "%d %d %u:%u %255s %255s %511s", &i.id, &i.parent, &i.major, &i.minor,
                   i.root, i.point, opts) == 7 &&
            strcmp(i.point, point) == 0) {
            const char *dash = strstr(p, " - ");
            if (dash && (!nl || dash < nl) && sscanf(dash + 3, "%63s", i.type) == 1) {
                *out = i;
                found = 1;
            }
        }
        p = nl ? nl + 1 : p + strlen(p);
    }
    return found;
}

int main(void) {
    const char *m = proc_read("/proc/self/mounts", NULL);
    const char *mi = proc_read("/proc/self/mountinfo", NULL);
    CHECK(m && strstr(m, " /proc proc ") != NULL);
    CHECK(m && strstr(m, " /sys sysfs ") != NULL);
    CHECK(proc_lines(m) == proc_lines(mi) && proc_lines(m) > 0);
    char buf[64];
    ssize_t n = readlink("/proc/mounts", buf, sizeof buf - 1);
    CHECK_RET(n, 11);
    buf[n < 0 ? 0 : n] = 0;
    CHECK(strcmp(buf, "self/mounts") == 0);

    struct info proc, root, sys;
    CHECK(find(mi, "/proc", &proc));
    CHECK(find(mi, "/", &root));
    CHECK(find(mi, "/sys", &sys));
    CHECK(strcmp(proc.type, "proc") == 0);
    CHECK(strcmp(sys.type, "sysfs") == 0);
    CHECK(strcmp(proc.root, "/") == 0);
    CHECK(proc.parent == root.id);
    CHECK(proc.id != root.id && proc.id != sys.id);
    struct stat st;
    CHECK_OK(stat("/proc", &st));
    CHECK(proc.major == major(st.st_dev) && proc.minor == minor(st.st_dev));
    int fd = open("/proc/self/status", O_RDONLY);
    snprintf(buf, sizeof buf, "/proc/self/fdinfo/%d", fd);
    CHECK(atoi(proc_field(proc_read(buf, NULL), "mnt_id")) == proc.id);
    close(fd);

    struct statfs sf;
    CHECK_OK(statfs("/proc", &sf));
    CHECK(sf.f_type == 0x9fa0);
    CHECK_OK(statfs("/sys", &sf));
    CHECK(sf.f_type == 0x62656572);
    return check_status();
}
