/* Trailing slashes: a path ending in "/" must name a directory. On a file it
 * is ENOTDIR (stat, lstat, open, unlink, rename, link, truncate); on a symlink
 * it forces following, even for lstat and O_NOFOLLOW; on a directory it is
 * harmless (stat, open, rmdir, rename, mkdir of a new one); creating a
 * non-directory with one is refused (open O_CREAT: EISDIR, but mknod, mkfifo,
 * symlink and link: ENOENT); unlink of "symlink/" is ENOTDIR even when the
 * link dangles; rename of "symlink-to-dir/" is ENOTDIR; repeated slashes count
 * as one. */
#include "fs_util.h"

int main(void) {
    struct stat st;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "file"));
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(symlink("f", "lf"));
    CHECK_OK(symlink("d", "ld"));
    CHECK_OK(symlink("none", "dang"));

    /* Lookups. */
    CHECK_ERR(stat("f/", &st), ENOTDIR);
    CHECK_ERR(lstat("f/", &st), ENOTDIR);
    CHECK_ERR(stat("f//", &st), ENOTDIR);
    CHECK_ERR(stat("f/.", &st), ENOTDIR);
    CHECK_ERR(open("f/", O_RDONLY), ENOTDIR);
    CHECK_ERR(access("f/", F_OK), ENOTDIR);
    CHECK_ERR(truncate("f/", 0), ENOTDIR);
    CHECK_OK(stat("d/", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(stat("d//", &st));
    CHECK_OK(stat("d/.", &st));
    CHECK_OK(stat("./d///", &st));
    int fd = open("d/", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));

    /* Symlinks: a trailing slash means follow. */
    CHECK_OK(lstat("ld", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(lstat("ld/", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_ERR(lstat("lf/", &st), ENOTDIR);
    CHECK_ERR(stat("lf/", &st), ENOTDIR);
    CHECK_ERR(lstat("dang/", &st), ENOENT);
    fd = open("ld/", O_RDONLY | O_NOFOLLOW);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_ERR(open("ld", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_OK(fstatat(AT_FDCWD, "ld/", &st, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISDIR(st.st_mode));

    /* Removal. */
    CHECK_ERR(unlink("f/"), ENOTDIR);
    CHECK_ERR(unlink("d/"), EISDIR);
    CHECK_ERR(unlink("lf/"), ENOTDIR);
    CHECK_ERR(unlink("ld/"), ENOTDIR);
    CHECK_ERR(unlink("dang/"), ENOTDIR);
    CHECK_ERR(unlink("none/"), ENOENT);
    CHECK_ERR(rmdir("f/"), ENOTDIR);
    CHECK_ERR(rmdir("ld/"), ENOTDIR);
    CHECK_OK(lstat("ld", &st));
    CHECK_OK(lstat("f", &st));
    CHECK_OK(mkdir("gone", 0755));
    CHECK_OK(rmdir("gone/"));
    CHECK_OK(mkdir("gone", 0755));
    CHECK_OK(rmdir("gone//"));
    CHECK_ERR(lstat("gone", &st), ENOENT);

    /* Creation. */
    CHECK_OK(mkdir("m/", 0755));
    CHECK_OK(mkdir("m2//", 0755));
    CHECK_OK(stat("m", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_ERR(mkdir("f/", 0755), EEXIST);
    CHECK_ERR(mkdir("d/", 0755), EEXIST);
    CHECK_ERR(mkdir("dang/", 0755), EEXIST);
    CHECK_ERR(open("nf/", O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(mknod("nf/", S_IFREG | 0644, 0), ENOENT);
    CHECK_ERR(mkfifo("nf/", 0644), ENOENT);
    CHECK_ERR(symlink("f", "nf/"), ENOENT);
    CHECK_ERR(link("f", "nf/"), ENOENT);
    CHECK_ERR(link("f/", "nf"), ENOTDIR);
    CHECK_ERR(lstat("nf", &st), ENOENT);

    /* Rename. */
    CHECK_ERR(rename("f/", "g"), ENOTDIR);
    CHECK_ERR(rename("f", "g/"), ENOTDIR);
    CHECK_ERR(rename("lf/", "g"), ENOTDIR);
    CHECK_ERR(lstat("g", &st), ENOENT);
    CHECK_OK(rename("d/", "e/"));
    CHECK_OK(stat("e", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(rename("e", "d/"));
    CHECK_OK(rename("d//", "e"));
    CHECK_OK(rename("e", "d"));
    CHECK_ERR(rename("ld/", "ld2"), ENOTDIR); /* the link itself is not a dir */
    CHECK_OK(lstat("ld", &st));
    CHECK(S_ISLNK(st.st_mode));

    fs_leave_scratch();
    return check_status();
}
