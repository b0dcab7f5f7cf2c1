/* F_SEAL_WRITE against shared mappings: any shared mapping of a memfd open
 * for writing counts, even one mapped or since mprotected read-only, and
 * even a part of one left after munmap or a copy in a forked child; a private
 * mapping does not count; once the last one goes the seal succeeds. After
 * F_SEAL_FUTURE_WRITE a new read-only shared mapping cannot become writable
 * (EACCES) and no writable one can be made (EPERM), while one made before
 * keeps writing. */
#include "fs_util.h"
#include <sys/mman.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = memfd_create("seal", MFD_ALLOW_SEALING);
    CHECK(fd >= 0);
    CHECK_OK(ftruncate(fd, 4 * pg));

    /* Read-only, or made read-only: still counts. */
    char *m = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    CHECK_OK(munmap(m, pg));
    m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK_OK(mprotect(m, 4 * pg, PROT_READ));
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);

    /* A piece left after munmap counts. */
    CHECK_OK(munmap(m, 3 * pg));
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);

    /* So does a forked child's copy. */
    int go[2], ready[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(ready));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    char c;
    CHECK_RET(read(ready[0], &c, 1), 1);
    CHECK_OK(munmap(m + 3 * pg, pg));
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    CHECK_RET(write(go[1], "g", 1), 1);
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* A private mapping does not count. */
    char *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(priv != MAP_FAILED);
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    priv[0] = 'p'; /* still a private copy */
    CHECK_OK(munmap(priv, pg));
    CHECK_RET(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE);
    CHECK_OK(close(fd));

    /* F_SEAL_FUTURE_WRITE. */
    fd = memfd_create("future", MFD_ALLOW_SEALING);
    CHECK_OK(ftruncate(fd, pg));
    char *before = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(before != MAP_FAILED);
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    CHECK(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
          errno == EPERM);
    char *ro = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(ro != MAP_FAILED);
    CHECK_ERR(mprotect(ro, pg, PROT_READ | PROT_WRITE), EACCES);
    before[0] = 'b';
    CHECK_RET(ro[0], 'b');
    CHECK_OK(munmap(ro, pg));
    CHECK_OK(munmap(before, pg));
    CHECK_OK(close(fd));

    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
    return check_status();
}
