/* mmap of regular files: MAP_SHARED stores reach the file (read, after munmap,
 * after close and unlink of the descriptor's name) and file writes reach the
 * mapping; MAP_PRIVATE stores stay private (copy on write); the tail of the
 * last page past EOF reads zeros and is never written back; touching a page
 * wholly past EOF is SIGBUS (also after a shrinking ftruncate) until the file
 * grows again; msync flags; O_APPEND does not prevent PROT_WRITE|MAP_SHARED;
 * errors: EACCES for PROT_WRITE|MAP_SHARED on a read-only descriptor, for any
 * mapping of a write-only descriptor and for an mprotect to PROT_WRITE of such
 * a mapping; ENODEV for a directory or pipe; EINVAL for an unaligned offset or
 * zero length; EBADF. */
#include "fs_util.h"
#include "fault_util.h"
#include <sys/mman.h>
#include <sys/resource.h>

static void on_sigbus(int sig) { siglongjmp(fault_jb, sig); }

int main(void) {
    char buf[64];
    struct stat st;
    struct sigaction sa = {.sa_handler = on_sigbus};
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK_OK(ftruncate(fd, 2 * pg));
    CHECK_RET(pwrite(fd, "original", 8, 0), 8);

    /* MAP_SHARED. */
    char *s = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    CHECK(memcmp(s, "original", 8) == 0);
    memcpy(s + pg, "shared!", 7);
    CHECK_RET(pread(fd, buf, 7, pg), 7);
    CHECK(memcmp(buf, "shared!", 7) == 0);
    CHECK_RET(pwrite(fd, "FILE", 4, 100), 4);
    CHECK(memcmp(s + 100, "FILE", 4) == 0);
    CHECK_OK(msync(s, 2 * pg, MS_SYNC));
    CHECK_OK(msync(s, pg, MS_ASYNC));
    CHECK_OK(msync(s, pg, MS_INVALIDATE));
    CHECK_ERR(msync(s, pg, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERR(msync(s + 1, pg, MS_SYNC), EINVAL);
    CHECK_ERR(msync(s, pg, 0x100), EINVAL);

    /* MAP_PRIVATE. */
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED);
    CHECK(memcmp(p, "original", 8) == 0);
    memcpy(p, "private!", 8);
    CHECK_RET(pread(fd, buf, 8, 0), 8);
    CHECK(memcmp(buf, "original", 8) == 0);
    CHECK(memcmp(s, "original", 8) == 0);
    CHECK_RET(pwrite(fd, "changed!", 8, 0), 8);
    CHECK(memcmp(p, "private!", 8) == 0); /* the copied page is ours */
    CHECK(memcmp(s, "changed!", 8) == 0);
    CHECK_OK(munmap(p, 2 * pg));

    /* The mapping outlives the descriptor and the name. */
    CHECK_OK(close(fd));
    CHECK_OK(unlink("f"));
    memcpy(s + 8, "+after", 6);
    CHECK(memcmp(s, "changed!+after", 14) == 0);
    CHECK_OK(munmap(s, 2 * pg));

    /* Past EOF: a 100-byte file mapped over two pages. */
    fd = open("g", O_RDWR | O_CREAT, 0644);
    CHECK_RET(write(fd, "0123456789", 10), 10);
    CHECK_OK(ftruncate(fd, 100));
    s = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    CHECK_RET(probe(s + 99), 0);
    CHECK_RET(probe(s + 100), 0); /* the rest of the page reads zeros */
    CHECK_RET(poke(s + 200, 'T'), 0);
    CHECK_RET(probe(s + pg), -SIGBUS);
    CHECK_RET(poke(s + pg, 'x'), -SIGBUS);
    CHECK_OK(msync(s, pg, MS_SYNC));
    CHECK_OK(fstat(fd, &st));
    CHECK_RET(st.st_size, 100); /* the tail store is not file data */
    CHECK_OK(ftruncate(fd, pg + 1)); /* grow: the second page appears */
    CHECK_RET(probe(s + pg), 0);
    CHECK_OK(ftruncate(fd, 10)); /* shrink: both pages' beyond-EOF parts go */
    CHECK_RET(probe(s + 5), '5');
    CHECK_RET(probe(s + pg), -SIGBUS);
    CHECK_RET(probe(s + 50), 0);
    /* Without a handler SIGBUS kills: a child touches the missing page. */
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit nocore = {0, 0};
        setrlimit(RLIMIT_CORE, &nocore);
        signal(SIGBUS, SIG_DFL);
        volatile char c = s[pg];
        (void)c;
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
    CHECK_OK(munmap(s, 2 * pg));

    /* A fresh read-only private mapping beyond EOF faults the same way. */
    s = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(s != MAP_FAILED);
    CHECK_RET(probe(s + pg + 1), -SIGBUS);
    CHECK_RET(poke(s, 'x'), -SIGSEGV); /* PROT_READ */
    CHECK_OK(munmap(s, 2 * pg));
    CHECK_OK(close(fd));

    /* Access-mode errors. */
    int ro = open("g", O_RDONLY), wo = open("g", O_WRONLY), ap = open("g", O_RDWR | O_APPEND);
    CHECK(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
          errno == EACCES);
    s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    CHECK(s != MAP_FAILED);
    CHECK_OK(munmap(s, pg));
    s = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
    CHECK(s != MAP_FAILED);
    CHECK_ERR(mprotect(s, pg, PROT_READ | PROT_WRITE), EACCES);
    CHECK_OK(munmap(s, pg));
    CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED && errno == EACCES);
    CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED && errno == EACCES);
    /* O_APPEND does not stop a writable shared mapping (only the inode's
     * append-only attribute does). */
    s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
    CHECK(s != MAP_FAILED);
    CHECK_OK(munmap(s, pg));

    /* Other errors. */
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY);
    CHECK(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, dfd, 0) == MAP_FAILED && errno == ENODEV);
    int pp[2];
    CHECK_OK(pipe(pp));
    CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, pp[0], 0) == MAP_FAILED && errno == ENODEV);
    CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 1) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, pg / 2) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(NULL, 0, PROT_READ, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, 99, 0) == MAP_FAILED && errno == EBADF);
    close(pp[0]);
    close(pp[1]);
    close(dfd);
    close(ro);
    close(wo);
    close(ap);

    fs_leave_scratch();
    return check_status();
}
