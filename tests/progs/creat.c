/* creat(2): the same as open(O_WRONLY|O_CREAT|O_TRUNC): a write-only
 * descriptor, mode & ~umask on creation, an existing file truncated but its
 * mode kept, through symlinks, and the errors EISDIR, ENOENT, ENOTDIR, EFAULT,
 * ENAMETOOLONG and EACCES (for a user without write permission). */
#include "fs_util.h"

static void unprivileged(void) {
    CHECK_ERR(creat("ro", 0644), EACCES);       /* exists, not writable */
    CHECK_ERR(creat("rodir/new", 0644), EACCES); /* directory not writable */
    int fd = creat("mine", 0600);
    CHECK(fd >= 0);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_uid == 65534 && st.st_gid == 65534);
    CHECK_OK(close(fd));
}

int main(void) {
    char buf[16];
    struct stat st;
    umask(027);
    fs_enter_scratch();

    int fd = syscall(SYS_creat, "a", 0666);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_mode, S_IFREG | 0640);
    CHECK_RET(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_RET(write(fd, "contents", 8), 8);
    CHECK_OK(close(fd));

    /* Existing: truncated, mode unchanged. */
    fd = creat("a", 0777);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 0);
    CHECK_RET(st.st_mode, S_IFREG | 0640);
    CHECK_OK(close(fd));

    /* Through a symlink, dangling or not. */
    CHECK_OK(fs_write_file("b", "bbbb"));
    CHECK_OK(symlink("b", "lb"));
    CHECK_OK(symlink("c", "lc"));
    fd = creat("lb", 0600);
    CHECK_OK(close(fd));
    CHECK_OK(stat("b", &st));
    CHECK_RET(st.st_size, 0);
    fd = creat("lc", 0600);
    CHECK_OK(close(fd));
    CHECK_OK(lstat("c", &st));
    CHECK_RET(st.st_mode, S_IFREG | 0600);

    /* Errors. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(creat("d", 0644), EISDIR);
    CHECK_ERR(creat("missing/x", 0644), ENOENT);
    CHECK_ERR(creat("b/x", 0644), ENOTDIR);
    CHECK_ERR(creat("", 0644), ENOENT);
    CHECK_ERR(syscall(SYS_creat, (char *)1, 0644), EFAULT);
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    CHECK_ERR(creat(longname, 0644), ENAMETOOLONG);
    longname[255] = 0;
    fd = creat(longname, 0644); /* 255 bytes is the limit */
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_OK(unlink(longname));

    /* Permissions. */
    CHECK_OK(chmod(fs_scratch, 0777));
    CHECK_OK(fs_write_file("ro", "r"));
    CHECK_OK(chmod("ro", 0444));
    CHECK_OK(mkdir("rodir", 0555));
    FS_AS_USER(65534, 65534, unprivileged);
    fd = creat("ro", 0644); /* root: CAP_DAC_OVERRIDE */
    CHECK(fd >= 0);
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
