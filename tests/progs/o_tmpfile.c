/* O_TMPFILE: an unnamed regular file in a directory (nlink 0, mode from the
 * argument and the umask, owner the caller, invisible to getdents, readable
 * and writable); linkat(AT_EMPTY_PATH) gives it a name, after which nlink is 1
 * and the data is there; with O_EXCL it can never be linked (ENOENT); a linked
 * one may be unlinked again and stay usable; errors: EINVAL without write
 * access or with O_CREAT, ENOTDIR for a file, ENOENT for a missing directory. */
#include "fs_util.h"

static int entries(const char *dir) {
    char buf[1024];
    int fd = open(dir, O_RDONLY | O_DIRECTORY), n = 0;
    long r;
    while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < r; off += *(unsigned short *)(buf + off + 16))
            n++;
    close(fd);
    return n;
}

int main(void) {
    char buf[32];
    struct stat st;
    umask(027);
    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));

    int fd = open("d", O_TMPFILE | O_RDWR, 0666);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_RET(st.st_mode & 07777, 0640);
    CHECK_RET(st.st_nlink, 0);
    CHECK(st.st_uid == getuid());
    CHECK_RET(entries("d"), 2);
    CHECK_RET(write(fd, "temporary", 9), 9);
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 9);
    CHECK_RET(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);

    /* Giving it a name. */
    CHECK_OK(linkat(fd, "", AT_FDCWD, "d/named", AT_EMPTY_PATH));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_nlink, 1);
    CHECK_RET(entries("d"), 3);
    CHECK_RET(fs_read_file("d/named", buf, sizeof buf), 9);
    CHECK(strcmp(buf, "temporary") == 0);
    CHECK_OK(linkat(fd, "", AT_FDCWD, "d/second", AT_EMPTY_PATH)); /* again */
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_nlink, 2);
    CHECK_OK(close(fd));

    /* Write-only, and O_EXCL. */
    fd = open("d", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_ERR(linkat(fd, "", AT_FDCWD, "d/never", AT_EMPTY_PATH), ENOENT);
    CHECK_ERR(lstat("d/never", &st), ENOENT);
    CHECK_OK(close(fd));
    CHECK_RET(entries("d"), 4);

    /* Unlinking a linked tmpfile again leaves it usable. */
    fd = open("d", O_TMPFILE | O_RDWR, 0600);
    CHECK_OK(linkat(fd, "", AT_FDCWD, "d/brief", AT_EMPTY_PATH));
    CHECK_OK(unlink("d/brief"));
    CHECK_RET(write(fd, "x", 1), 1);
    CHECK_OK(close(fd));

    /* Errors. */
    CHECK_ERR(open("d", O_TMPFILE | O_RDONLY, 0600), EINVAL);
    CHECK_ERR(open("d", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
    CHECK_OK(fs_write_file("file", ""));
    CHECK_ERR(open("file", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
    CHECK_ERR(open("missing", O_TMPFILE | O_RDWR, 0600), ENOENT);
    CHECK_ERR(open("missing/x", O_TMPFILE | O_RDWR, 0600), ENOENT);

    fs_leave_scratch();
    return check_status();
}
