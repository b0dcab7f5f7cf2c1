/* readahead(2): 0 for a regular file open for reading (any offset, also
 * past EOF; a memfd and a /proc file are regular too); EBADF for a
 * descriptor not open for reading (write-only, O_PATH, a pipe's write
 * end, a closed number); EINVAL for a directory, a character device, a
 * pipe, a socket, an eventfd, and for a count past INT64_MAX. */
#include "fs_util.h"
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>

static long ra(int fd, long off, unsigned long count) {
    return syscall(SYS_readahead, fd, off, count);
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "read me ahead"));
    int f = open("f", O_RDONLY);
    CHECK_RET(ra(f, 0, 4096), 0);
    CHECK_RET(ra(f, -1, 4096), 0);
    CHECK_RET(ra(f, 1L << 40, 4096), 0);
    CHECK_RET(ra(f, 0, 0), 0);
    CHECK_ERR(ra(f, 0, (unsigned long)-1), EINVAL);
    char buf[4];
    CHECK_RET(read(f, buf, 4), 4); /* the offset is not moved */
    CHECK_RET(lseek(f, 0, SEEK_CUR), 4);
    int rw = open("f", O_RDWR);
    CHECK_RET(ra(rw, 0, 10), 0);
    int wo = open("f", O_WRONLY);
    CHECK_ERR(ra(wo, 0, 10), EBADF);
    int op = open("f", O_PATH);
    CHECK_ERR(ra(op, 0, 10), EBADF);
    CHECK_ERR(ra(99, 0, 10), EBADF);
    CHECK_ERR(ra(-1, 0, 10), EBADF);
    int m = memfd_create("ra", 0);
    CHECK_RET(ra(m, 0, 10), 0);
    int pr = open("/proc/self/status", O_RDONLY);
    CHECK_RET(ra(pr, 0, 10), 0);

    int d = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(ra(d, 0, 10), EINVAL);
    int n = open("/dev/null", O_RDONLY);
    CHECK_ERR(ra(n, 0, 10), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(ra(p[0], 0, 10), EINVAL);
    CHECK_ERR(ra(p[1], 0, 10), EBADF);
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_ERR(ra(sv[0], 0, 10), EINVAL);
    int e = eventfd(0, 0);
    CHECK_ERR(ra(e, 0, 10), EINVAL);

    fs_leave_scratch();
    return check_status();
}
