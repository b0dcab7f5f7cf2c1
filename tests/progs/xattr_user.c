/* Extended attributes in the user.* namespace on files and directories:
 * set/get/list/remove through paths, l* variants and descriptors (a read-only
 * descriptor suffices); size queries with a 0 buffer, ERANGE for small
 * buffers, empty values, XATTR_CREATE (EEXIST) and XATTR_REPLACE (ENODATA),
 * ENODATA for a missing name, E2BIG past 64 KiB, ERANGE for an empty or
 * 256-byte name, EOPNOTSUPP without a namespace prefix, EINVAL for unknown
 * flags (CREATE|REPLACE together is ENODATA or EEXIST); user.* is refused on
 * symlinks (EPERM to set, ENODATA to get) and FIFOs; without read/write
 * permission EACCES; trusted.* is invisible (ENODATA) and unwritable (EPERM)
 * without CAP_SYS_ADMIN; EFAULT, EBADF, ENOENT. Only user.* names are counted
 * in lists (a security module may add its own). */
#include "fs_util.h"
#include <sys/xattr.h>

/* The number of user.* names in a list, and whether `name` is one. */
static int count_user(const char *list, ssize_t len, const char *name, int *found) {
    int n = 0;
    *found = 0;
    for (ssize_t i = 0; i < len; i += strlen(list + i) + 1) {
        if (strncmp(list + i, "user.", 5) == 0)
            n++;
        if (name && strcmp(list + i, name) == 0)
            *found = 1;
    }
    return n;
}

static void unprivileged(void) {
    char buf[64];
    /* "ro" is mode 0444 and "none" 0000, both root's, each with user.a. */
    CHECK_RET(getxattr("ro", "user.a", buf, sizeof buf), 1);
    CHECK_ERR(setxattr("ro", "user.b", "x", 1, 0), EACCES);
    CHECK_ERR(removexattr("ro", "user.a"), EACCES);
    CHECK_ERR(getxattr("none", "user.a", buf, sizeof buf), EACCES);
    CHECK(listxattr("none", buf, sizeof buf) >= 0); /* listing needs no permission */
    CHECK_ERR(getxattr("ro", "trusted.t", buf, sizeof buf), ENODATA);
    CHECK_ERR(setxattr("mine", "trusted.t", "x", 1, 0), EPERM);
    CHECK_OK(setxattr("mine", "user.ok", "x", 1, 0));
}

