/* /proc/self/fdinfo/N: "pos:" follows the offset (and is shared by dups),
 * "flags:" is octal with the access mode, status flags, O_LARGEFILE and
 * O_CLOEXEC of that descriptor, "mnt_id:" is present and equal for two files
 * in one directory; eventfd adds "eventfd-count:"; a closed descriptor's entry
 * is ENOENT. */
#include "fs_util.h"
#include <sys/eventfd.h>

#define K_O_LARGEFILE 0100000

static char text[4096];

static const char *info(int fd) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    int f = open(path, O_RDONLY);
    if (f < 0)
        return errno_name(errno);
    ssize_t n = read(f, text, sizeof text - 1);
    close(f);
    text[n < 0 ? 0 : n] = 0;
    return text;
}

static long num(int fd, const char *key, int base) {
    const char *t = info(fd);
    char k[32];
    snprintf(k, sizeof k, "%s:", key);
    const char *p = strstr(t, k);
    if (!p)
        return -1;
    return strtol(p + strlen(k), NULL, base);
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "0123456789"));
    CHECK_OK(fs_write_file("g", ""));

    int fd = open("f", O_RDWR);
    CHECK_RET(num(fd, "pos", 10), 0);
    CHECK_RET(lseek(fd, 7, SEEK_SET), 7);
    CHECK_RET(num(fd, "pos", 10), 7);
    int d = dup(fd);
    CHECK_RET(num(d, "pos", 10), 7);
    CHECK_RET(num(fd, "flags", 8), O_RDWR | K_O_LARGEFILE);
    int c = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    CHECK_RET(num(c, "flags", 8), O_RDWR | K_O_LARGEFILE | O_CLOEXEC);
    CHECK_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    CHECK_RET(num(d, "flags", 8), O_RDWR | K_O_LARGEFILE | O_APPEND | O_NONBLOCK);
    int ro = open("g", O_RDONLY | O_CLOEXEC);
    CHECK_RET(num(ro, "flags", 8), O_RDONLY | K_O_LARGEFILE | O_CLOEXEC);
    int wo = open("g", O_WRONLY | O_APPEND);
    CHECK_RET(num(wo, "flags", 8), O_WRONLY | K_O_LARGEFILE | O_APPEND);
    int pa = open("g", O_PATH);
    CHECK_RET(num(pa, "flags", 8), O_PATH);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_RET(num(dir, "flags", 8), O_RDONLY | O_DIRECTORY | K_O_LARGEFILE);
    CHECK(num(fd, "mnt_id", 10) >= 0);
    CHECK(num(fd, "mnt_id", 10) == num(ro, "mnt_id", 10));

    int e = eventfd(5, 0);
    CHECK(strstr(info(e), "eventfd-count:") != NULL);
    CHECK_RET(num(e, "eventfd-count", 16), 5);

    int gone = dup(fd);
    close(gone);
    CHECK(strcmp(info(gone), "ENOENT") == 0);

    close(e);
    close(dir);
    close(pa);
    close(wo);
    close(ro);
    close(c);
    close(d);
    close(fd);
    fs_leave_scratch();
    return check_status();
}
