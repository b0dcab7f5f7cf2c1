/* O_PATH descriptors: opening needs no read permission and ignores every flag
 * but O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC (no creation, no truncation, the access
 * mode is irrelevant, F_GETFL reads O_PATH); fstat, fstatfs, fcntl, dup,
 * fchdir, *at() relative to one and AT_EMPTY_PATH work, while read, write,
 * pread, lseek, getdents64, fchmod, fchown, ftruncate, fsync, ioctl, mmap,
 * flock and fgetxattr give EBADF. O_PATH|O_NOFOLLOW on a symlink names the
 * link itself (S_IFLNK, readlinkat with ""). */
#include "fs_util.h"
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

static void unprivileged(void) {
    /* "secret" is mode 000: O_PATH still opens it. */
    int fd = open("secret", O_PATH);
    CHECK(fd >= 0);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK((st.st_mode & 07777) == 0);
    CHECK_ERR(open("secret", O_RDONLY), EACCES);
    CHECK_OK(close(fd));
}

int main(void) {
    char buf[64];
    umask(022);
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "hello"));
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(fs_write_file("d/inner", "inner"));
    CHECK_OK(symlink("f", "lnk"));

    int fd = open("f", O_PATH);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFL), O_PATH);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    struct stat a, b;
    CHECK_OK(fstat(fd, &a));
    CHECK_OK(stat("f", &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    CHECK(S_ISREG(a.st_mode) && a.st_size == 5);
    CHECK_OK(fstatat(fd, "", &a, AT_EMPTY_PATH));
    CHECK(a.st_ino == b.st_ino);
    struct statfs sfa, sfb;
    CHECK_OK(fstatfs(fd, &sfa));
    CHECK_OK(statfs("f", &sfb));
    CHECK(sfa.f_type == sfb.f_type && sfa.f_bsize == sfb.f_bsize);

    /* Everything that touches the file's contents or metadata: EBADF. */
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_ERR(pread(fd, buf, 1, 0), EBADF);
    CHECK_ERR(lseek(fd, 0, SEEK_SET), EBADF);
    CHECK_ERR(fchmod(fd, 0600), EBADF);
    CHECK_ERR(fchown(fd, 0, 0), EBADF);
    CHECK_ERR(ftruncate(fd, 0), EBADF);
    CHECK_ERR(fsync(fd), EBADF);
    CHECK_ERR(fdatasync(fd), EBADF);
    int n;
    CHECK_ERR(ioctl(fd, FIONREAD, &n), EBADF);
    CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EBADF);
    CHECK_ERR(flock(fd, LOCK_SH), EBADF);
    CHECK_ERR(fgetxattr(fd, "user.x", buf, sizeof buf), EBADF);
    CHECK_RET(b.st_size, 5);

    /* fcntl and dup work. */
    CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    int fd2 = dup(fd);
    CHECK(fd2 >= 0);
    CHECK_RET(fcntl(fd2, F_GETFL), O_PATH);
    CHECK_RET(fcntl(fd2, F_GETFD), 0);
    CHECK_OK(close(fd2));
    CHECK_OK(close(fd));

    /* The access mode and other flags are ignored. */
    fd = open("f", O_PATH | O_RDWR | O_TRUNC | O_APPEND);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFL), O_PATH);
    CHECK_OK(stat("f", &b));
    CHECK_RET(b.st_size, 5);
    CHECK_OK(close(fd));
    CHECK_ERR(open("new", O_PATH | O_CREAT, 0644), ENOENT);
    CHECK_ERR(lstat("new", &b), ENOENT);
    fd = open("f", O_PATH | O_CLOEXEC);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(fd));
    CHECK_ERR(open("f", O_PATH | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(open("nothere", O_PATH), ENOENT);

    /* Directories: relative lookups, fchdir; no getdents. */
    int dfd = open("d", O_PATH | O_DIRECTORY);
    CHECK(dfd >= 0);
    fd = openat(dfd, "inner", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_RET(read(fd, buf, sizeof buf), 5);
    CHECK_OK(close(fd));
    CHECK_OK(fstatat(dfd, "inner", &a, 0));
    CHECK_RET(a.st_size, 5);
    CHECK_ERR(syscall(SYS_getdents64, dfd, buf, sizeof buf), EBADF);
    CHECK_OK(fchdir(dfd));
    CHECK_RET(fs_read_file("inner", buf, sizeof buf), 5);
    CHECK_OK(chdir(fs_scratch));
    CHECK_OK(close(dfd));
    dfd = open("d", O_PATH | O_WRONLY); /* no EISDIR: nothing is opened for writing */
    CHECK(dfd >= 0);
    CHECK_OK(close(dfd));

    /* A symlink itself. */
    fd = open("lnk", O_PATH | O_NOFOLLOW);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &a));
    CHECK(S_ISLNK(a.st_mode));
    CHECK_RET(a.st_size, 1);
    memset(buf, 0, sizeof buf);
    CHECK_RET(readlinkat(fd, "", buf, sizeof buf), 1);
    CHECK(strcmp(buf, "f") == 0);
    CHECK_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
    CHECK_OK(close(fd));
    fd = open("lnk", O_PATH); /* followed without O_NOFOLLOW */
    CHECK_OK(fstat(fd, &a));
    CHECK(S_ISREG(a.st_mode));
    CHECK_OK(close(fd));

    /* No read permission needed. */
    CHECK_OK(fs_write_file("secret", "s"));
    CHECK_OK(chmod("secret", 0));
    CHECK_OK(chmod(fs_scratch, 0755));
    FS_AS_USER(65534, 65534, unprivileged);

    fs_leave_scratch();
    return check_status();
}
