/* The umask: umask() returns the previous mask and keeps only 0777; it masks
 * the mode of open(O_CREAT), creat, openat2, mkdir, mknod (FIFO, regular,
 * socket) and mkfifo, but not symlinks, chmod or an existing file opened with
 * O_CREAT; set-id and sticky bits are never masked by it; it is inherited
 * across fork and a child's change stays in the child. */
#include "fs_util.h"
#include <linux/openat2.h>

static int mode(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void child(void) {
    CHECK_RET(umask(0), 027); /* inherited */
    CHECK_OK(mkdir("from_child", 0777));
    CHECK_RET(mode("from_child"), 0777);
}

int main(void) {
    fs_enter_scratch();
    umask(022);
    CHECK_RET(umask(077), 022);
    CHECK_RET(umask(07777), 077);
    CHECK_RET(umask(0), 0777); /* only the permission bits are kept */
    CHECK_RET(umask(0), 0);

    const mode_t masks[] = {0, 022, 027, 0777, 0505};
    for (unsigned i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        mode_t m = masks[i];
        umask(m);
        char name[32];
        printf("umask %04o:\n", m);
        snprintf(name, sizeof name, "open%u", i);
        int fd = open(name, O_WRONLY | O_CREAT, 0666);
        CHECK_RET(mode(name), 0666 & ~m);
        close(fd);
        snprintf(name, sizeof name, "creat%u", i);
        fd = creat(name, 0777);
        CHECK_RET(mode(name), 0777 & ~m);
        close(fd);
        snprintf(name, sizeof name, "oa2_%u", i);
        struct open_how how = {.flags = O_WRONLY | O_CREAT, .mode = 0751};
        fd = syscall(SYS_openat2, AT_FDCWD, name, &how, sizeof how);
        CHECK_RET(mode(name), 0751 & ~m);
        close(fd);
        snprintf(name, sizeof name, "dir%u", i);
        CHECK_OK(mkdir(name, 0777));
        CHECK_RET(mode(name), 0777 & ~m);
        snprintf(name, sizeof name, "fifo%u", i);
        CHECK_OK(mkfifo(name, 0666));
        CHECK_RET(mode(name), 0666 & ~m);
        snprintf(name, sizeof name, "reg%u", i);
        CHECK_OK(mknod(name, S_IFREG | 0644, 0));
        CHECK_RET(mode(name), 0644 & ~m);
        snprintf(name, sizeof name, "sock%u", i);
        CHECK_OK(mknod(name, S_IFSOCK | 0777, 0));
        CHECK_RET(mode(name), 0777 & ~m);
        snprintf(name, sizeof name, "link%u", i);
        CHECK_OK(symlink("x", name));
        CHECK_RET(mode(name), 0777);
    }

    /* Not masked: set-id/sticky bits, chmod, existing files. */
    umask(07777 & 0777);
    int fd = open("suid", O_WRONLY | O_CREAT, 07777);
    CHECK_RET(mode("suid"), 07000);
    CHECK_OK(fchmod(fd, 0777));
    CHECK_RET(mode("suid"), 0777);
    close(fd);
    fd = open("suid", O_WRONLY | O_CREAT, 0);
    CHECK_RET(mode("suid"), 0777);
    close(fd);
    CHECK_OK(mkdir("sticky", 01777));
    CHECK_RET(mode("sticky"), 01000);

    /* fork. */
    umask(027);
    int st = fs_in_child(child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(umask(022), 027);

    fs_leave_scratch();
    return check_status();
}