int main(void) {
    char buf[300], list[1024];
    int found;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "data"));

    /* Set and get. */
    CHECK_OK(setxattr("f", "user.color", "blue", 4, 0));
    CHECK_RET(getxattr("f", "user.color", NULL, 0), 4);
    CHECK_RET(getxattr("f", "user.color", buf, sizeof buf), 4);
    CHECK(memcmp(buf, "blue", 4) == 0);
    CHECK_ERR(getxattr("f", "user.color", buf, 3), ERANGE);
    CHECK_OK(setxattr("f", "user.color", "green", 5, XATTR_REPLACE));
    CHECK_RET(getxattr("f", "user.color", buf, sizeof buf), 5);
    CHECK_ERR(setxattr("f", "user.color", "red", 3, XATTR_CREATE), EEXIST);
    CHECK_ERR(setxattr("f", "user.shape", "round", 5, XATTR_REPLACE), ENODATA);
    CHECK_OK(setxattr("f", "user.shape", "round", 5, XATTR_CREATE));
    CHECK_OK(setxattr("f", "user.empty", "", 0, 0));
    CHECK_RET(getxattr("f", "user.empty", buf, sizeof buf), 0);
    static char bin[256];
    for (int i = 0; i < 256; i++)
        bin[i] = (char)i;
    CHECK_OK(setxattr("f", "user.binary", bin, 256, 0));
    CHECK_RET(getxattr("f", "user.binary", buf, sizeof buf), 256);
    CHECK(memcmp(buf, bin, 256) == 0);
    CHECK_ERR(getxattr("f", "user.missing", buf, sizeof buf), ENODATA);
    CHECK_ERR(getxattr("f", "user.missing", NULL, 0), ENODATA);

    /* List. */
    ssize_t need = listxattr("f", NULL, 0);
    CHECK(need > 0);
    ssize_t got = listxattr("f", list, sizeof list);
    CHECK(got == need);
    CHECK_RET(count_user(list, got, "user.shape", &found), 4);
    CHECK(found);
    CHECK_ERR(listxattr("f", list, 5), ERANGE);

    /* Remove. */
    CHECK_OK(removexattr("f", "user.shape"));
    CHECK_ERR(getxattr("f", "user.shape", buf, sizeof buf), ENODATA);
    CHECK_ERR(removexattr("f", "user.shape"), ENODATA);
    got = listxattr("f", list, sizeof list);
    CHECK_RET(count_user(list, got, "user.shape", &found), 3);
    CHECK(!found);

    /* Descriptors. */
    int fd = open("f", O_RDONLY);
    CHECK_OK(fsetxattr(fd, "user.viafd", "1", 1, 0));
    CHECK_RET(fgetxattr(fd, "user.viafd", buf, sizeof buf), 1);
    got = flistxattr(fd, list, sizeof list);
    CHECK_RET(count_user(list, got, "user.viafd", &found), 4);
    CHECK(found);
    CHECK_OK(fremovexattr(fd, "user.viafd"));
    CHECK_ERR(fgetxattr(fd, "user.viafd", buf, sizeof buf), ENODATA);
    CHECK_ERR(fgetxattr(99, "user.color", buf, sizeof buf), EBADF);
    CHECK_ERR(fsetxattr(99, "user.color", "x", 1, 0), EBADF);

    /* Directories, symlinks, FIFOs. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(setxattr("d", "user.dir", "yes", 3, 0));
    CHECK_RET(getxattr("d", "user.dir", buf, sizeof buf), 3);
    CHECK_OK(symlink("f", "lf"));
    CHECK_RET(getxattr("lf", "user.color", buf, sizeof buf), 5); /* followed */
    CHECK_ERR(lgetxattr("lf", "user.color", buf, sizeof buf), ENODATA);
    CHECK_ERR(lsetxattr("lf", "user.x", "1", 1, 0), EPERM);
    got = llistxattr("lf", list, sizeof list);
    CHECK(got >= 0);
    CHECK_RET(count_user(list, got, NULL, &found), 0);
    CHECK_OK(mkfifo("fifo", 0644));
    CHECK_ERR(setxattr("fifo", "user.x", "1", 1, 0), EPERM);
    CHECK_ERR(getxattr("fifo", "user.x", buf, sizeof buf), ENODATA);

    /* Names, sizes, flags. */
    CHECK_ERR(setxattr("f", "noprefix", "1", 1, 0), EOPNOTSUPP);
    CHECK_ERR(getxattr("f", "noprefix", buf, sizeof buf), EOPNOTSUPP);
    CHECK_ERR(setxattr("f", "", "1", 1, 0), ERANGE);
    char longname[300] = "user.";
    memset(longname + 5, 'n', 251);
    longname[256] = 0;
    CHECK_ERR(setxattr("f", longname, "1", 1, 0), ERANGE);
    CHECK_ERR(getxattr("f", longname, buf, sizeof buf), ERANGE);
    static char huge[65537];
    CHECK_ERR(setxattr("f", "user.huge", huge, sizeof huge, 0), E2BIG);
    CHECK_ERR(setxattr("f", "user.x", "1", 1, 4), EINVAL);
    /* Both flags at once are not EINVAL: each applies, so nothing succeeds. */
    CHECK_ERR(setxattr("f", "user.x", "1", 1, XATTR_CREATE | XATTR_REPLACE), ENODATA);
    CHECK_ERR(setxattr("f", "user.color", "1", 1, XATTR_CREATE | XATTR_REPLACE), EEXIST);
    CHECK_ERR(syscall(SYS_setxattr, "f", "user.x", (void *)1, 10L, 0), EFAULT);
    CHECK_ERR(syscall(SYS_getxattr, "f", "user.color", (void *)1, 10L), EFAULT);
    CHECK_ERR(setxattr("missing", "user.x", "1", 1, 0), ENOENT);
    CHECK_ERR(getxattr("f/x", "user.x", buf, sizeof buf), ENOTDIR);
    CHECK_OK(close(fd));

    /* Permissions. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(fs_write_file("ro", ""));
    CHECK_OK(setxattr("ro", "user.a", "1", 1, 0));
    CHECK_OK(chmod("ro", 0444));
    CHECK_OK(fs_write_file("none", ""));
    CHECK_OK(setxattr("none", "user.a", "1", 1, 0));
    CHECK_OK(chmod("none", 0));
    CHECK_OK(fs_write_file("mine", ""));
    CHECK_OK(chown("mine", 65534, 65534));
    FS_AS_USER(65534, 65534, unprivileged);

    fs_leave_scratch();
    return check_status();
}
