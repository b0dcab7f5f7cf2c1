/* link and linkat: a second name for one inode (same ino, nlink counts up and
 * down, data shared), EPERM for directories, EEXIST for an existing name (even
 * a dangling symlink), link() not following a symlink source while
 * AT_SYMLINK_FOLLOW does, AT_EMPTY_PATH (root may link a descriptor; a deleted
 * file cannot be brought back: ENOENT), directory descriptors; errors: ENOENT,
 * ENOTDIR, EINVAL for unknown flags, EBADF, EFAULT. */
#include "fs_util.h"

static long nlink(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (long)st.st_nlink : -1;
}

static long ino(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (long)st.st_ino : -1;
}

int main(void) {
    char buf[32];
    struct stat st;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "data"));
    CHECK_RET(nlink("f"), 1);

    CHECK_OK(link("f", "g"));
    CHECK(ino("g") == ino("f"));
    CHECK_RET(nlink("f"), 2);
    CHECK_RET(nlink("g"), 2);
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(link("g", "d/h"));
    CHECK_RET(nlink("f"), 3);
    int fd = open("d/h", O_WRONLY | O_APPEND);
    CHECK_RET(write(fd, "+more", 5), 5);
    CHECK_OK(close(fd));
    CHECK_RET(fs_read_file("f", buf, sizeof buf), 9);
    CHECK(strcmp(buf, "data+more") == 0);
    CHECK_OK(unlink("f"));
    CHECK_RET(nlink("g"), 2);
    CHECK_OK(unlink("d/h"));
    CHECK_RET(nlink("g"), 1);
    CHECK_RET(fs_read_file("g", buf, sizeof buf), 9);

    /* Directories and existing names. */
    CHECK_ERR(link("d", "d2"), EPERM);
    CHECK_ERR(link(".", "d2"), EPERM);
    CHECK_ERR(link("g", "d"), EEXIST);
    CHECK_OK(fs_write_file("other", ""));
    CHECK_ERR(link("g", "other"), EEXIST);
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_ERR(link("g", "dang"), EEXIST);
    CHECK_ERR(link("g", "g"), EEXIST);

    /* Symlink sources. */
    CHECK_OK(symlink("g", "lg"));
    CHECK_OK(link("lg", "lg2")); /* the link itself */
    CHECK_OK(lstat("lg2", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK(ino("lg2") == ino("lg"));
    CHECK_RET(nlink("lg"), 2);
    CHECK_RET(nlink("g"), 1);
    CHECK_OK(linkat(AT_FDCWD, "lg", AT_FDCWD, "followed", AT_SYMLINK_FOLLOW));
    CHECK(ino("followed") == ino("g"));
    CHECK_RET(nlink("g"), 2);
    CHECK_ERR(linkat(AT_FDCWD, "dang", AT_FDCWD, "x", AT_SYMLINK_FOLLOW), ENOENT);
    CHECK_OK(linkat(AT_FDCWD, "dang", AT_FDCWD, "dang2", 0));
    CHECK_OK(unlink("dang2"));

    /* AT_EMPTY_PATH. */
    fd = open("g", O_RDONLY);
    CHECK_OK(linkat(fd, "", AT_FDCWD, "from_fd", AT_EMPTY_PATH));
    CHECK(ino("from_fd") == ino("g"));
    CHECK_RET(nlink("g"), 3);
    CHECK_ERR(linkat(fd, "", AT_FDCWD, "x", 0), ENOENT);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(linkat(dfd, "", AT_FDCWD, "x", AT_EMPTY_PATH), EPERM);
    int pfd = open("g", O_PATH);
    CHECK_OK(linkat(pfd, "", dfd, "from_opath", AT_EMPTY_PATH));
    CHECK(ino("d/from_opath") == ino("g"));
    CHECK_OK(close(pfd));
    CHECK_OK(fs_write_file("doomed", "x"));
    int dead = open("doomed", O_RDONLY);
    CHECK_OK(unlink("doomed"));
    CHECK_ERR(linkat(dead, "", AT_FDCWD, "revived", AT_EMPTY_PATH), ENOENT);
    CHECK_OK(fstat(dead, &st));
    CHECK_RET(st.st_nlink, 0);
    CHECK_OK(close(dead));

    /* Directory descriptors. */
    CHECK_OK(linkat(AT_FDCWD, "g", dfd, "in_d", 0));
    CHECK_OK(linkat(dfd, "in_d", AT_FDCWD, "back", 0));
    CHECK(ino("back") == ino("g"));
    CHECK_ERR(linkat(fd, "x", AT_FDCWD, "y", 0), ENOTDIR);
    CHECK_ERR(linkat(99, "x", AT_FDCWD, "y", 0), EBADF);
    CHECK_ERR(linkat(AT_FDCWD, "g", 99, "y", 0), EBADF);

    /* Other errors. */
    CHECK_ERR(link("missing", "x"), ENOENT);
    CHECK_ERR(link("g", "nodir/x"), ENOENT);
    CHECK_ERR(link("g/x", "y"), ENOTDIR);
    CHECK_ERR(link("g", "g/y"), ENOTDIR);
    CHECK_ERR(linkat(AT_FDCWD, "g", AT_FDCWD, "y", 0x1), EINVAL);
    CHECK_ERR(linkat(AT_FDCWD, "g", AT_FDCWD, "y", AT_SYMLINK_NOFOLLOW), EINVAL);
    CHECK_ERR(link((char *)1, "y"), EFAULT);
    CHECK_ERR(link("g", (char *)1), EFAULT);
    CHECK_ERR(lstat("y", &st), ENOENT);
    CHECK_OK(close(fd));
    CHECK_OK(close(dfd));

    fs_leave_scratch();
    return check_status();
}
