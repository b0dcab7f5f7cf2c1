/* fallocate(2) modes every common filesystem has: mode 0 allocates and extends
 * the size (the new range reads as zeros, blocks are counted),
 * FALLOC_FL_KEEP_SIZE allocates without changing the size,
 * FALLOC_FL_PUNCH_HOLE|KEEP_SIZE zeroes a 64 KiB-aligned range in place (a
 * hole SEEK_HOLE finds, fewer blocks); errors in Linux's order: EINVAL for
 * offset < 0 or len <= 0, EOPNOTSUPP for unknown mode bits and for PUNCH_HOLE
 * without KEEP_SIZE, EFBIG when offset+len overflows, EBADF for a read-only
 * descriptor (a directory cannot be opened for writing), ESPIPE for a pipe.
 * (ZERO_RANGE, COLLAPSE_RANGE and INSERT_RANGE are left out: not every
 * filesystem has them.) */
#include "fs_util.h"
#include <limits.h>

#define K64 65536L

int main(void) {
    static char blk[3 * K64], back[3 * K64];
    struct stat st;
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);

    /* Mode 0. */
    CHECK_OK(fallocate(fd, 0, 0, K64));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, K64);
    CHECK(st.st_blocks * 512 >= K64);
    memset(back, 'x', K64);
    CHECK_RET(pread(fd, back, K64, 0), K64);
    CHECK(back[0] == 0 && back[K64 - 1] == 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 0);
    CHECK_OK(fallocate(fd, 0, 0, 10)); /* inside: no change */
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, K64);

    /* KEEP_SIZE. */
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 16 * K64));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, K64);
    CHECK(st.st_blocks * 512 >= 16 * K64);
    CHECK_OK(ftruncate(fd, 0)); /* frees everything */
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_blocks, 0);

    /* Punch a hole in written data. */
    memset(blk, 'd', sizeof blk);
    CHECK_RET(pwrite(fd, blk, sizeof blk, 0), (long)sizeof blk);
    CHECK_OK(fsync(fd));
    struct stat before;
    CHECK_OK(fstat(fd, &before));
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, K64, K64));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 3 * K64);
    CHECK(st.st_blocks < before.st_blocks);
    CHECK_RET(pread(fd, back, sizeof back, 0), (long)sizeof back);
    CHECK(back[K64 - 1] == 'd' && back[K64] == 0 && back[2 * K64 - 1] == 0 &&
          back[2 * K64] == 'd');
    CHECK_RET(lseek(fd, 0, SEEK_HOLE), K64);
    CHECK_RET(lseek(fd, K64, SEEK_DATA), 2 * K64);
    /* Punching past EOF changes nothing visible. */
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 3 * K64, K64));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 3 * K64);

    /* Allocating past EOF extends, leaving a hole before. */
    CHECK_OK(fallocate(fd, 0, 16 * K64, K64));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 17 * K64);
    CHECK_RET(pread(fd, back, 10, 8 * K64), 10);
    CHECK(back[0] == 0 && back[9] == 0);

    /* Errors. */
    CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
    CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERR(fallocate(fd, 0, 0, -5), EINVAL);
    CHECK_ERR(fallocate(fd, 0x1000, 0, 10), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, 0, LLONG_MAX - 10, 100), EFBIG);
    CHECK_ERR(fallocate(99, 0, 0, 10), EBADF);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(fallocate(ro, 0, 0, 10), EBADF);
    CHECK_ERR(fallocate(ro, 0, -1, 10), EINVAL); /* arguments first */
    CHECK_OK(close(ro));
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY);
    CHECK_ERR(fallocate(dfd, 0, 0, 10), EBADF);
    CHECK_OK(close(dfd));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fallocate(p[1], 0, 0, 10), ESPIPE);
    CHECK_ERR(fallocate(p[0], 0, 0, 10), EBADF);
    close(p[0]);
    close(p[1]);
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
