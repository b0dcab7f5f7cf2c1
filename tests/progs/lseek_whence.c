/* lseek on regular files: SEEK_SET/SEEK_CUR/SEEK_END, seeking past EOF is
 * allowed and a read there returns 0 while a write extends the file; negative
 * results and unknown whence values are EINVAL; SEEK_DATA and SEEK_HOLE over a
 * file with 64 KiB data extents around a hole and a trailing hole (EOF is a
 * hole; ENXIO at or past EOF, for a negative offset, and on an empty file);
 * directories accept SEEK_SET 0 and SEEK_CUR 0; ESPIPE on a pipe, EBADF. */
#include "fs_util.h"
#include <limits.h>

#define K64 65536L
#define M1 (1L << 20)

int main(void) {
    static char blk[K64];
    char buf[8];
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK_RET(write(fd, "0123456789", 10), 10);

    CHECK_RET(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_RET(lseek(fd, 3, SEEK_SET), 3);
    CHECK_RET(lseek(fd, 2, SEEK_CUR), 5);
    CHECK_RET(lseek(fd, -1, SEEK_CUR), 4);
    CHECK_RET(lseek(fd, 0, SEEK_END), 10);
    CHECK_RET(lseek(fd, -10, SEEK_END), 0);
    CHECK_RET(lseek(fd, 5, SEEK_END), 15);
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 15);
    CHECK_RET(lseek(fd, 1L << 40, SEEK_SET), 1L << 40);
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    CHECK_RET(lseek(fd, 20, SEEK_SET), 20);
    CHECK_RET(write(fd, "X", 1), 1);
    CHECK_RET(lseek(fd, 0, SEEK_END), 21);

    /* Errors; a failed seek leaves the offset alone. */
    CHECK_RET(lseek(fd, 7, SEEK_SET), 7);
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, -8, SEEK_CUR), EINVAL);
    CHECK_ERR(lseek(fd, -22, SEEK_END), EINVAL);
    CHECK_ERR(lseek(fd, LLONG_MIN, SEEK_END), EINVAL);
    CHECK_ERR(lseek(fd, 0, 5), EINVAL);
    CHECK_ERR(lseek(fd, 0, -1), EINVAL);
    CHECK_ERR(lseek(fd, 0, 100), EINVAL);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 7);
    CHECK_ERR(lseek(99, 0, SEEK_SET), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(lseek(p[1], 0, SEEK_SET), ESPIPE);
    close(p[0]);
    close(p[1]);
    CHECK_OK(close(fd));

    /* SEEK_DATA / SEEK_HOLE: data [0,64K), hole, data [1M,1M+64K), then a
     * trailing hole up to 2M. */
    fd = open("sparse", O_RDWR | O_CREAT, 0644);
    CHECK_ERR(lseek(fd, 0, SEEK_DATA), ENXIO); /* empty */
    CHECK_ERR(lseek(fd, 0, SEEK_HOLE), ENXIO);
    memset(blk, 'd', sizeof blk);
    CHECK_RET(pwrite(fd, blk, K64, 0), K64);
    CHECK_RET(pwrite(fd, blk, K64, M1), K64);
    CHECK_OK(fsync(fd));
    CHECK_RET(lseek(fd, 0, SEEK_DATA), 0);
    CHECK_RET(lseek(fd, 100, SEEK_DATA), 100);
    CHECK_RET(lseek(fd, 0, SEEK_HOLE), K64);
    CHECK_RET(lseek(fd, K64 - 1, SEEK_HOLE), K64);
    CHECK_RET(lseek(fd, K64, SEEK_HOLE), K64);
    CHECK_RET(lseek(fd, K64, SEEK_DATA), M1);
    CHECK_RET(lseek(fd, M1 - 1, SEEK_DATA), M1);
    CHECK_RET(lseek(fd, M1, SEEK_HOLE), M1 + K64); /* EOF */
    CHECK_RET(lseek(fd, M1 + K64 - 1, SEEK_DATA), M1 + K64 - 1);
    CHECK_ERR(lseek(fd, M1 + K64, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, M1 + K64, SEEK_HOLE), ENXIO);
    CHECK_ERR(lseek(fd, 1L << 30, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, -1, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, -1, SEEK_HOLE), ENXIO);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), M1 + K64 - 1); /* the last success */
    CHECK_OK(ftruncate(fd, 2 * M1));
    CHECK_RET(lseek(fd, M1, SEEK_HOLE), M1 + K64);
    CHECK_ERR(lseek(fd, M1 + K64, SEEK_DATA), ENXIO);
    CHECK_RET(lseek(fd, M1 + K64, SEEK_HOLE), M1 + K64);
    CHECK_RET(lseek(fd, 2 * M1 - 1, SEEK_HOLE), 2 * M1 - 1);
    CHECK_ERR(lseek(fd, 2 * M1, SEEK_HOLE), ENXIO);
    CHECK_OK(close(fd));

    /* Directories. */
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_RET(lseek(dfd, 0, SEEK_SET), 0);
    CHECK_RET(lseek(dfd, 0, SEEK_CUR), 0);
    CHECK_OK(close(dfd));

    fs_leave_scratch();
    return check_status();
}
