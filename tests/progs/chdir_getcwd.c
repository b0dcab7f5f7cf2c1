/* chdir, fchdir and the getcwd syscall: the cwd is the physical path (symlinks
 * resolved), relative lookups use it, the syscall returns the length with the
 * NUL, ERANGE for a buffer too small (also size 0), EFAULT for a bad buffer; a
 * rename of an ancestor shows in getcwd; once the cwd is removed getcwd is
 * ENOENT while "." still stats (nlink 0) and ".." cannot be created in; a
 * forked child's chdir does not move the parent; errors: ENOTDIR for a file
 * (path or descriptor), ENOENT, EBADF, EFAULT, EACCES without search
 * permission (read permission is not needed). */
#include "fs_util.h"

static char want[4096];

static int cwd_is(const char *suffix) {
    char buf[4096];
    snprintf(want, sizeof want, "%s%s", fs_scratch, suffix);
    long n = syscall(SYS_getcwd, buf, sizeof buf);
    return n == (long)strlen(want) + 1 && strcmp(buf, want) == 0;
}

static void unprivileged(void) {
    CHECK_ERR(chdir("nox"), EACCES);
    CHECK_OK(chdir("xonly"));
    CHECK(cwd_is("/xonly"));
}

static void child_moves(void) {
    CHECK_OK(chdir("/"));
}

int main(void) {
    char buf[4096];
    struct stat st;
    fs_enter_scratch();
    CHECK(cwd_is(""));
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("a/b", 0755));
    CHECK_OK(fs_write_file("a/b/f", "in b"));
    CHECK_OK(symlink("a/b", "lb"));

    CHECK_OK(chdir("a/b"));
    CHECK(cwd_is("/a/b"));
    CHECK_RET(fs_read_file("f", buf, sizeof buf), 4);
    CHECK_OK(chdir(".."));
    CHECK(cwd_is("/a"));
    CHECK_OK(chdir(fs_scratch));
    CHECK_OK(chdir("lb"));
    CHECK(cwd_is("/a/b")); /* physical */
    CHECK_OK(chdir("../.."));
    CHECK(cwd_is(""));
    int dfd = open("a", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fchdir(dfd));
    CHECK(cwd_is("/a"));
    CHECK_OK(close(dfd));

    /* Buffer sizes. */
    long len = strlen(fs_scratch) + 3; /* "/a" and the NUL */
    CHECK_RET(syscall(SYS_getcwd, buf, len), len);
    CHECK_ERR(syscall(SYS_getcwd, buf, len - 1), ERANGE);
    CHECK_ERR(syscall(SYS_getcwd, buf, 1L), ERANGE);
    CHECK_ERR(syscall(SYS_getcwd, buf, 0L), ERANGE);
    CHECK_ERR(syscall(SYS_getcwd, (void *)1, 4096L), EFAULT);
    CHECK(getcwd(buf, 2) == NULL && errno == ERANGE);

    /* Renaming an ancestor. */
    CHECK_OK(chdir("b"));
    CHECK_OK(rename("../../a", "../../renamed"));
    CHECK(cwd_is("/renamed/b"));
    CHECK_RET(fs_read_file("f", buf, sizeof buf), 4);
    CHECK_OK(chdir(fs_scratch));

    /* A removed cwd. */
    CHECK_OK(mkdir("gone", 0755));
    CHECK_OK(chdir("gone"));
    CHECK_OK(rmdir("../gone"));
    CHECK_ERR(syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
    CHECK_OK(stat(".", &st));
    CHECK_RET(st.st_nlink, 0);
    CHECK_ERR(open("new", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_OK(stat("..", &st));
    CHECK_OK(chdir(".."));
    CHECK(cwd_is(""));

    /* fork: separate cwds. */
    int status = fs_in_child(child_moves);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(cwd_is(""));

    /* Errors. */
    CHECK_ERR(chdir("renamed/b/f"), ENOTDIR);
    CHECK_ERR(chdir("missing"), ENOENT);
    CHECK_ERR(chdir((char *)1), EFAULT);
    int ffd = open("renamed/b/f", O_RDONLY);
    CHECK_ERR(fchdir(ffd), ENOTDIR);
    CHECK_OK(close(ffd));
    CHECK_ERR(fchdir(99), EBADF);
    CHECK(cwd_is(""));

    /* Permissions. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(mkdir("nox", 0766));
    CHECK_OK(mkdir("xonly", 0711));
    FS_AS_USER(65534, 65534, unprivileged);
    CHECK_OK(chdir("nox")); /* root needs no x bit on a directory */
    CHECK_OK(chdir(fs_scratch));

    fs_leave_scratch();
    return check_status();
}
