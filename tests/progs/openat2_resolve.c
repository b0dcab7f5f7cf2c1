/* openat2(2) resolution scoping: RESOLVE_BENEATH (".." and symlinks are fine
 * while they stay below dirfd; escaping by "..", by an absolute path or by a
 * symlink is EXDEV), RESOLVE_IN_ROOT (dirfd acts as "/": absolute paths,
 * absolute symlinks and ".." above it all land inside it), RESOLVE_NO_SYMLINKS
 * (ELOOP for any symlink on the way, not for an unfollowed final one with
 * O_PATH|O_NOFOLLOW), RESOLVE_NO_XDEV within one filesystem, combinations, and
 * O_CREAT with a mode under RESOLVE_BENEATH. */
#include "fs_util.h"
#include <linux/openat2.h>

static int oa2(int dirfd, const char *path, unsigned long long flags,
               unsigned long long mode, unsigned long long resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Opens path for reading under `resolve` and returns what the file says
 * (its first 15 bytes), or the errno's name. */
static const char *what(int dirfd, const char *path, unsigned long long resolve) {
    static char buf[4][16];
    static int next;
    char *b = buf[next++ % 4];
    int fd = oa2(dirfd, path, O_RDONLY, 0, resolve);
    if (fd < 0)
        return errno_name(errno);
    ssize_t n = read(fd, b, 15);
    close(fd);
    b[n < 0 ? 0 : n] = 0;
    return b;
}

#define SAYS(dirfd, path, resolve, want)                                                 \
    do {                                                                                 \
        const char *got_ = what(dirfd, path, resolve);                                   \
        if (strcmp(got_, want) == 0)                                                     \
            printf("ok %s %s -> %s\n", #resolve, #path, want);                            \
        else {                                                                           \
            printf("FAIL %s %s: got %s want %s\n", #resolve, #path, got_, want);          \
            check_failed = 1;                                                            \
        }                                                                                \
    } while (0)

int main(void) {
    fs_enter_scratch();
    /* scratch/f says "outside"; scratch/root is the dirfd. */
    CHECK_OK(fs_write_file("f", "outside"));
    CHECK_OK(mkdir("root", 0755));
    CHECK_OK(fs_write_file("root/f", "inside"));
    CHECK_OK(mkdir("root/sub", 0755));
    CHECK_OK(fs_write_file("root/sub/g", "sub-g"));
    CHECK_OK(symlink("..", "root/sub/up"));
    CHECK_OK(symlink("../..", "root/sub/out"));
    CHECK_OK(symlink("/f", "root/sub/abs"));
    CHECK_OK(symlink("/sub", "root/abs_sub"));
    CHECK_OK(symlink("f", "root/lf"));
    CHECK_OK(symlink("sub", "root/ld"));
    char abs_inner[64];
    snprintf(abs_inner, sizeof abs_inner, "%s/root/f", fs_scratch);
    int root = open("root", O_RDONLY | O_DIRECTORY);
    CHECK(root >= 0);

    /* No scoping: what the paths mean normally. */
    SAYS(root, "../f", 0, "outside");
    SAYS(root, "sub/out/f", 0, "outside");
    SAYS(root, abs_inner, 0, "inside");

    /* RESOLVE_BENEATH. */
    SAYS(root, "f", RESOLVE_BENEATH, "inside");
    SAYS(root, "sub/g", RESOLVE_BENEATH, "sub-g");
    SAYS(root, "sub/../f", RESOLVE_BENEATH, "inside");
    SAYS(root, "./sub/./../sub/g", RESOLVE_BENEATH, "sub-g");
    SAYS(root, "sub/up/f", RESOLVE_BENEATH, "inside");
    SAYS(root, "lf", RESOLVE_BENEATH, "inside");
    SAYS(root, "ld/g", RESOLVE_BENEATH, "sub-g");
    SAYS(root, "..", RESOLVE_BENEATH, "EXDEV");
    SAYS(root, "../f", RESOLVE_BENEATH, "EXDEV");
    SAYS(root, "sub/../../f", RESOLVE_BENEATH, "EXDEV");
    SAYS(root, "sub/out/f", RESOLVE_BENEATH, "EXDEV");
    SAYS(root, "sub/abs", RESOLVE_BENEATH, "EXDEV");
    SAYS(root, abs_inner, RESOLVE_BENEATH, "EXDEV"); /* even pointing inside */
    SAYS(root, "/", RESOLVE_BENEATH, "EXDEV");
    SAYS(root, "nothere", RESOLVE_BENEATH, "ENOENT");
    CHECK_OK(chdir("root"));
    SAYS(AT_FDCWD, "sub/g", RESOLVE_BENEATH, "sub-g"); /* the cwd is the limit */
    SAYS(AT_FDCWD, "../f", RESOLVE_BENEATH, "EXDEV");
    CHECK_OK(chdir(fs_scratch));

    /* RESOLVE_IN_ROOT. */
    SAYS(root, "/f", RESOLVE_IN_ROOT, "inside");
    SAYS(root, "../f", RESOLVE_IN_ROOT, "inside");
    SAYS(root, "../../../../f", RESOLVE_IN_ROOT, "inside");
    SAYS(root, "sub/../../f", RESOLVE_IN_ROOT, "inside");
    SAYS(root, "sub/abs", RESOLVE_IN_ROOT, "inside");
    SAYS(root, "sub/out/f", RESOLVE_IN_ROOT, "inside");
    SAYS(root, "abs_sub/g", RESOLVE_IN_ROOT, "sub-g");
    SAYS(root, "/sub/up/sub/g", RESOLVE_IN_ROOT, "sub-g");
    SAYS(root, abs_inner, RESOLVE_IN_ROOT, "ENOENT"); /* no such path below root */
    CHECK_OK(chdir("root"));
    SAYS(AT_FDCWD, "/f", RESOLVE_IN_ROOT, "inside");
    CHECK_OK(chdir(fs_scratch));

    /* RESOLVE_NO_SYMLINKS. */
    SAYS(root, "f", RESOLVE_NO_SYMLINKS, "inside");
    SAYS(root, "sub/../f", RESOLVE_NO_SYMLINKS, "inside");
    SAYS(root, "lf", RESOLVE_NO_SYMLINKS, "ELOOP");
    SAYS(root, "ld/g", RESOLVE_NO_SYMLINKS, "ELOOP");
    SAYS(root, "sub/up/f", RESOLVE_NO_SYMLINKS, "ELOOP");
    int fd = oa2(root, "lf", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
    CHECK(fd >= 0); /* the final symlink is not traversed */
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(close(fd));
    CHECK_ERR(oa2(root, "lf", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS), ELOOP);

    /* RESOLVE_NO_XDEV: all on one filesystem here. */
    SAYS(root, "sub/g", RESOLVE_NO_XDEV, "sub-g");
    SAYS(root, "../f", RESOLVE_NO_XDEV, "outside");
    SAYS(root, "sub/out/f", RESOLVE_NO_XDEV, "outside");
    SAYS(root, "sub/up/f", RESOLVE_NO_MAGICLINKS, "inside"); /* plain symlinks pass */

    /* Combinations. */
    SAYS(root, "sub/up/f", RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, "ELOOP");
    SAYS(root, "../f", RESOLVE_IN_ROOT | RESOLVE_NO_XDEV, "inside");
    SAYS(root, "sub/abs", RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, "ELOOP");

    /* Creation under scoping, with the mode from open_how. */
    umask(022);
    fd = oa2(root, "sub/new", O_WRONLY | O_CREAT | O_EXCL, 0640, RESOLVE_BENEATH);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_mode, S_IFREG | 0640);
    CHECK_OK(close(fd));
    CHECK_ERR(oa2(root, "../new", O_WRONLY | O_CREAT, 0640, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(lstat("new", &st), ENOENT);
    fd = oa2(root, "/../new2", O_WRONLY | O_CREAT, 0600, RESOLVE_IN_ROOT);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_OK(lstat("root/new2", &st));
    CHECK_ERR(lstat("new2", &st), ENOENT);

    CHECK_OK(close(root));
    fs_leave_scratch();
    return check_status();
}
