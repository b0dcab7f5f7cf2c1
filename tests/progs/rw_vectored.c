/* readv/writev/preadv/pwritev/preadv2/pwritev2 on regular files: scatter and
 * gather across iovecs (empty ones skipped, even with a bad base), the
 * positional forms leave the offset alone, offset -1 in the v2 forms means
 * "use and advance the file offset" (also on a pipe), RWF_APPEND appends
 * without moving the offset, RWF_SYNC/RWF_DSYNC/RWF_HIPRI accepted; a bad
 * second iovec gives a short write of the first; errors: EINVAL for iovcnt < 0
 * or > 1024, an iov_len over SSIZE_MAX, negative offsets (and -1 for preadv),
 * EOPNOTSUPP for unknown RWF flags, EFAULT, EBADF, ESPIPE. */
#include "fs_util.h"
#include <limits.h>
#include <sys/uio.h>

int main(void) {
    char a[4], b[8], c[16];
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);

    /* Gather and scatter. */
    struct iovec w[4] = {{"abc", 3}, {(void *)1, 0}, {"defgh", 5}, {"ij", 2}};
    CHECK_RET(writev(fd, w, 4), 10);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    struct iovec r[3] = {{a, 4}, {b, 0}, {c, 16}};
    memset(c, 0, sizeof c);
    CHECK_RET(readv(fd, r, 3), 10);
    CHECK(memcmp(a, "abcd", 4) == 0 && strcmp(c, "efghij") == 0);
    CHECK_RET(readv(fd, r, 3), 0);
    CHECK_RET(writev(fd, w, 0), 0);
    CHECK_RET(readv(fd, r, 0), 0);

    /* Positional forms. */
    CHECK_RET(lseek(fd, 2, SEEK_SET), 2);
    struct iovec w1[2] = {{"XY", 2}, {"Z", 1}};
    CHECK_RET(pwritev(fd, w1, 2, 4), 3);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 2);
    struct iovec r1[2] = {{a, 2}, {b, 3}};
    CHECK_RET(preadv(fd, r1, 2, 3), 5);
    CHECK(memcmp(a, "dX", 2) == 0 && memcmp(b, "YZh", 3) == 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 2);
    CHECK_RET(preadv(fd, r1, 2, 100), 0);

    /* v2: offset -1 uses the file offset. */
    CHECK_RET(preadv2(fd, r1, 2, -1, 0), 5);
    CHECK(memcmp(a, "cd", 2) == 0 && memcmp(b, "XYZ", 3) == 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 7);
    CHECK_RET(pwritev2(fd, w1, 2, -1, 0), 3);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_RET(preadv2(fd, r1, 2, 0, 0), 5);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_RET(pwritev2(fd, w1, 2, 0, RWF_APPEND), 3); /* at EOF, not 0 */
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 10);
    memset(c, 0, sizeof c);
    struct iovec rc = {c, 16};
    CHECK_RET(preadv2(fd, &rc, 1, 0, 0), 13);
    CHECK(strcmp(c, "abcdXYZXYZXYZ") == 0);
    CHECK_RET(pwritev2(fd, w1, 1, -1, RWF_APPEND), 2); /* and with -1 the offset moves */
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 15);
    CHECK_RET(pwritev2(fd, w1, 1, 0, RWF_SYNC), 2);
    CHECK_RET(pwritev2(fd, w1, 1, 0, RWF_DSYNC), 2);
    CHECK_RET(preadv2(fd, r1, 1, 0, RWF_HIPRI), 2);

    /* A bad iovec after a good one: a short write of the good part. */
    struct iovec wb[2] = {{"good", 4}, {(void *)1, 4}};
    CHECK_RET(pwritev(fd, wb, 2, 100), 4);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 104);
    CHECK_ERR(pwritev(fd, wb + 1, 1, 200), EFAULT);
    struct iovec rb[1] = {{(void *)1, 4}};
    CHECK_ERR(preadv(fd, rb, 1, 0), EFAULT);
    CHECK_ERR(syscall(SYS_readv, fd, (void *)1, 1), EFAULT);
    CHECK_ERR(syscall(SYS_writev, fd, (void *)1, 1), EFAULT);

    /* Counts and lengths. */
    static struct iovec many[1025];
    for (int i = 0; i < 1025; i++)
        many[i] = (struct iovec){c, 1};
    CHECK_RET(pwritev(fd, many, 1024, 0), 1024);
    CHECK_ERR(pwritev(fd, many, 1025, 0), EINVAL);
    CHECK_ERR(readv(fd, many, 1025), EINVAL);
    CHECK_ERR(syscall(SYS_readv, fd, r, -1), EINVAL);
    struct iovec huge[1] = {{c, (size_t)SSIZE_MAX + 1}};
    CHECK_ERR(readv(fd, huge, 1), EINVAL);
    struct iovec two_big[2] = {{c, SSIZE_MAX}, {c, SSIZE_MAX}};
    CHECK_ERR(writev(fd, two_big, 2), EFAULT); /* each fits; the memory does not */

    /* Offsets and flags. */
    CHECK_ERR(preadv(fd, r1, 2, -1), EINVAL);
    CHECK_ERR(pwritev(fd, w1, 2, -1), EINVAL);
    CHECK_ERR(preadv2(fd, r1, 2, -2, 0), EINVAL);
    CHECK_ERR(pwritev2(fd, w1, 2, -5, 0), EINVAL);
    CHECK_ERR(preadv2(fd, r1, 2, 0, 1 << 30), EOPNOTSUPP);
    CHECK_ERR(pwritev2(fd, w1, 2, 0, 1 << 30), EOPNOTSUPP);

    /* Descriptors. */
    CHECK_ERR(readv(99, r, 1), EBADF);
    CHECK_ERR(preadv2(99, r, 1, -1, 0), EBADF);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(writev(ro, w, 1), EBADF);
    CHECK_ERR(pwritev2(ro, w, 1, -1, 0), EBADF);
    CHECK_OK(close(ro));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(pwritev(p[1], w1, 2, 0), ESPIPE);
    CHECK_RET(pwritev2(p[1], w1, 2, -1, 0), 3); /* -1 works on a pipe */
    CHECK_RET(preadv2(p[0], r1, 2, -1, 0), 3);
    CHECK_ERR(preadv2(p[0], r1, 2, 0, 0), ESPIPE);
    close(p[0]);
    close(p[1]);
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY);
    CHECK_ERR(readv(dfd, r, 1), EISDIR);
    CHECK_OK(close(dfd));
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
