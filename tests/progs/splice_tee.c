/* splice and tee: a file to a pipe to another file, with offset pointers
 * (advanced; the file positions untouched) or without (the positions move);
 * short at EOF, 0 past it and for a zero length; tee copies between pipes
 * without consuming, only what is buffered; SPLICE_F_NONBLOCK on an empty pipe
 * is EAGAIN; errors: EINVAL when neither side is a pipe, for the same pipe on
 * both sides, for unknown flags and an O_APPEND output; ESPIPE for an offset
 * on a pipe side; EBADF for the wrong access modes; EINVAL for tee between
 * non-pipes; EFAULT for a bad offset pointer. */
#include "fs_util.h"

int main(void) {
    char buf[64];
    fs_enter_scratch();
    CHECK_OK(fs_write_file("src", "The quick brown fox"));
    int in = open("src", O_RDONLY);
    int out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));

    /* File -> pipe -> file with offset pointers. */
    loff_t off_in = 4, off_out = 2;
    CHECK_RET(splice(in, &off_in, p[1], NULL, 5, 0), 5);
    CHECK_RET(off_in, 9);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 0);
    CHECK_RET(splice(p[0], NULL, out, &off_out, 5, 0), 5);
    CHECK_RET(off_out, 7);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 0);
    CHECK_RET(pread(out, buf, sizeof buf, 0), 7);
    CHECK(memcmp(buf, "\0\0quick", 7) == 0);

    /* Without offsets the positions move. */
    CHECK_RET(lseek(in, 10, SEEK_SET), 10);
    CHECK_RET(splice(in, NULL, p[1], NULL, 5, 0), 5);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 15);
    CHECK_RET(lseek(out, 7, SEEK_SET), 7);
    CHECK_RET(splice(p[0], NULL, out, NULL, 100, 0), 5); /* what the pipe holds */
    CHECK_RET(lseek(out, 0, SEEK_CUR), 12);
    CHECK_RET(pread(out, buf, sizeof buf, 7), 5);
    CHECK(memcmp(buf, "brown", 5) == 0);

    /* EOF and zero lengths. */
    off_in = 16;
    CHECK_RET(splice(in, &off_in, p[1], NULL, 100, 0), 3);
    CHECK_RET(read(p[0], buf, sizeof buf), 3);
    CHECK_RET(splice(in, &off_in, p[1], NULL, 100, 0), 0);
    CHECK_RET(splice(in, NULL, p[1], NULL, 0, 0), 0);

    /* Non-blocking on an empty pipe. */
    CHECK_ERR(splice(p[0], NULL, out, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);

    /* tee: duplicate without consuming. */
    CHECK_RET(write(p[1], "teedata", 7), 7);
    CHECK_RET(tee(p[0], q[1], 100, 0), 7);
    CHECK_RET(read(q[0], buf, sizeof buf), 7);
    CHECK_RET(tee(p[0], q[1], 3, 0), 3);
    CHECK_RET(read(q[0], buf, sizeof buf), 3);
    CHECK(memcmp(buf, "tee", 3) == 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 7); /* still all there */
    CHECK(memcmp(buf, "teedata", 7) == 0);
    CHECK_ERR(tee(p[0], q[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_RET(tee(p[0], q[1], 0, 0), 0);

    /* Pipe to pipe. */
    CHECK_RET(write(p[1], "pp", 2), 2);
    CHECK_RET(splice(p[0], NULL, q[1], NULL, 10, 0), 2);
    CHECK_RET(read(q[0], buf, sizeof buf), 2);

    /* Errors. */
    CHECK_ERR(splice(in, NULL, out, NULL, 5, 0), EINVAL);
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_ERR(splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR(splice(in, NULL, p[1], NULL, 1, 0x100), EINVAL);
    loff_t o = 0;
    CHECK_ERR(splice(p[0], &o, out, NULL, 1, 0), ESPIPE);
    CHECK_ERR(splice(in, NULL, p[1], &o, 1, 0), ESPIPE);
    o = -1;
    CHECK_ERR(splice(in, &o, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR(splice(in, (loff_t *)1, p[1], NULL, 1, 0), EFAULT);
    int ap = open("dst", O_WRONLY | O_APPEND);
    CHECK_ERR(splice(p[0], NULL, ap, NULL, 1, 0), EINVAL);
    int wo = open("src", O_WRONLY), ro = open("dst", O_RDONLY);
    CHECK_ERR(splice(wo, NULL, p[1], NULL, 1, 0), EBADF);
    CHECK_ERR(splice(p[0], NULL, ro, NULL, 1, 0), EBADF);
    CHECK_ERR(splice(p[1], NULL, out, NULL, 1, 0), EBADF); /* the write end */
    CHECK_ERR(splice(99, NULL, p[1], NULL, 1, 0), EBADF);
    CHECK_ERR(tee(in, q[1], 1, 0), EINVAL);
    CHECK_ERR(tee(p[0], out, 1, 0), EINVAL);
    CHECK_ERR(tee(p[0], p[1], 1, 0), EINVAL);
    CHECK_ERR(tee(p[0], q[1], 1, 0x100), EINVAL);
    CHECK_RET(read(p[0], buf, sizeof buf), 1); /* the byte is still there */
    close(ap);
    close(wo);
    close(ro);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    close(in);
    close(out);

    fs_leave_scratch();
    return check_status();
}
