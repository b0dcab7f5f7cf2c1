/* Name length limits: a 255-byte component works for every call, 256 is
 * ENAMETOOLONG (also when it would not exist, and for the new name of
 * rename/link/symlink), checked as the walk reaches it (ENOENT for
 * "missing/<256 bytes>"); a path of 4095 bytes works, 4096 is ENAMETOOLONG
 * (PATH_MAX counts the NUL); a symlink target may hold up to 4095 bytes and a
 * too-long component inside one shows up when it is followed; a string running
 * into unmapped memory before its NUL is EFAULT, but ENAMETOOLONG if 4096
 * readable bytes come first; a cwd deeper than PATH_MAX still works for
 * relative paths while the getcwd syscall says ENAMETOOLONG. */
#include "fs_util.h"
#include <sys/mman.h>

int main(void) {
    static char n255[256], n256[257], path[8192], tgt[4200];
    struct stat st;
    fs_enter_scratch();
    memset(n255, 'a', 255);
    memset(n256, 'b', 256);
    CHECK_OK(fs_write_file("f", "x"));

    /* Components. */
    int fd = open(n255, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_OK(stat(n255, &st));
    CHECK_OK(unlink(n255));
    CHECK_OK(mkdir(n255, 0755));
    CHECK_OK(rmdir(n255));
    CHECK_OK(symlink("f", n255));
    CHECK_OK(unlink(n255));
    CHECK_OK(rename("f", n255));
    CHECK_OK(rename(n255, "f"));
    CHECK_ERR(open(n256, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(open(n256, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
    CHECK_ERR(stat(n256, &st), ENAMETOOLONG);
    CHECK_ERR(lstat(n256, &st), ENAMETOOLONG);
    CHECK_ERR(mkdir(n256, 0755), ENAMETOOLONG);
    CHECK_ERR(rmdir(n256), ENAMETOOLONG);
    CHECK_ERR(unlink(n256), ENAMETOOLONG);
    CHECK_ERR(rename("f", n256), ENAMETOOLONG);
    CHECK_ERR(rename(n256, "g"), ENAMETOOLONG);
    CHECK_ERR(link("f", n256), ENAMETOOLONG);
    CHECK_ERR(symlink("f", n256), ENAMETOOLONG);
    CHECK_ERR(mknod(n256, S_IFIFO | 0644, 0), ENAMETOOLONG);
    CHECK_ERR(access(n256, F_OK), ENAMETOOLONG);
    CHECK_ERR(chdir(n256), ENAMETOOLONG);
    snprintf(path, sizeof path, "%s/x", n256); /* in the middle too */
    CHECK_ERR(stat(path, &st), ENAMETOOLONG);
    snprintf(path, sizeof path, "nothere/%s", n256); /* the walk stops first */
    CHECK_ERR(stat(path, &st), ENOENT);
    snprintf(path, sizeof path, "%s/nothere", n255);
    CHECK_ERR(stat(path, &st), ENOENT);

    /* Whole paths: "./" * 2047 + "f" is 4095 bytes. */
    path[0] = 0;
    for (int i = 0; i < 2047; i++)
        strcat(path, "./");
    strcat(path, "f");
    CHECK_RET(strlen(path), 4095);
    CHECK_OK(stat(path, &st));
    fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    strcat(path, "f");
    CHECK_RET(strlen(path), 4096);
    CHECK_ERR(stat(path, &st), ENAMETOOLONG);
    CHECK_ERR(open(path, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(mkdir(path, 0755), ENAMETOOLONG);

    /* Symlink targets. */
    memset(tgt, 'c', 4095);
    tgt[4095] = 0;
    CHECK_OK(symlink(tgt, "long_target"));
    CHECK_OK(lstat("long_target", &st));
    CHECK_RET(st.st_size, 4095);
    CHECK_RET(readlink("long_target", path, sizeof path), 4095);
    CHECK_ERR(stat("long_target", &st), ENAMETOOLONG); /* a 4095-byte component */
    tgt[4095] = 'c';
    tgt[4096] = 0;
    CHECK_ERR(symlink(tgt, "too_long_target"), ENAMETOOLONG);
    snprintf(tgt, sizeof tgt, "%s/x", n256);
    CHECK_OK(symlink(tgt, "bad_component"));
    CHECK_ERR(stat("bad_component", &st), ENAMETOOLONG);

    /* A name running into unmapped memory. */
    char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pg != MAP_FAILED);
    CHECK_OK(munmap(pg + 4096, 4096));
    memset(pg, 'd', 4096);
    CHECK_ERR(stat(pg + 100, &st), EFAULT);
    CHECK_ERR(stat(pg, &st), ENAMETOOLONG); /* 4096 bytes without a NUL */
    CHECK_OK(munmap(pg, 4096));

    /* A cwd deeper than PATH_MAX: 17 levels of 255-byte names. */
    int depth = 0;
    for (; depth < 17; depth++)
        if (mkdir(n255, 0755) != 0 || chdir(n255) != 0)
            break;
    CHECK_RET(depth, 17);
    CHECK_OK(fs_write_file("deep", "deep"));
    CHECK_RET(fs_read_file("deep", tgt, sizeof tgt), 4);
    CHECK_OK(stat("..", &st));
    CHECK_ERR(syscall(SYS_getcwd, path, sizeof path), ENAMETOOLONG);
    CHECK_OK(chdir(fs_scratch));

    fs_leave_scratch();
    return check_status();
}
