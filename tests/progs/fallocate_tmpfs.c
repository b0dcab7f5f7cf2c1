/* fallocate on tmpfs (a memfd, tmpfs natively too): reserved pages count in
 * st_blocks but read as zeros and seek as holes; reading a sparse file
 * leaves it sparse; ftruncate to the same size frees pages reserved past the
 * end; a hole punched past the end frees them too; tmpfs has no ZERO_RANGE,
 * COLLAPSE_RANGE, INSERT_RANGE or UNSHARE_RANGE (EOPNOTSUPP), and the VFS
 * refuses KEEP_SIZE with COLLAPSE_RANGE or INSERT_RANGE and two operations
 * at once (EOPNOTSUPP) before looking at the descriptor. */
#define _GNU_SOURCE
#include "fs_util.h"
#include <sys/mman.h>

#define K64 65536L

static long blocks(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_blocks : -1;
}

int main(void) {
    char buf[K64];
    int fd = memfd_create("falloc", 0);
    CHECK(fd >= 0);

    /* Reading holes takes no memory. */
    CHECK_OK(ftruncate(fd, 4 * K64));
    CHECK_RET(pread(fd, buf, K64, K64), K64);
    CHECK(buf[0] == 0 && buf[K64 - 1] == 0);
    CHECK_RET(blocks(fd), 0);

    /* Reserved pages count, read as zeros and are holes. */
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 2 * K64));
    CHECK_RET(blocks(fd), 2 * K64 / 512);
    CHECK_RET(pread(fd, buf, 10, 0), 10);
    CHECK(buf[0] == 0 && buf[9] == 0);
    CHECK_ERR(lseek(fd, 0, SEEK_DATA), ENXIO);
    CHECK_RET(lseek(fd, 0, SEEK_HOLE), 0);
    CHECK_RET(pwrite(fd, "x", 1, K64), 1);
    CHECK_RET(lseek(fd, 0, SEEK_DATA), K64);
    CHECK_RET(blocks(fd), 2 * K64 / 512);

    /* Past the end: freed by ftruncate to the same size and by a hole. */
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 4 * K64, 2 * K64));
    CHECK_RET(blocks(fd), 4 * K64 / 512);
    CHECK_OK(ftruncate(fd, 4 * K64));
    CHECK_RET(blocks(fd), 2 * K64 / 512);
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 4 * K64, 2 * K64));
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 5 * K64, K64));
    CHECK_RET(blocks(fd), 3 * K64 / 512);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 4 * K64);
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 8 * K64));
    CHECK_RET(blocks(fd), 0);
    CHECK_RET(pread(fd, buf, 1, K64), 1);
    CHECK(buf[0] == 0);

    /* What tmpfs does not have. */
    CHECK_ERR(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, K64), EOPNOTSUPP);

    /* The VFS's rules, before the descriptor's access mode. */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int ro = open(path, O_RDONLY);
    CHECK(ro >= 0);
    CHECK_ERR(fallocate(ro, 0, 0, K64), EBADF);
    CHECK_ERR(fallocate(ro, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(ro, FALLOC_FL_INSERT_RANGE | FALLOC_FL_KEEP_SIZE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(ro, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0,
                        K64),
              EOPNOTSUPP);
    CHECK_ERR(fallocate(ro, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(ro, 0x1000, 0, K64), EOPNOTSUPP);
    CHECK_ERR(fallocate(ro, FALLOC_FL_COLLAPSE_RANGE, 0, 0), EINVAL);
    close(ro);
    close(fd);
    return check_status();
}
