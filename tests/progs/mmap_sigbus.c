/* SIGBUS past the end of a mapped file: the signal carries BUS_ADRERR and
 * the touched address; a protection fault comes first (a store to a
 * read-only page past the end is SIGSEGV); a private page already copied on
 * write goes too when the file shrinks under it; a shrink reaches a forked
 * child's mapping; a page the file grows over by write() shows the written
 * bytes; mremap growing a mapping past the end faults the same way; the
 * kernel's own accesses to such a page (write() from it, read() into it) are
 * EFAULT. */
#include "fs_util.h"
#include "fault_util.h"
#include <sys/mman.h>

static volatile int last_code;
static void *volatile last_addr;

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    last_code = si->si_code;
    last_addr = si->si_addr;
    siglongjmp(fault_jb, sig);
}

int main(void) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK_OK(ftruncate(fd, 10));

    /* The signal's details. */
    char *s = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    CHECK_RET(probe(s + 2 * pg + 7), -SIGBUS);
    CHECK(last_code == BUS_ADRERR);
    CHECK(last_addr == s + 2 * pg + 7);
    CHECK_RET(poke(s + pg, 'x'), -SIGBUS);
    CHECK(last_addr == s + pg);

    /* The kernel's accesses fail instead. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(write(p[1], s + pg, 1), EFAULT);
    CHECK_RET(write(p[1], "z", 1), 1);
    CHECK_ERR(read(p[0], s + pg, 1), EFAULT);
    CHECK_RET(write(p[1], s, 1), 1); /* the last page is fine */
    char two[2];
    CHECK_RET(read(p[0], two, 2), 2);
    close(p[0]);
    close(p[1]);

    /* Growing with write() brings the page in with the bytes. */
    CHECK_RET(pwrite(fd, "grown", 5, pg + 3), 5);
    CHECK_RET(probe(s + pg + 3), 'g');
    CHECK_RET(probe(s + pg + 7), 'n');
    CHECK_RET(probe(s + 2 * pg), -SIGBUS);
    CHECK_OK(munmap(s, 3 * pg));

    /* Read-only: the protection fault comes first. */
    s = mmap(NULL, 4 * pg, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    CHECK_RET(probe(s + 3 * pg), -SIGBUS);
    CHECK_RET(poke(s + 3 * pg, 'x'), -SIGSEGV);
    CHECK(last_code == SEGV_ACCERR);
    CHECK_OK(munmap(s, 4 * pg));

    /* A private copy goes when the file shrinks under it. */
    CHECK_OK(ftruncate(fd, 2 * pg));
    char *q = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(q != MAP_FAILED);
    CHECK_RET(poke(q + pg, 'P'), 0);
    CHECK_RET(poke(q, 'Q'), 0);
    CHECK_RET(probe(q + pg), 'P');
    CHECK_OK(ftruncate(fd, 100));
    CHECK_RET(probe(q + pg), -SIGBUS);
    CHECK_RET(probe(q), 'Q'); /* below the end the copy stays */
    CHECK_OK(ftruncate(fd, 2 * pg));
    CHECK_RET(probe(q + pg), 0); /* back, from the file */
    CHECK_OK(munmap(q, 2 * pg));

    /* mremap past the end. */
    s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    s = mremap(s, pg, 4 * pg, MREMAP_MAYMOVE);
    CHECK(s != MAP_FAILED);
    CHECK_RET(probe(s + pg), 0);
    CHECK_RET(probe(s + 2 * pg), -SIGBUS);
    CHECK_RET(probe(s + 3 * pg + 1), -SIGBUS);

    /* A forked child's mapping loses the page too. */
    int go[2], ready[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(ready));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (probe(s + pg) != 0 || write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        _exit(probe(s + pg) == -SIGBUS ? 0 : 2);
    }
    char c;
    CHECK_RET(read(ready[0], &c, 1), 1);
    CHECK_OK(ftruncate(fd, pg));
    CHECK_RET(write(go[1], "g", 1), 1);
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK(munmap(s, 4 * pg));
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
    close(fd);

    fs_leave_scratch();
    return check_status();
}
