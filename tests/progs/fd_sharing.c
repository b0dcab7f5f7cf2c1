/* What descriptors share: dup, dup2, dup3, F_DUPFD and fork'd copies share one
 * open file description (the offset, status flags set with F_SETFL such as
 * O_APPEND and O_NONBLOCK) but not FD_CLOEXEC, which belongs to the
 * descriptor; two open() calls on one file are independent descriptions
 * (separate offsets, their writes overwrite each other, O_APPEND on one only).
 * Offsets advanced in a child are seen by the parent. */
#include "fs_util.h"

static int fd_global;

static void child_reads(void) {
    char b[4];
    CHECK_RET(read(fd_global, b, 3), 3); /* moves the shared offset */
    CHECK_RET(write(fd_global, "C", 1), 1);
}

int main(void) {
    char buf[64];
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK_RET(write(fd, "0123456789", 10), 10);

    /* dup: one offset. */
    int d1 = dup(fd);
    CHECK_RET(lseek(fd, 2, SEEK_SET), 2);
    CHECK_RET(lseek(d1, 0, SEEK_CUR), 2);
    CHECK_RET(read(d1, buf, 3), 3);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 5);
    int d2 = dup2(fd, 20);
    CHECK_RET(d2, 20);
    int d3 = dup3(fd, 21, O_CLOEXEC);
    CHECK_RET(d3, 21);
    int d4 = fcntl(fd, F_DUPFD, 30);
    CHECK(d4 >= 30);
    int d5 = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    CHECK_RET(write(d2, "ab", 2), 2);
    CHECK_RET(lseek(d3, 0, SEEK_CUR), 7);
    CHECK_RET(lseek(d4, 0, SEEK_CUR), 7);
    CHECK_RET(lseek(d5, 0, SEEK_CUR), 7);

    /* Status flags are shared, FD_CLOEXEC is not. */
    CHECK_OK(fcntl(d1, F_SETFL, O_APPEND | O_NONBLOCK));
    CHECK_RET(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
    CHECK_RET(fcntl(d3, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK_RET(write(d4, "E", 1), 1); /* appended through any of them */
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 11);
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    CHECK_RET(fcntl(d1, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_RET(fcntl(d1, F_GETFD), 0);
    CHECK_RET(fcntl(d3, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(d5, F_GETFD), FD_CLOEXEC);
    CHECK_OK(fcntl(d1, F_SETFD, FD_CLOEXEC));
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_RET(fcntl(d1, F_GETFD), FD_CLOEXEC);
    int d6 = dup(d3); /* a dup never inherits FD_CLOEXEC */
    CHECK_RET(fcntl(d6, F_GETFD), 0);
    CHECK_RET(dup2(d3, 22), 22);
    CHECK_RET(fcntl(22, F_GETFD), 0);
    /* Closing one leaves the description open for the others. */
    CHECK_OK(close(fd));
    CHECK_RET(pread(d6, buf, 3, 0), 3);
    CHECK(memcmp(buf, "012", 3) == 0);
    fd = d6;

    /* fork: the child's reads and writes move the parent's offset. */
    CHECK_RET(lseek(fd, 1, SEEK_SET), 1);
    fd_global = fd;
    int st = fs_in_child(child_reads);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 5);
    CHECK_RET(pread(fd, buf, 6, 0), 6);
    CHECK(memcmp(buf, "0123Ca", 6) == 0);

    /* Two opens: independent offsets and flags. */
    int a = open("f", O_RDWR);
    int b = open("f", O_RDWR);
    CHECK_RET(lseek(a, 4, SEEK_SET), 4);
    CHECK_RET(lseek(b, 0, SEEK_CUR), 0);
    CHECK_RET(write(b, "xy", 2), 2);
    CHECK_RET(write(a, "PQ", 2), 2);
    CHECK_RET(write(b, "zw", 2), 2); /* b continues at 2, overwriting nothing of a's */
    CHECK_RET(pread(a, buf, 6, 0), 6);
    CHECK(memcmp(buf, "xyzwPQ", 6) == 0);
    CHECK_OK(fcntl(a, F_SETFL, O_APPEND));
    CHECK_RET(fcntl(b, F_GETFL) & O_APPEND, 0);
    CHECK_RET(write(b, "!", 1), 1);
    CHECK_RET(lseek(b, 0, SEEK_CUR), 5);
    struct stat sa, sb;
    CHECK_OK(fstat(a, &sa));
    CHECK_OK(fstat(b, &sb));
    CHECK(sa.st_ino == sb.st_ino);
    CHECK_OK(close(a));
    CHECK_OK(close(b));

    close(d1);
    close(d2);
    close(d3);
    close(d4);
    close(d5);
    close(d6);
    close(22);
    fs_leave_scratch();
    return check_status();
}
