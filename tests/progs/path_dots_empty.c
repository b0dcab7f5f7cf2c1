/* "." and ".." in paths, repeated slashes, ".." at "/" staying at "/" (also
 * via chdir), the empty path (ENOENT for every path call without
 * AT_EMPTY_PATH) and AT_EMPTY_PATH (fstatat, fchownat, statx, utimensat,
 * linkat elsewhere) operating on the descriptor itself, including AT_FDCWD
 * meaning the cwd. */
#include "fs_util.h"
#include <sys/time.h>

static int same(const char *a, const char *b) {
    struct stat x, y;
    if (stat(a, &x) != 0 || stat(b, &y) != 0)
        return 0;
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int main(void) {
    struct stat st, st2;
    char buf[4200];
    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(mkdir("d/e", 0755));
    CHECK_OK(fs_write_file("f", "x"));

    /* Dots and slashes. */
    CHECK(same(".", fs_scratch));
    CHECK(same("d/..", "."));
    CHECK(same("d/e/../..", "."));
    CHECK(same("./d/./e/.", "d/e"));
    CHECK(same("d//e", "d/e"));
    CHECK(same(".//d///e//", "d/e"));
    CHECK(same("d/../f", "f"));
    CHECK(!same("d", "d/e"));
    CHECK_ERR(stat("nothere/..", &st), ENOENT); /* each component must exist */
    CHECK_ERR(stat("f/..", &st), ENOTDIR);
    snprintf(buf, sizeof buf, "%s/d/../f", fs_scratch);
    CHECK(same(buf, "f"));

    /* ".." at the root is the root. */
    CHECK(same("/..", "/"));
    CHECK(same("/../../..", "/"));
    CHECK(same("//", "/"));
    CHECK(same("/../tmp", "/tmp"));
    snprintf(buf, sizeof buf, "/../..%s/../../..%s", fs_scratch, fs_scratch);
    CHECK(same(buf, "."));
    CHECK_OK(chdir("/"));
    CHECK_OK(chdir(".."));
    CHECK_OK(chdir("../.."));
    CHECK(same(".", "/"));
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);
    int root = open("/", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fstatat(root, "..", &st, 0));
    CHECK_OK(stat("/", &st2));
    CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    CHECK_OK(close(root));
    CHECK_OK(chdir(fs_scratch));

    /* The empty path. */
    CHECK_ERR(stat("", &st), ENOENT);
    CHECK_ERR(lstat("", &st), ENOENT);
    CHECK_ERR(access("", F_OK), ENOENT);
    CHECK_ERR(chdir(""), ENOENT);
    CHECK_ERR(mkdir("", 0755), ENOENT);
    CHECK_ERR(rmdir(""), ENOENT);
    CHECK_ERR(unlink(""), ENOENT);
    CHECK_ERR(rename("", "g"), ENOENT);
    CHECK_ERR(rename("f", ""), ENOENT);
    CHECK_ERR(link("", "g"), ENOENT);
    CHECK_ERR(link("f", ""), ENOENT);
    CHECK_ERR(symlink("f", ""), ENOENT);
    CHECK_ERR(readlink("", buf, sizeof buf), ENOENT);
    CHECK_ERR(chmod("", 0644), ENOENT);
    CHECK_ERR(chown("", 0, 0), ENOENT);
    CHECK_ERR(truncate("", 0), ENOENT);
    CHECK_ERR(mknod("", S_IFREG | 0644, 0), ENOENT);
    CHECK_ERR(utimes("", NULL), ENOENT);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(openat(dfd, "", O_RDONLY), ENOENT);
    CHECK_ERR(fstatat(dfd, "", &st, 0), ENOENT);
    CHECK_ERR(unlinkat(dfd, "", AT_REMOVEDIR), ENOENT);
    CHECK_ERR(mkdirat(dfd, "", 0755), ENOENT);

    /* AT_EMPTY_PATH: the descriptor itself. */
    CHECK_OK(fstatat(dfd, "", &st, AT_EMPTY_PATH));
    CHECK_OK(stat("d", &st2));
    CHECK(st.st_ino == st2.st_ino && S_ISDIR(st.st_mode));
    int ffd = open("f", O_RDONLY);
    CHECK_OK(fstatat(ffd, "", &st, AT_EMPTY_PATH));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 1);
    CHECK_OK(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH)); /* the cwd */
    CHECK_OK(stat(".", &st2));
    CHECK(st.st_ino == st2.st_ino);
    CHECK_OK(fchownat(ffd, "", 0, 0, AT_EMPTY_PATH));
    CHECK_OK(fchownat(ffd, "", -1, 1234, AT_EMPTY_PATH));
    CHECK_OK(stat("f", &st));
    CHECK(st.st_gid == 1234);
    struct statx stx;
    CHECK_OK(statx(ffd, "", AT_EMPTY_PATH, STATX_SIZE, &stx));
    CHECK(stx.stx_size == 1);
    struct timespec ts[2] = {{1000, 0}, {2000, 0}};
    CHECK_OK(syscall(SYS_utimensat, ffd, NULL, ts, 0)); /* NULL path: the descriptor */
    CHECK_OK(stat("f", &st));
    CHECK(st.st_atime == 1000 && st.st_mtime == 2000);
    CHECK_ERR(fstatat(ffd, "", &st, 0), ENOENT);
    CHECK_ERR(fstatat(ffd, "x", &st, AT_EMPTY_PATH), ENOTDIR);
    CHECK_ERR(fstatat(99, "", &st, AT_EMPTY_PATH), EBADF);
    CHECK_OK(close(ffd));
    CHECK_OK(close(dfd));

    fs_leave_scratch();
    return check_status();
}
