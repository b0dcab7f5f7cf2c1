/* sendfile(2) from regular files: to another file and to a pipe; with an
 * offset pointer the pointer advances and the input's file position stays,
 * with NULL the position is used and advanced; the output's position advances
 * either way; short counts at EOF and 0 at or past EOF, count 0; a full
 * non-blocking pipe gives EAGAIN; errors: EBADF for an input not open for
 * reading or an output not open for writing, EINVAL for an O_APPEND output and
 * for a negative offset, EFAULT for a bad offset pointer, EBADF for closed
 * descriptors. */
#include "fs_util.h"
#include <sys/sendfile.h>

int main(void) {
    char buf[64];
    fs_enter_scratch();
    CHECK_OK(fs_write_file("src", "0123456789abcdef"));
    int in = open("src", O_RDONLY);
    int out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);

    /* NULL offset: the input position is used and moved. */
    CHECK_RET(lseek(in, 4, SEEK_SET), 4);
    CHECK_RET(sendfile(out, in, NULL, 6), 6);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 10);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 6);
    CHECK_RET(pread(out, buf, sizeof buf, 0), 6);
    CHECK(memcmp(buf, "456789", 6) == 0);

    /* An offset pointer: it moves, the input position does not. */
    off_t off = 0;
    CHECK_RET(sendfile(out, in, &off, 3), 3);
    CHECK_RET(off, 3);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 10);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 9);
    CHECK_RET(pread(out, buf, sizeof buf, 0), 9);
    CHECK(memcmp(buf, "456789012", 9) == 0);

    /* EOF. */
    off = 12;
    CHECK_RET(sendfile(out, in, &off, 100), 4); /* short */
    CHECK_RET(off, 16);
    CHECK_RET(sendfile(out, in, &off, 100), 0);
    off = 1000;
    CHECK_RET(sendfile(out, in, &off, 100), 0);
    CHECK_RET(off, 1000);
    CHECK_RET(sendfile(out, in, NULL, 0), 0);

    /* To a pipe. */
    int p[2];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    off = 10;
    CHECK_RET(sendfile(p[1], in, &off, 6), 6);
    CHECK_RET(read(p[0], buf, sizeof buf), 6);
    CHECK(memcmp(buf, "abcdef", 6) == 0);
    static char big[1 << 20];
    memset(big, 'B', sizeof big);
    int bfd = open("big", O_RDWR | O_CREAT, 0644);
    CHECK_RET(write(bfd, big, sizeof big), (long)sizeof big);
    off = 0;
    long total = 0, r;
    while ((r = sendfile(p[1], bfd, &off, sizeof big)) > 0)
        total += r;
    CHECK(r == -1 && errno == EAGAIN);
    CHECK(total > 0 && total < (long)sizeof big && off == total);
    close(bfd);

    /* Errors. */
    int wo = open("src", O_WRONLY), ro = open("dst", O_RDONLY);
    int ap = open("dst", O_WRONLY | O_APPEND);
    CHECK_ERR(sendfile(out, wo, NULL, 1), EBADF);
    CHECK_ERR(sendfile(ro, in, NULL, 1), EBADF);
    CHECK_ERR(sendfile(ap, in, NULL, 1), EINVAL);
    off = -1;
    CHECK_ERR(sendfile(out, in, &off, 1), EINVAL);
    CHECK_ERR(sendfile(out, in, (off_t *)1, 1), EFAULT);
    CHECK_ERR(sendfile(out, 99, NULL, 1), EBADF);
    CHECK_ERR(sendfile(99, in, NULL, 1), EBADF);
    close(wo);
    close(ro);
    close(ap);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);

    fs_leave_scratch();
    return check_status();
}
