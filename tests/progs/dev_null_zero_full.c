/* The memory character devices: /dev/null (reads EOF, swallows writes of any
 * size, lseek always answers 0), /dev/zero (reads zeros, accepts writes, a
 * private mapping is zero-filled and writable, a shared one too), /dev/full
 * (writes ENOSPC, reads zeros), /dev/urandom (reads of any size, two 64-byte
 * reads differ); fstat shows character devices 1:3, 1:5, 1:7, 1:9;
 * pread/pwrite work on them; O_DIRECTORY is ENOTDIR, O_CREAT on an existing
 * device just opens it, and nothing is truncated. */
#include "fs_util.h"
#include <sys/mman.h>
#include <sys/sysmacros.h>

static int dev_is(int fd, unsigned maj, unsigned min) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj &&
           minor(st.st_rdev) == min;
}

int main(void) {
    static char buf[1 << 16], buf2[64];

    int null = open("/dev/null", O_RDWR);
    CHECK(null >= 0);
    CHECK(dev_is(null, 1, 3));
    CHECK_RET(read(null, buf, sizeof buf), 0);
    CHECK_RET(write(null, buf, sizeof buf), (long)sizeof buf);
    CHECK_RET(write(null, buf, 0), 0);
    CHECK_RET(pwrite(null, buf, 10, 12345), 10);
    CHECK_RET(pread(null, buf, 10, 0), 0);
    CHECK_RET(lseek(null, 1000, SEEK_SET), 0);
    CHECK_RET(lseek(null, 0, SEEK_CUR), 0);
    CHECK_RET(lseek(null, -5, SEEK_END), 0);
    CHECK_ERR(open("/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR);
    int again = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(again >= 0 && dev_is(again, 1, 3));
    close(again);
    close(null);

    int zero = open("/dev/zero", O_RDWR);
    CHECK(dev_is(zero, 1, 5));
    memset(buf, 'x', sizeof buf);
    CHECK_RET(read(zero, buf, sizeof buf), (long)sizeof buf);
    int zeros = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i])
            zeros = 0;
    CHECK(zeros);
    CHECK_RET(write(zero, "abc", 3), 3);
    CHECK_RET(pread(zero, buf, 16, 999), 16);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
    CHECK(m != MAP_FAILED);
    CHECK(m[0] == 0 && m[8191] == 0);
    m[5] = 'w';
    CHECK_OK(munmap(m, 8192));
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
    CHECK(m != MAP_FAILED);
    CHECK(m[100] == 0);
    m[100] = 's';
    CHECK_OK(munmap(m, 4096));
    close(zero);

    int full = open("/dev/full", O_RDWR);
    CHECK(dev_is(full, 1, 7));
    CHECK_ERR(write(full, "x", 1), ENOSPC);
    CHECK_ERR(write(full, buf, sizeof buf), ENOSPC);
    memset(buf2, 'x', sizeof buf2);
    CHECK_RET(read(full, buf2, sizeof buf2), (long)sizeof buf2);
    CHECK(buf2[0] == 0 && buf2[63] == 0);
    close(full);

    int ur = open("/dev/urandom", O_RDONLY);
    CHECK(dev_is(ur, 1, 9));
    CHECK_RET(read(ur, buf, sizeof buf), (long)sizeof buf);
    CHECK_RET(read(ur, buf2, sizeof buf2), (long)sizeof buf2);
    CHECK(memcmp(buf, buf2, sizeof buf2) != 0);
    CHECK_RET(read(ur, buf, 0), 0);
    close(ur);

    return check_status();
}
