/* process_vm_readv/process_vm_writev and pidfd_getfd between a parent and
 * its child. The remote and local vectors are consumed in order; a remote
 * page that cannot be reached (unmapped, or read-only for a write) ends
 * the transfer: the bytes moved so far, or EFAULT if none. Nothing to move
 * is 0 before the pid is even looked at. EINVAL for flags and more than
 * UIO_MAXIOV vectors, ESRCH for no such pid, EPERM without ptrace access
 * (an unprivileged process and a root one). pidfd_getfd: a close-on-exec
 * duplicate of the target's descriptor; EINVAL for flags, EBADF for a
 * descriptor the target does not have or a non-pidfd, ESRCH once the
 * target has exited; EPERM without ptrace access. */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define PG 4096

static char shared_text[64];
static char *two_pages; /* [rw page][unmapped] in the child */
static char *ro_page;

static long pidfd_open(pid_t p) { return syscall(SYS_pidfd_open, p, 0); }
static long pidfd_getfd(int pidfd, int fd, unsigned flags) {
    return syscall(SYS_pidfd_getfd, pidfd, fd, flags);
}

int main(void) {
    two_pages = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ro_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(two_pages != MAP_FAILED && ro_page != MAP_FAILED);
    CHECK_OK(munmap(two_pages + PG, PG));
    int ready[2], go[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(go));
    pid_t child = fork();
    if (child == 0) {
        strcpy(shared_text, "child-data:0123456789");
        memset(two_pages, 'c', PG);
        /* A descriptor for the parent to take. */
        int p[2];
        if (pipe(p) < 0 || dup2(p[1], 50) < 0)
            _exit(90);
        write(ready[1], "r", 1);
        char c;
        read(go[0], &c, 1);
        if (strcmp(shared_text, "PARENT-WROTE123456789") != 0)
            _exit(91);
        char got[8] = "";
        if (read(p[0], got, 7) != 7 || memcmp(got, "through", 7) != 0)
            _exit(92);
        _exit(0);
    }
    char c;
    CHECK_RET(read(ready[0], &c, 1), 1);

    /* Reading: one remote vector into two local ones. */
    char a[6] = "", b[16] = "";
    struct iovec local[2] = {{a, 5}, {b, 6}};
    struct iovec remote[1] = {{shared_text, 11}};
    CHECK_RET(process_vm_readv(child, local, 2, remote, 1, 0), 11);
    printf("read: '%s' '%s'\n", a, b);
    /* Two remote vectors into one local. */
    char both[32] = "";
    struct iovec l1 = {both, sizeof both - 1};
    struct iovec r2[2] = {{shared_text + 11, 4}, {shared_text, 5}};
    CHECK_RET(process_vm_readv(child, &l1, 1, r2, 2, 0), 9);
    printf("read: '%s'\n", both);
    /* The local side shorter than the remote: as much as fits. */
    struct iovec small = {a, 3};
    CHECK_RET(process_vm_readv(child, &small, 1, remote, 1, 0), 3);

    /* Partial: up to the unmapped page, then stop. */
    char *big = malloc(3 * PG);
    struct iovec lbig = {big, 3 * PG};
    struct iovec span = {two_pages + PG - 10, 100};
    CHECK_RET(process_vm_readv(child, &lbig, 1, &span, 1, 0), 10);
    struct iovec r3[2] = {{two_pages, 16}, {two_pages + PG, 16}};
    CHECK_RET(process_vm_readv(child, &lbig, 1, r3, 2, 0), 16);
    struct iovec hole = {two_pages + PG, 16};
    CHECK_ERR(process_vm_readv(child, &lbig, 1, &hole, 1, 0), EFAULT);
    struct iovec badlocal = {(void *)8, 16};
    CHECK_ERR(process_vm_readv(child, &badlocal, 1, remote, 1, 0), EFAULT);
    CHECK_ERR(process_vm_readv(child, &lbig, 1, (struct iovec *)8, 1, 0), EFAULT);

    /* Nothing to move. */
    struct iovec none = {a, 0};
    CHECK_RET(process_vm_readv(999999, &none, 1, remote, 1, 0), 0);
    struct iovec rnone = {shared_text, 0};
    CHECK_RET(process_vm_readv(999999, local, 2, &rnone, 1, 0), 0);
    CHECK_RET(process_vm_readv(child, local, 0, remote, 1, 0), 0);

    /* Errors. */
    CHECK_ERR(process_vm_readv(child, local, 2, remote, 1, 1), EINVAL);
    CHECK_ERR(process_vm_readv(child, local, 1025, remote, 1, 0), EINVAL);
    CHECK_ERR(process_vm_readv(child, local, 2, remote, 1025, 0), EINVAL);
    CHECK_ERR(process_vm_readv(999999, local, 2, remote, 1, 0), ESRCH);

    /* Writing, then a read-only remote page. */
    char text[] = "PARENT-WROTE";
    struct iovec lw = {text, 12};
    struct iovec rw = {shared_text, 12};
    CHECK_RET(process_vm_writev(child, &lw, 1, &rw, 1, 0), 12);
    struct iovec ro = {ro_page, 4};
    CHECK_ERR(process_vm_writev(child, &lw, 1, &ro, 1, 0), EFAULT);
    CHECK_RET(process_vm_readv(child, &lw, 1, &ro, 1, 0), 4);

    /* pidfd_getfd. */
    int pfd = (int)pidfd_open(child);
    CHECK(pfd >= 0);
    int fd = (int)pidfd_getfd(pfd, 50, 0);
    CHECK(fd >= 0);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_RET(write(fd, "through", 7), 7);
    close(fd);
    CHECK_ERR(pidfd_getfd(pfd, 50, 1), EINVAL);
    CHECK_ERR(pidfd_getfd(pfd, 77, 0), EBADF);
    CHECK_ERR(pidfd_getfd(0, 50, 0), EBADF);
    CHECK_ERR(pidfd_getfd(99, 50, 0), EBADF);
    /* Its own process. */
    int me = (int)pidfd_open(getpid());
    fd = (int)pidfd_getfd(me, 1, 0);
    CHECK(fd >= 0);
    close(fd);

    CHECK_RET(write(go[1], "g", 1), 1);
    /* Exited but not reaped: gone for both calls. */
    siginfo_t si;
    CHECK_OK(waitid(P_PID, child, &si, WEXITED | WNOWAIT));
    CHECK_RET(si.si_status, 0);
    CHECK_ERR(pidfd_getfd(pfd, 50, 0), ESRCH);
    CHECK_ERR(process_vm_readv(child, local, 2, remote, 1, 0), ESRCH);
    int st;
    CHECK_RET(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_ERR(pidfd_getfd(pfd, 50, 0), ESRCH);

    /* Without ptrace access: an unprivileged child and its root parent. */
    pid_t parent = getpid();
    pid_t u = fork();
    if (u == 0) {
        if (setgid(4245) < 0 || setuid(4245) < 0)
            _exit(99);
        char x[4];
        struct iovec lx = {x, 4}, rx = {shared_text, 4};
        CHECK_ERR(process_vm_readv(parent, &lx, 1, &rx, 1, 0), EPERM);
        CHECK_ERR(process_vm_writev(parent, &lx, 1, &rx, 1, 0), EPERM);
        CHECK_ERR(pidfd_getfd(me, 1, 0), EPERM);
        /* Its own memory is fine. */
        CHECK_RET(process_vm_readv(getpid(), &lx, 1, &rx, 1, 0), 4);
        _exit(check_status());
    }
    CHECK_RET(waitpid(u, &st, 0), u);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return check_status();
}
