/* memfd_create: an anonymous regular file (starts empty, grows with ftruncate
 * or writes, reads back, lseek works), MFD_CLOEXEC, a shared mapping coherent
 * with read/write in both directions and shared with a fork'd child; seals:
 * without MFD_ALLOW_SEALING the set is F_SEAL_SEAL and adding is EPERM; with
 * it F_SEAL_SHRINK/GROW/WRITE/FUTURE_WRITE each stop exactly their operation
 * (EPERM), F_SEAL_WRITE is EBUSY while a writable shared mapping exists,
 * F_SEAL_SEAL freezes the set; errors: EINVAL for unknown flags, a name over
 * 249 bytes, unknown seal bits and non-memfd files (but EPERM first for a
 * descriptor not open for writing); EFAULT. */
#include "fs_util.h"
#include <sys/mman.h>

int main(void) {
    char buf[64];
    struct stat st;

    int fd = memfd_create("test", 0);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_RET(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 0);
    CHECK_RET(write(fd, "hello", 5), 5);
    CHECK_OK(ftruncate(fd, 8192));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 8192);
    CHECK_RET(lseek(fd, 0, SEEK_END), 8192);
    CHECK_RET(pread(fd, buf, 6, 0), 6);
    CHECK(memcmp(buf, "hello\0", 6) == 0);
    CHECK_RET(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);

    /* A shared mapping, coherent both ways and across fork. */
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK(memcmp(m, "hello", 5) == 0);
    CHECK_RET(pwrite(fd, "WORLD", 5, 4096), 5);
    CHECK(memcmp(m + 4096, "WORLD", 5) == 0);
    memcpy(m + 100, "mapped", 6);
    CHECK_RET(pread(fd, buf, 6, 100), 6);
    CHECK(memcmp(buf, "mapped", 6) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        memcpy(m + 200, "child", 5);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK_RET(pread(fd, buf, 5, 200), 5);
    CHECK(memcmp(buf, "child", 5) == 0);
    CHECK_OK(munmap(m, 8192));
    CHECK_OK(close(fd));

    fd = memfd_create("cloexec", MFD_CLOEXEC);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(fd));

    /* Seals. */
    fd = memfd_create("sealed", MFD_ALLOW_SEALING);
    CHECK_RET(fcntl(fd, F_GET_SEALS), 0);
    CHECK_OK(ftruncate(fd, 4096));
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    CHECK_RET(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK);
    CHECK_ERR(ftruncate(fd, 100), EPERM);
    CHECK_OK(ftruncate(fd, 8192));
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    CHECK_ERR(ftruncate(fd, 8193), EPERM);
    CHECK_OK(ftruncate(fd, 8192)); /* the same size is fine */
    CHECK_ERR(pwrite(fd, "x", 1, 8192), EPERM); /* writing past the end grows */
    CHECK_RET(pwrite(fd, "x", 1, 8191), 1);
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    CHECK_OK(munmap(m, 4096));
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    CHECK_ERR(write(fd, "x", 1), EPERM);
    CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM);
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
          errno == EPERM);
    void *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(priv != MAP_FAILED); /* private copies are allowed */
    CHECK_OK(munmap(priv, 4096));
    CHECK_RET(pread(fd, buf, 1, 8191), 1);
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
    CHECK_RET(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
    CHECK_OK(close(fd));

    /* F_SEAL_FUTURE_WRITE: existing writable mappings keep working. */
    fd = memfd_create("future", MFD_ALLOW_SEALING);
    CHECK_OK(ftruncate(fd, 4096));
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    CHECK_ERR(write(fd, "x", 1), EPERM);
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
          errno == EPERM);
    memcpy(m, "still", 5);
    CHECK_RET(pread(fd, buf, 5, 0), 5);
    CHECK(memcmp(buf, "still", 5) == 0);
    CHECK_OK(ftruncate(fd, 100)); /* size changes are not covered */
    CHECK_OK(munmap(m, 4096));
    CHECK_OK(close(fd));

    /* Errors. */
    CHECK_ERR(memfd_create("x", 0x100), EINVAL);
    char name[300];
    memset(name, 'n', 249);
    name[249] = 0;
    fd = memfd_create(name, 0);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    name[249] = 'n';
    name[250] = 0;
    CHECK_ERR(memfd_create(name, 0), EINVAL);
    CHECK_ERR(syscall(SYS_memfd_create, (char *)1, 0), EFAULT);
    fd = memfd_create("bits", MFD_ALLOW_SEALING);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);
    CHECK_OK(close(fd));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
    CHECK_ERR(fcntl(p[0], F_ADD_SEALS, F_SEAL_WRITE), EPERM); /* not writable: first */
    CHECK_ERR(fcntl(p[0], F_GET_SEALS), EINVAL);
    close(p[0]);
    close(p[1]);

    return check_status();
}
