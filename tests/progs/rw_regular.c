/* read, write, pread64 and pwrite64 on regular files: data round trips, reads
 * at and past EOF return 0, short reads at EOF, writes past EOF leave a hole
 * that reads as zeros, positional I/O leaves the offset alone, zero counts, a
 * buffer that is only partly mapped gives a short transfer while an entirely
 * bad one is EFAULT, RLIMIT_FSIZE (EFBIG with SIGXFSZ ignored, short write at
 * the limit); errors: EBADF for the wrong access mode, EISDIR for a directory,
 * EINVAL for negative or overflowing offsets, EFAULT for a count beyond the
 * address space, ESPIPE on a pipe. */
#include "fs_util.h"
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdint.h>
#include <sys/resource.h>

static void fsize_limit(void) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {1000, 1000};
    CHECK_OK(setrlimit(RLIMIT_FSIZE, &rl));
    int fd = open("limited", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_RET(pwrite(fd, "abcd", 4, 998), 2); /* up to the limit */
    CHECK_ERR(pwrite(fd, "x", 1, 1000), EFBIG);
    CHECK_ERR(pwrite(fd, "x", 1, 5000), EFBIG);
    CHECK_RET(pwrite(fd, "y", 1, 10), 1); /* below the limit still fine */
    CHECK_ERR(ftruncate(fd, 1001), EFBIG);
    CHECK_OK(ftruncate(fd, 1000));
    close(fd);
}

static void fsize_signal(void) {
    struct rlimit rl = {10, 10}, nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    setrlimit(RLIMIT_FSIZE, &rl);
    int fd = open("limited", O_RDWR);
    pwrite(fd, "x", 1, 20); /* SIGXFSZ's default action: core dump */
    _exit(0);
}

int main(void) {
    static char big[1 << 16], back[1 << 16];
    char buf[64];
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK(fd >= 0);

    /* Round trip and EOF. */
    CHECK_RET(write(fd, "hello world", 11), 11);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 11);
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    CHECK_RET(lseek(fd, 6, SEEK_SET), 6);
    CHECK_RET(read(fd, buf, sizeof buf), 5); /* short at EOF */
    CHECK(memcmp(buf, "world", 5) == 0);
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    CHECK_RET(lseek(fd, 100, SEEK_SET), 100);
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    CHECK_RET(read(fd, buf, 0), 0);
    CHECK_RET(write(fd, buf, 0), 0); /* a zero write does not extend */
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 11);

    /* Writing past EOF leaves a hole of zeros. */
    CHECK_RET(write(fd, "Z", 1), 1);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 101);
    CHECK_RET(pread(fd, buf, 20, 8), 20);
    CHECK(memcmp(buf, "rld\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20) == 0);
    CHECK_RET(pread(fd, buf, sizeof buf, 99), 2);
    CHECK(buf[0] == 0 && buf[1] == 'Z');

    /* Positional I/O leaves the offset alone. */
    CHECK_RET(lseek(fd, 3, SEEK_SET), 3);
    CHECK_RET(pwrite(fd, "HELLO", 5, 0), 5);
    CHECK_RET(pread(fd, buf, 5, 0), 5);
    CHECK(memcmp(buf, "HELLO", 5) == 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 3);
    CHECK_RET(pread(fd, buf, 5, 1000), 0);
    CHECK_RET(pread(fd, buf, 1, LLONG_MAX - 1), 0);
    CHECK_RET(pwrite(fd, "", 0, 5000), 0);
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 101);

    /* A larger transfer. */
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + i / 251);
    CHECK_RET(pwrite(fd, big, sizeof big, 4096), (long)sizeof big);
    CHECK_RET(pread(fd, back, sizeof back, 4096), (long)sizeof back);
    CHECK(memcmp(big, back, sizeof big) == 0);

    /* Bad and partly bad buffers. */
    CHECK_ERR(syscall(SYS_read, fd, (void *)1, 10L), EFAULT);
    CHECK_ERR(syscall(SYS_write, fd, (void *)1, 10L), EFAULT);
    CHECK_ERR(syscall(SYS_pread64, fd, (void *)1, 10L, 0L), EFAULT);
    CHECK_ERR(syscall(SYS_read, fd, buf, SIZE_MAX), EFAULT);
    CHECK_ERR(syscall(SYS_write, fd, buf, SIZE_MAX), EFAULT);
    char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_OK(munmap(pg + 4096, 4096));
    CHECK_RET(pread(fd, pg + 4096 - 100, 1000, 4096), 100);
    CHECK(memcmp(pg + 4096 - 100, big, 100) == 0);
    memset(pg + 4096 - 50, 'Q', 50);
    CHECK_RET(pwrite(fd, pg + 4096 - 50, 1000, 0), 50);
    CHECK_RET(pread(fd, buf, 51, 0), 51);
    CHECK(buf[0] == 'Q' && buf[49] == 'Q' && buf[50] == 0);
    CHECK_OK(munmap(pg, 4096));

    /* Offsets. */
    CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
    CHECK_ERR(pwrite(fd, buf, 1, -1), EINVAL);
    CHECK_ERR(pread(fd, buf, 1, LLONG_MIN), EINVAL);
    CHECK_ERR(pread(fd, buf, 2, LLONG_MAX), EINVAL);
    CHECK_ERR(pwrite(fd, buf, 1, LLONG_MAX), EINVAL);
    CHECK_OK(close(fd));

    /* Access modes, directories, pipes, closed descriptors. */
    fd = open("f", O_RDONLY);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_ERR(pwrite(fd, "x", 1, 0), EBADF);
    CHECK_OK(close(fd));
    fd = open("f", O_WRONLY);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_ERR(pread(fd, buf, 1, 0), EBADF);
    CHECK_OK(close(fd));
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_ERR(write(-1, buf, 1), EBADF);
    CHECK_OK(mkdir("d", 0755));
    fd = open("d", O_RDONLY);
    CHECK_ERR(read(fd, buf, 1), EISDIR);
    CHECK_ERR(pread(fd, buf, 1, 0), EISDIR);
    CHECK_ERR(read(fd, buf, 0), EISDIR);
    CHECK_OK(close(fd));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(pwrite(p[1], "x", 1, 0), ESPIPE);
    CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    close(p[0]);
    close(p[1]);

    /* RLIMIT_FSIZE. */
    int status = fs_in_child(fsize_limit);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    status = fs_in_child(fsize_signal);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
    CHECK_OK(stat("limited", &st));
    CHECK_RET(st.st_size, 1000);

    fs_leave_scratch();
    return check_status();
}
