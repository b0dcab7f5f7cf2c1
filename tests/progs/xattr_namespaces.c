/* Extended attribute namespaces and who may use them: trusted.* and
 * security.* for root (set, get, list); unprivileged, trusted.* is hidden
 * from lists and reads as ENODATA, security.* reads without any permission
 * on the file but cannot be set (EPERM); a bare "user." is EINVAL; in a
 * sticky directory only the owner sets user.* on it; setxattr changes
 * ctime; list sizes exactly; descriptors of pipes take no user.* (EPERM to
 * set, ENODATA to get). */
#include "fs_util.h"
#include <sys/xattr.h>

static int has(const char *list, ssize_t len, const char *name) {
    for (ssize_t i = 0; i < len; i += strlen(list + i) + 1)
        if (strcmp(list + i, name) == 0)
            return 1;
    return 0;
}

static void unprivileged(void) {
    char buf[64], list[512];
    CHECK_ERR(getxattr("f", "trusted.t", buf, sizeof buf), ENODATA);
    CHECK_ERR(setxattr("mine", "trusted.t", "x", 1, 0), EPERM);
    CHECK_RET(getxattr("f", "security.s", buf, sizeof buf), 3); /* mode 0000 */
    CHECK_ERR(setxattr("mine", "security.s", "x", 1, 0), EPERM);
    CHECK_ERR(removexattr("mine", "security.s"), EPERM);
    ssize_t n = listxattr("f", list, sizeof list);
    CHECK(n >= 0);
    CHECK(!has(list, n, "trusted.t"));
    CHECK(has(list, n, "user.u"));
    CHECK(has(list, n, "security.s"));
    /* The sticky directory is world-writable but not ours. */
    CHECK_ERR(setxattr("sticky", "user.x", "1", 1, 0), EPERM);
    CHECK_OK(setxattr("sticky/mine", "user.x", "1", 1, 0));
    CHECK_RET(getxattr("sticky", "user.own", buf, sizeof buf), 1);
}

int main(void) {
    char buf[64], list[512];
    struct stat st1, st2;
    fs_enter_scratch();
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(fs_write_file("f", "data"));

    /* Root's namespaces. */
    CHECK_OK(setxattr("f", "trusted.t", "tv", 2, 0));
    CHECK_RET(getxattr("f", "trusted.t", buf, sizeof buf), 2);
    CHECK_OK(setxattr("f", "security.s", "sec", 3, 0));
    CHECK_RET(getxattr("f", "security.s", buf, sizeof buf), 3);
    CHECK(memcmp(buf, "sec", 3) == 0);
    CHECK_OK(setxattr("f", "user.u", "", 0, 0));
    ssize_t n = listxattr("f", list, sizeof list);
    CHECK(has(list, n, "trusted.t") && has(list, n, "security.s") && has(list, n, "user.u"));
    CHECK_RET(listxattr("f", list, n), n);
    CHECK_ERR(listxattr("f", list, n - 1), ERANGE);
    CHECK_ERR(setxattr("f", "user.", "1", 1, 0), EINVAL);
    CHECK_ERR(getxattr("f", "trusted.", buf, sizeof buf), EINVAL);
    CHECK_ERR(setxattr("f", "bogus.x", "1", 1, 0), EOPNOTSUPP);

    /* ctime moves. */
    CHECK_OK(stat("f", &st1));
    usleep(20000);
    CHECK_OK(setxattr("f", "user.t", "1", 1, 0));
    CHECK_OK(stat("f", &st2));
    CHECK(st2.st_ctim.tv_sec > st1.st_ctim.tv_sec ||
          (st2.st_ctim.tv_sec == st1.st_ctim.tv_sec && st2.st_ctim.tv_nsec > st1.st_ctim.tv_nsec));
    CHECK(st2.st_mtim.tv_sec == st1.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st1.st_mtim.tv_nsec);
    CHECK_OK(removexattr("f", "user.t"));
    CHECK_ERR(removexattr("f", "user.t"), ENODATA);

    /* Pipes. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fsetxattr(p[0], "user.x", "1", 1, 0), EPERM);
    CHECK_ERR(fgetxattr(p[0], "user.x", buf, sizeof buf), ENODATA);
    close(p[0]);
    close(p[1]);

    /* For the unprivileged part. */
    CHECK_OK(chmod("f", 0));
    CHECK_OK(fs_write_file("mine", ""));
    CHECK_OK(chown("mine", 65534, 65534));
    CHECK_OK(mkdir("sticky", 01777));
    CHECK_OK(setxattr("sticky", "user.own", "o", 1, 0));
    CHECK_OK(fs_write_file("sticky/mine", ""));
    CHECK_OK(chown("sticky/mine", 65534, 65534));
    FS_AS_USER(65534, 65534, unprivileged);

    fs_leave_scratch();
    return check_status();
}
