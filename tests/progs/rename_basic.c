/* rename and renameat: a file keeps its inode under the new name; over an
 * existing file it replaces it (an open descriptor of the victim still reads
 * it, with nlink 0); a directory moves (parents' link counts follow) and may
 * replace an empty directory but not a non-empty one (ENOTEMPTY); file over
 * directory EISDIR, directory over file ENOTDIR; a directory into its own
 * subtree EINVAL, onto its own ancestor ENOTEMPTY; renaming to itself or onto
 * another hard link of the same inode does nothing; "." and ".." as a last
 * component EBUSY; a symlink is renamed, not its target; ENOENT, ENOTDIR,
 * EFAULT, EBADF; renameat with directory descriptors. */
#include "fs_util.h"

static long ino(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (long)st.st_ino : -1;
}

static long nlink(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (long)st.st_nlink : -1;
}

int main(void) {
    char buf[32];
    struct stat st;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("a", "AAA"));
    CHECK_OK(fs_write_file("b", "BB"));

    /* Files. */
    long ia = ino("a");
    CHECK_OK(rename("a", "c"));
    CHECK_ERR(lstat("a", &st), ENOENT);
    CHECK(ino("c") == ia);
    CHECK_RET(fs_read_file("c", buf, sizeof buf), 3);
    int victim = open("b", O_RDONLY);
    CHECK_OK(rename("c", "b")); /* replaces b */
    CHECK(ino("b") == ia);
    CHECK_ERR(lstat("c", &st), ENOENT);
    CHECK_RET(read(victim, buf, sizeof buf), 2);
    CHECK(memcmp(buf, "BB", 2) == 0);
    CHECK_OK(fstat(victim, &st));
    CHECK_RET(st.st_nlink, 0);
    CHECK_OK(close(victim));

    /* To itself, and between hard links of one inode: nothing happens. */
    CHECK_OK(rename("b", "b"));
    CHECK(ino("b") == ia);
    CHECK_OK(link("b", "b2"));
    CHECK_OK(rename("b", "b2"));
    CHECK(ino("b") == ia && ino("b2") == ia);
    CHECK_RET(nlink("b"), 2);
    CHECK_OK(unlink("b2"));

    /* Directories. */
    CHECK_OK(mkdir("p1", 0755));
    CHECK_OK(mkdir("p2", 0755));
    CHECK_OK(mkdir("p1/d", 0755));
    CHECK_OK(fs_write_file("p1/d/inner", "in"));
    CHECK_RET(nlink("p1"), 3);
    CHECK_RET(nlink("p2"), 2);
    CHECK_OK(rename("p1/d", "p2/d"));
    CHECK_RET(nlink("p1"), 2);
    CHECK_RET(nlink("p2"), 3);
    CHECK_RET(fs_read_file("p2/d/inner", buf, sizeof buf), 2);
    CHECK_OK(stat("p2/d/..", &st));
    CHECK(st.st_ino == (ino_t)ino("p2"));
    CHECK_OK(mkdir("empty", 0755));
    CHECK_OK(rename("p2/d", "empty")); /* onto an empty directory */
    CHECK_RET(fs_read_file("empty/inner", buf, sizeof buf), 2);
    CHECK_RET(nlink("p2"), 2);
    CHECK_OK(mkdir("full", 0755));
    CHECK_OK(fs_write_file("full/x", ""));
    CHECK_ERR(rename("empty", "full"), ENOTEMPTY);
    CHECK_ERR(rename("b", "full"), EISDIR);
    CHECK_ERR(rename("full", "b"), ENOTDIR);
    CHECK_OK(mkdir("full/sub", 0755));
    CHECK_ERR(rename("full", "full/sub"), EINVAL);
    CHECK_ERR(rename("full", "full/sub/deeper"), EINVAL);
    CHECK_ERR(rename("full", "full/new"), EINVAL);
    CHECK_ERR(rename("full/sub", "full"), ENOTEMPTY);
    CHECK_ERR(rename("full/sub/..", "x"), EBUSY);
    CHECK_ERR(rename(".", "x"), EBUSY);
    CHECK_ERR(rename("b", "full/."), EBUSY);
    CHECK_ERR(rename("b", ".."), EBUSY);
    CHECK_OK(rename("full/sub", "full/sub")); /* a directory onto itself */

    /* Symlinks. */
    CHECK_OK(symlink("b", "lb"));
    CHECK_OK(rename("lb", "lb2"));
    CHECK_OK(lstat("lb2", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK(ino("b") == ia);
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_OK(rename("b", "dang")); /* replaces the link itself */
    CHECK(ino("dang") == ia);
    CHECK_ERR(lstat("nowhere", &st), ENOENT);
    CHECK_OK(rename("dang", "b"));

    /* renameat. */
    int d1 = open("p1", O_RDONLY | O_DIRECTORY), d2 = open("p2", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fs_write_file("p1/m", "m"));
    CHECK_OK(renameat(d1, "m", d2, "n"));
    CHECK_RET(fs_read_file("p2/n", buf, sizeof buf), 1);
    CHECK_OK(renameat(d2, "n", AT_FDCWD, "top"));
    CHECK_RET(fs_read_file("top", buf, sizeof buf), 1);
    CHECK_ERR(renameat(99, "top", AT_FDCWD, "x"), EBADF);
    CHECK_ERR(renameat(AT_FDCWD, "top", 99, "x"), EBADF);
    int ffd = open("b", O_RDONLY);
    CHECK_ERR(renameat(ffd, "top", AT_FDCWD, "x"), ENOTDIR);
    CHECK_OK(close(ffd));
    CHECK_OK(close(d1));
    CHECK_OK(close(d2));

    /* Lookup errors. */
    CHECK_ERR(rename("missing", "x"), ENOENT);
    CHECK_ERR(rename("b", "nodir/x"), ENOENT);
    CHECK_ERR(rename("b/x", "y"), ENOTDIR);
    CHECK_ERR(rename("b", "top/y"), ENOTDIR);
    CHECK_ERR(rename((char *)1, "y"), EFAULT);
    CHECK_ERR(rename("b", (char *)1), EFAULT);
    CHECK(ino("b") == ia);

    fs_leave_scratch();
    return check_status();
}
