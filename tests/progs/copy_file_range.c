/* copy_file_range between regular files on one filesystem: with NULL offsets
 * both file positions are used and advanced, with pointers the pointers
 * advance and positions stay; copying past the destination's end extends it (a
 * hole before reads zeros); short at the source's EOF, 0 past it and for len
 * 0; within one file non-overlapping ranges work and overlapping ones are
 * EINVAL; errors: EINVAL for flags, negative offsets (EOVERFLOW when offset +
 * len wraps to 0) and a pipe, EBADF for a source not open for reading, a
 * destination not open for writing or O_APPEND, EISDIR for a directory,
 * EFAULT. */
#include "fs_util.h"

static long cfr(int in, loff_t *oi, int out, loff_t *oo, size_t len, unsigned flags) {
    return syscall(SYS_copy_file_range, in, oi, out, oo, len, flags);
}

int main(void) {
    char buf[64];
    struct stat st;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("src", "0123456789ABCDEF"));
    int in = open("src", O_RDONLY);
    int out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);

    /* Positions. */
    CHECK_RET(lseek(in, 2, SEEK_SET), 2);
    CHECK_RET(cfr(in, NULL, out, NULL, 4, 0), 4);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 6);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 4);
    CHECK_RET(pread(out, buf, sizeof buf, 0), 4);
    CHECK(memcmp(buf, "2345", 4) == 0);

    /* Offset pointers. */
    loff_t oi = 10, oo = 8;
    CHECK_RET(cfr(in, &oi, out, &oo, 3, 0), 3);
    CHECK(oi == 13 && oo == 11);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 6);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 4);
    CHECK_OK(fstat(out, &st));
    CHECK_RET(st.st_size, 11);
    CHECK_RET(pread(out, buf, sizeof buf, 0), 11);
    CHECK(memcmp(buf, "2345\0\0\0\0ABC", 11) == 0);
    oi = 0;
    CHECK_RET(cfr(in, &oi, out, NULL, 2, 0), 2); /* mixed */
    CHECK(oi == 2);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 6);

    /* EOF and zero. */
    oi = 14;
    CHECK_RET(cfr(in, &oi, out, &oo, 100, 0), 2);
    CHECK_RET(oi, 16);
    CHECK_RET(cfr(in, &oi, out, &oo, 100, 0), 0);
    oi = 500;
    CHECK_RET(cfr(in, &oi, out, &oo, 100, 0), 0);
    CHECK_RET(cfr(in, NULL, out, NULL, 0, 0), 0);

    /* One file. */
    int rw = open("src", O_RDWR);
    oi = 0;
    oo = 8;
    CHECK_RET(cfr(rw, &oi, rw, &oo, 4, 0), 4);
    CHECK_RET(pread(rw, buf, 16, 0), 16);
    CHECK(memcmp(buf, "012345670123CDEF", 16) == 0);
    oi = 0;
    oo = 2;
    CHECK_ERR(cfr(rw, &oi, rw, &oo, 4, 0), EINVAL);
    oi = 4;
    oo = 0;
    CHECK_ERR(cfr(rw, &oi, rw, &oo, 8, 0), EINVAL);
    close(rw);

    /* Errors. */
    CHECK_ERR(cfr(in, NULL, out, NULL, 1, 1), EINVAL);
    oi = -100;
    CHECK_ERR(cfr(in, &oi, out, NULL, 1, 0), EINVAL);
    /* -1 + 1 wraps to 0 in the kernel's unsigned "offsets don't wrap"
     * check, which comes first: EOVERFLOW, not EINVAL. */
    oi = -1;
    CHECK_ERR(cfr(in, &oi, out, NULL, 1, 0), EOVERFLOW);
    oo = -5;
    CHECK_ERR(cfr(in, NULL, out, &oo, 1, 0), EINVAL);
    CHECK_ERR(cfr(in, (loff_t *)1, out, NULL, 1, 0), EFAULT);
    int wo = open("src", O_WRONLY), ro = open("dst", O_RDONLY);
    int ap = open("dst", O_WRONLY | O_APPEND);
    CHECK_ERR(cfr(wo, NULL, out, NULL, 1, 0), EBADF);
    CHECK_ERR(cfr(in, NULL, ro, NULL, 1, 0), EBADF);
    CHECK_ERR(cfr(in, NULL, ap, NULL, 1, 0), EBADF);
    CHECK_ERR(cfr(99, NULL, out, NULL, 1, 0), EBADF);
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY);
    CHECK_ERR(cfr(dfd, NULL, out, NULL, 1, 0), EISDIR);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_ERR(cfr(p[0], NULL, out, NULL, 1, 0), EINVAL);
    CHECK_ERR(cfr(in, NULL, p[1], NULL, 1, 0), EINVAL);
    close(p[0]);
    close(p[1]);
    close(dfd);
    close(wo);
    close(ro);
    close(ap);
    close(in);
    close(out);

    fs_leave_scratch();
    return check_status();
}
