/* openat2(2) argument checking, stricter than openat: the size (below 24
 * EINVAL; larger than the struct is fine if the tail is zero, E2BIG if not,
 * E2BIG past a page), unknown flag bits, a mode without O_CREAT, mode bits
 * outside 07777, unknown resolve bits, RESOLVE_BENEATH together with
 * RESOLVE_IN_ROOT, O_PATH with flags it does not allow: all EINVAL; EFAULT for
 * bad pointers; EBADF/ENOTDIR for dirfd. A valid call behaves like openat
 * (flags, O_CLOEXEC). */
#include "fs_util.h"
#include <linux/openat2.h>

static long oa2(int dirfd, const char *path, void *how, size_t size) {
    return syscall(SYS_openat2, dirfd, path, how, size);
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "data"));
    struct open_how how = {.flags = O_RDONLY};
    struct {
        struct open_how how;
        unsigned char tail[16];
    } big;
    memset(&big, 0, sizeof big);
    static unsigned char page_plus[8192];

    /* A valid call. */
    long fd = oa2(AT_FDCWD, "f", &how, sizeof how);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    close(fd);
    how.flags = O_RDONLY | O_CLOEXEC;
    fd = oa2(AT_FDCWD, "f", &how, sizeof how);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);

    /* Sizes. */
    how.flags = O_RDONLY;
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, 0), EINVAL);
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, 16), EINVAL);
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how - 1), EINVAL);
    big.how.flags = O_RDONLY;
    fd = oa2(AT_FDCWD, "f", &big, sizeof big); /* zero tail: accepted */
    CHECK(fd >= 0);
    close(fd);
    big.tail[7] = 1;
    CHECK_ERR(oa2(AT_FDCWD, "f", &big, sizeof big), E2BIG);
    CHECK_ERR(oa2(AT_FDCWD, "f", page_plus, 4097), E2BIG);
    CHECK_ERR(oa2(AT_FDCWD, "f", page_plus, sizeof page_plus), E2BIG);

    /* Flags. */
    how = (struct open_how){.flags = O_RDONLY | 0x40000000};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = 1ULL << 40};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_RDONLY, .mode = 0644};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_WRONLY | O_CREAT, .mode = 010000};
    CHECK_ERR(oa2(AT_FDCWD, "g", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_WRONLY | O_CREAT, .mode = S_IFREG | 0644};
    CHECK_ERR(oa2(AT_FDCWD, "g", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_PATH | O_RDWR};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_PATH | O_APPEND};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY};
    fd = oa2(AT_FDCWD, ".", &how, sizeof how);
    CHECK(fd >= 0);
    close(fd);
    struct stat st;
    CHECK_ERR(lstat("g", &st), ENOENT);
    /* openat(2) itself accepts what openat2 rejects. */
    fd = syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | 0x40000000, 0644);
    CHECK(fd >= 0);
    close(fd);

    /* Resolve bits. */
    how = (struct open_how){.flags = O_RDONLY, .resolve = 0x40};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_RDONLY, .resolve = 1ULL << 63};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_RDONLY, .resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT};
    CHECK_ERR(oa2(AT_FDCWD, "f", &how, sizeof how), EINVAL);

    /* Pointers and descriptors. */
    how = (struct open_how){.flags = O_RDONLY};
    CHECK_ERR(oa2(AT_FDCWD, "f", NULL, sizeof how), EFAULT);
    CHECK_ERR(oa2(AT_FDCWD, "f", (void *)1, sizeof how), EFAULT);
    CHECK_ERR(oa2(AT_FDCWD, (char *)1, &how, sizeof how), EFAULT);
    CHECK_ERR(oa2(AT_FDCWD, "", &how, sizeof how), ENOENT);
    CHECK_ERR(oa2(AT_FDCWD, "nothere", &how, sizeof how), ENOENT);
    CHECK_ERR(oa2(99, "f", &how, sizeof how), EBADF);
    int ffd = open("f", O_RDONLY);
    CHECK_ERR(oa2(ffd, "f", &how, sizeof how), ENOTDIR);
    close(ffd);

    fs_leave_scratch();
    return check_status();
}
