/* chmod, fchmod, fchmodat: all 12 permission bits are set as given (type bits
 * in the argument ignored), the umask does not apply, chmod follows symlinks
 * while fchmodat(AT_SYMLINK_NOFOLLOW) on a symlink is EOPNOTSUPP, fchmod works
 * on a read-only descriptor, ctime moves; an unprivileged owner may chmod
 * (S_ISGID silently dropped when not in the file's group) but a non-owner gets
 * EPERM; a write or truncate by an unprivileged user clears S_ISUID/S_ISGID
 * while root's writes keep them; errors: ENOENT, ENOTDIR, ELOOP, EFAULT,
 * EBADF, EINVAL for unknown fchmodat flags. (The fchmodat flag cases are
 * answered by glibc 2.36's emulation, which opens the path O_PATH|O_NOFOLLOW
 * and fstats it; the fchmodat syscall itself has no flags argument.) */
#include "fs_util.h"

static int mode(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void unprivileged(void) {
    CHECK_OK(chmod("mine", 0600));
    CHECK_RET(mode("mine"), 0600);
    CHECK_OK(chmod("mine", 02755)); /* gid 0 is not ours: S_ISGID dropped */
    CHECK_RET(mode("mine"), 0755);
    CHECK_OK(chmod("mine", 04755)); /* S_ISUID is fine for the owner */
    CHECK_RET(mode("mine"), 04755);
    CHECK_OK(chmod("mine", 01644)); /* so is the sticky bit on a file */
    CHECK_RET(mode("mine"), 01644);
    CHECK_ERR(chmod("roots", 0777), EPERM);
    int fd = open("roots", O_RDONLY);
    CHECK_ERR(fchmod(fd, 0777), EPERM);
    close(fd);
    /* Writing clears the set-id bits. */
    fd = open("suid", O_WRONLY);
    CHECK_RET(write(fd, "x", 1), 1);
    close(fd);
    CHECK_RET(mode("suid"), 0777);
    fd = open("sgid", O_WRONLY);
    CHECK_OK(ftruncate(fd, 10));
    close(fd);
    CHECK_RET(mode("sgid"), 0777);
}

int main(void) {
    struct stat st;
    umask(077);
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "x"));

    CHECK_OK(chmod("f", 0777));
    CHECK_RET(mode("f"), 0777);
    CHECK_OK(chmod("f", 07777));
    CHECK_RET(mode("f"), 07777);
    CHECK_OK(chmod("f", 0));
    CHECK_RET(mode("f"), 0);
    CHECK_OK(chmod("f", S_IFDIR | 0640));
    CHECK_OK(lstat("f", &st));
    CHECK_RET(st.st_mode, S_IFREG | 0640);
    CHECK_OK(chmod("f", 0644));

    /* ctime moves. */
    struct timespec old[2] = {{1000, 0}, {1000, 0}};
    CHECK_OK(utimensat(AT_FDCWD, "f", old, 0));
    CHECK_OK(chmod("f", 0600));
    CHECK_OK(stat("f", &st));
    CHECK(st.st_ctime > 1000 && st.st_mtime == 1000);

    /* fchmod, fchmodat. */
    int fd = open("f", O_RDONLY);
    CHECK_OK(fchmod(fd, 0604));
    CHECK_RET(mode("f"), 0604);
    CHECK_ERR(fchmod(99, 0644), EBADF);
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fchmod(dfd, 0700));
    CHECK_RET(mode("d"), 0700);
    CHECK_OK(fs_write_file("d/g", ""));
    CHECK_OK(fchmodat(dfd, "g", 0611, 0));
    CHECK_RET(mode("d/g"), 0611);
    CHECK_ERR(fchmodat(99, "g", 0611, 0), EBADF);
    CHECK_ERR(fchmodat(fd, "g", 0611, 0), ENOTDIR);
    CHECK_OK(close(dfd));

    /* Symlinks. */
    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(chmod("lf", 0640));
    CHECK_RET(mode("f"), 0640);
    CHECK_RET(mode("lf"), 0777);
    CHECK_ERR(fchmodat(AT_FDCWD, "lf", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
    CHECK_RET(mode("lf"), 0777);
    CHECK_RET(mode("f"), 0640);
    CHECK_ERR(fchmodat(AT_FDCWD, "f", 0600, 0x1), EINVAL);
    CHECK_OK(symlink("loop", "loop"));
    CHECK_ERR(chmod("loop", 0600), ELOOP);
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_ERR(chmod("dang", 0600), ENOENT);

    /* Errors. */
    CHECK_ERR(chmod("missing", 0600), ENOENT);
    CHECK_ERR(chmod("f/x", 0600), ENOTDIR);
    CHECK_ERR(chmod((char *)1, 0600), EFAULT);
    CHECK_OK(close(fd));

    /* Unprivileged owners and non-owners; set-id bits cleared by writes. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(fs_write_file("mine", ""));
    CHECK_OK(chown("mine", 65534, 0));
    CHECK_OK(fs_write_file("roots", ""));
    CHECK_OK(chmod("roots", 0644));
    CHECK_OK(fs_write_file("suid", ""));
    CHECK_OK(chmod("suid", 04777));
    CHECK_OK(fs_write_file("sgid", ""));
    CHECK_OK(chmod("sgid", 02777));
    FS_AS_USER(65534, 65534, unprivileged);
    CHECK_OK(chmod("suid", 06777));
    fd = open("suid", O_WRONLY); /* root (CAP_FSETID) keeps them */
    CHECK_RET(write(fd, "y", 1), 1);
    CHECK_OK(close(fd));
    CHECK_RET(mode("suid"), 06777);

    fs_leave_scratch();
    return check_status();
}
