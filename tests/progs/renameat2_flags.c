/* renameat2 flags: RENAME_NOREPLACE (EEXIST if the target exists, even a
 * dangling symlink or the source itself; fine otherwise), RENAME_EXCHANGE (two
 * files swap, a file and a directory swap and the parents' link counts follow,
 * ENOENT if either side is missing, EINVAL for a directory and its own
 * descendant, a name with itself is a no-op), flag 0 is renameat; EINVAL for
 * NOREPLACE|EXCHANGE, WHITEOUT|EXCHANGE and unknown bits; EBUSY/EEXIST for "."
 * targets. */
#include "fs_util.h"

static long r2(const char *a, const char *b, unsigned flags) {
    return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

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
    CHECK_OK(symlink("nowhere", "dang"));
    long ia = ino("a"), ib = ino("b");

    /* RENAME_NOREPLACE. */
    CHECK_ERR(r2("a", "b", RENAME_NOREPLACE), EEXIST);
    CHECK_ERR(r2("a", "dang", RENAME_NOREPLACE), EEXIST);
    CHECK_ERR(r2("a", "a", RENAME_NOREPLACE), EEXIST);
    CHECK_ERR(r2("a", ".", RENAME_NOREPLACE), EEXIST);
    CHECK_ERR(r2("a", ".", 0), EBUSY);
    CHECK(ino("a") == ia && ino("b") == ib);
    CHECK_OK(r2("a", "c", RENAME_NOREPLACE));
    CHECK(ino("c") == ia);
    CHECK_ERR(lstat("a", &st), ENOENT);
    CHECK_OK(r2("c", "a", 0));

    /* RENAME_EXCHANGE between files. */
    CHECK_OK(r2("a", "b", RENAME_EXCHANGE));
    CHECK(ino("a") == ib && ino("b") == ia);
    CHECK_RET(fs_read_file("a", buf, sizeof buf), 2);
    CHECK_RET(fs_read_file("b", buf, sizeof buf), 3);
    CHECK_OK(r2("a", "a", RENAME_EXCHANGE));
    CHECK(ino("a") == ib);
    CHECK_ERR(r2("a", "missing", RENAME_EXCHANGE), ENOENT);
    CHECK_ERR(r2("missing", "a", RENAME_EXCHANGE), ENOENT);
    CHECK_OK(r2("a", "dang", RENAME_EXCHANGE)); /* with a symlink */
    CHECK(ino("dang") == ib);
    CHECK_OK(lstat("a", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(r2("a", "dang", RENAME_EXCHANGE));

    /* A file and a directory in different parents. */
    CHECK_OK(mkdir("p", 0755));
    CHECK_OK(mkdir("q", 0755));
    CHECK_OK(mkdir("p/d", 0755));
    CHECK_OK(fs_write_file("p/d/inner", "in"));
    CHECK_OK(fs_write_file("q/f", "file"));
    CHECK_RET(nlink("p"), 3);
    CHECK_RET(nlink("q"), 2);
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "p/d", AT_FDCWD, "q/f", RENAME_EXCHANGE));
    CHECK_OK(stat("q/f", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(stat("p/d", &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_RET(nlink("p"), 2);
    CHECK_RET(nlink("q"), 3);
    CHECK_RET(fs_read_file("q/f/inner", buf, sizeof buf), 2);
    CHECK_OK(stat("q/f/..", &st));
    CHECK(st.st_ino == (ino_t)ino("q"));

    /* A directory and its own descendant. */
    CHECK_OK(mkdir("q/f/sub", 0755));
    CHECK_ERR(r2("q/f", "q/f/sub", RENAME_EXCHANGE), EINVAL);
    CHECK_ERR(r2("q/f/sub", "q/f", RENAME_EXCHANGE), EINVAL);
    CHECK_ERR(r2("q/f", "q/f/sub", RENAME_NOREPLACE), EEXIST);

    /* Bad flag combinations. */
    CHECK_ERR(r2("a", "b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
    CHECK_ERR(r2("a", "b", RENAME_WHITEOUT | RENAME_EXCHANGE), EINVAL);
    CHECK_ERR(r2("a", "b", 1 << 5), EINVAL);
    CHECK_ERR(r2("a", "b", 0x80000000u), EINVAL);
    CHECK(ino("a") == ib && ino("b") == ia);

    /* Flag 0 replaces like rename. */
    CHECK_OK(r2("a", "b", 0));
    CHECK(ino("b") == ib);
    CHECK_ERR(lstat("a", &st), ENOENT);
    CHECK_ERR(syscall(SYS_renameat2, 99, "b", AT_FDCWD, "x", 0), EBADF);
    CHECK_ERR(r2((char *)1, "x", RENAME_NOREPLACE), EFAULT);

    fs_leave_scratch();
    return check_status();
}
