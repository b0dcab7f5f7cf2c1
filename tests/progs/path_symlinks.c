/* Path walking through symlinks: chains (40 links are followed, the 41st is
 * ELOOP), loops (self and mutual: ELOOP), relative targets resolved from the
 * link's own directory, absolute targets, symlinks to directories in the
 * middle of a path, ".." after a symlink going to the target's parent (not
 * lexical), a file symlink in the middle (ENOTDIR), dangling links (ENOENT
 * through them, lstat fine), an empty target refused (ENOENT), and the 40-link
 * budget shared by nested links in one lookup. */
#include "fs_util.h"

static const char *says(const char *path) {
    static char buf[4][32];
    static int next;
    char *b = buf[next++ % 4];
    if (fs_read_file(path, b, sizeof buf[0]) < 0)
        return errno_name(errno);
    return b;
}

#define SAYS(path, want)                                                                 \
    do {                                                                                 \
        const char *got_ = says(path);                                                   \
        if (strcmp(got_, want) == 0)                                                     \
            printf("ok %s -> %s\n", #path, want);                                        \
        else {                                                                           \
            printf("FAIL %s: got %s want %s\n", #path, got_, want);                      \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

int main(void) {
    char name[32], target[32], path[4096];
    struct stat st;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "top"));

    /* A chain s1 -> f, s2 -> s1, ..., s41 -> s40. */
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "s%d", i);
        if (i == 1)
            strcpy(target, "f");
        else
            snprintf(target, sizeof target, "s%d", i - 1);
        if (symlink(target, name) != 0)
            printf("FAIL symlink %s\n", name);
    }
    SAYS("s1", "top");
    SAYS("s40", "top"); /* 40 links followed */
    SAYS("s41", "ELOOP");
    CHECK_OK(stat("s40", &st));
    CHECK_ERR(stat("s41", &st), ELOOP);
    CHECK_OK(lstat("s41", &st)); /* the last one is not followed */
    CHECK(S_ISLNK(st.st_mode));

    /* Loops. */
    CHECK_OK(symlink("self", "self"));
    CHECK_OK(symlink("b", "a"));
    CHECK_OK(symlink("a", "b"));
    SAYS("self", "ELOOP");
    SAYS("a", "ELOOP");
    SAYS("self/x", "ELOOP");
    CHECK_ERR(stat("b", &st), ELOOP);
    CHECK_ERR(mkdir("self/x", 0755), ELOOP);
    CHECK_ERR(open("a", O_WRONLY | O_CREAT, 0644), ELOOP);

    /* Relative targets are relative to the link's directory. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(mkdir("d/e", 0755));
    CHECK_OK(fs_write_file("d/f", "in d"));
    CHECK_OK(fs_write_file("d/e/f", "in d/e"));
    CHECK_OK(symlink("f", "d/rel"));
    CHECK_OK(symlink("../f", "d/e/up"));
    CHECK_OK(symlink("e/../../f", "d/winding"));
    SAYS("d/rel", "in d");
    SAYS("d/e/up", "in d");
    SAYS("d/winding", "top");
    snprintf(path, sizeof path, "%s/d/e/f", fs_scratch);
    CHECK_OK(symlink(path, "absl"));
    SAYS("absl", "in d/e");
    snprintf(path, sizeof path, "%s/d", fs_scratch);
    CHECK_OK(symlink(path, "absd"));
    SAYS("absd/e/up", "in d");

    /* Symlinks to directories in the middle; ".." is physical. */
    CHECK_OK(symlink("d/e", "le"));
    SAYS("le/f", "in d/e");
    SAYS("le/../f", "in d"); /* the parent of d/e, not of le */
    SAYS("le/./../e/./f", "in d/e");
    CHECK_OK(symlink("le", "lle"));
    SAYS("lle/up", "in d");
    CHECK_OK(symlink("d/e/", "le_slash"));
    SAYS("le_slash/f", "in d/e");
    CHECK_OK(symlink("f/", "lf_slash")); /* a file with a trailing slash */
    SAYS("lf_slash", "ENOTDIR");

    /* A file symlink in the middle. */
    CHECK_OK(symlink("f", "lf"));
    SAYS("lf/x", "ENOTDIR");
    CHECK_ERR(stat("lf/x", &st), ENOTDIR);

    /* Dangling links. */
    CHECK_OK(symlink("nowhere", "dang"));
    CHECK_OK(symlink("nodir/x", "dang2"));
    SAYS("dang", "ENOENT");
    SAYS("dang2", "ENOENT");
    SAYS("dang/x", "ENOENT");
    CHECK_ERR(stat("dang", &st), ENOENT);
    CHECK_OK(lstat("dang", &st));
    CHECK(S_ISLNK(st.st_mode) && st.st_size == 7);
    CHECK_ERR(mkdir("dang/x", 0755), ENOENT);
    CHECK_ERR(mkdir("dang", 0755), EEXIST); /* mkdir does not follow */

    /* An empty target is refused. */
    CHECK_ERR(symlink("", "empty"), ENOENT);
    CHECK_ERR(lstat("empty", &st), ENOENT);

    /* The budget is per lookup: 20 + 20 links nested is fine, 21 + 20 not.
     * m20 -> s20 (21 links to f); "dir chain" c1 -> d, c2 -> c1, ... */
    for (int i = 1; i <= 21; i++) {
        snprintf(name, sizeof name, "c%d", i);
        if (i == 1)
            strcpy(target, "d");
        else
            snprintf(target, sizeof target, "c%d", i - 1);
        if (symlink(target, name) != 0)
            printf("FAIL symlink %s\n", name);
    }
    CHECK_OK(symlink("../s20", "d/to_s20"));
    CHECK_OK(symlink("../s19", "d/to_s19"));
    SAYS("c20/f", "in d");
    SAYS("c20/to_s19", "top"); /* 20 + 1 + 19 = 40 */
    SAYS("c20/to_s20", "ELOOP"); /* 20 + 1 + 20 = 41 */
    SAYS("c21/to_s19", "ELOOP");

    fs_leave_scratch();
    return check_status();
}
