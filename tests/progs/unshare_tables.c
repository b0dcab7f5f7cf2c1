/* unshare(2) of what a process can really stop sharing: a descriptor table
 * and an fs context shared with another process (clone with CLONE_FILES /
 * CLONE_FS) become private copies; CLONE_SYSVSEM applies the process's
 * semaphore adjustments. CLONE_THREAD, CLONE_SIGHAND and CLONE_VM are
 * accepted only when nothing shares them (EINVAL with a second thread).
 * Unknown flags are EINVAL; new namespaces need CAP_SYS_ADMIN (EPERM). */
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sem.h>
#include <sys/wait.h>

static long raw_clone(unsigned long flags) {
    return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

static int ready[2], go[2];

static void wait_for(int fd) {
    char c;
    if (read(fd, &c, 1) != 1)
        _exit(80);
}

static void tell(int fd) {
    if (write(fd, "x", 1) != 1)
        _exit(81);
}

static void files(void) {
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(go));
    long c = raw_clone(CLONE_FILES);
    if (c == 0) {
        /* Nothing printed here: the parent prints meanwhile. */
        int a = open("/dev/null", O_RDONLY);
        if (a != 60 && dup2(a, 60) != 60)
            _exit(82);
        if (unshare(CLONE_FILES) != 0)
            _exit(87);
        if (dup2(a, 61) != 61)
            _exit(83);
        tell(ready[1]);
        wait_for(go[0]);
        /* Closing ours leaves the parent's. */
        _exit(close(60) == 0 ? check_status() : 84);
    }
    wait_for(ready[0]);
    CHECK(c > 0);
    CHECK_OK(fcntl(60, F_GETFD)); /* made while shared */
    CHECK_ERR(fcntl(61, F_GETFD), EBADF);
    tell(go[1]);
    int st;
    CHECK_RET(waitpid((pid_t)c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(fcntl(60, F_GETFD));
    close(60);
}

static void fs(void) {
    char here[256], there[256];
    CHECK(getcwd(here, sizeof here) != NULL);
    long c = raw_clone(CLONE_FS);
    if (c == 0) {
        if (chdir("/") < 0)
            _exit(85);
        tell(ready[1]);
        wait_for(go[0]);
        CHECK_OK(unshare(CLONE_FS));
        if (chdir("/proc") < 0)
            _exit(86);
        tell(ready[1]);
        wait_for(go[0]);
        _exit(check_status());
    }
    wait_for(ready[0]);
    CHECK(getcwd(there, sizeof there) != NULL);
    printf("cwd after the sharer's chdir: %s\n", there);
    tell(go[1]);
    wait_for(ready[0]);
    CHECK(getcwd(there, sizeof there) != NULL);
    printf("cwd after the unsharer's chdir: %s\n", there);
    tell(go[1]);
    int st;
    CHECK_RET(waitpid((pid_t)c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK(chdir(here));
}

static void semaphores(void) {
    int id = semget(IPC_PRIVATE, 1, 0600);
    CHECK(id >= 0);
    pid_t c = fork();
    if (c == 0) {
        struct sembuf up = {0, 3, SEM_UNDO};
        CHECK_OK(semop(id, &up, 1));
        CHECK_RET(semctl(id, 0, GETVAL), 3);
        CHECK_OK(unshare(CLONE_SYSVSEM));
        CHECK_RET(semctl(id, 0, GETVAL), 0);
        _exit(check_status());
    }
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(semctl(id, 0, GETVAL), 0);
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

static volatile int stop;

static void *spin(void *arg) {
    (void)arg;
    while (!stop)
        usleep(1000);
    return NULL;
}

int main(void) {
    CHECK_OK(unshare(0));
    CHECK_OK(unshare(CLONE_FILES | CLONE_FS | CLONE_SYSVSEM));
    /* Alone, nothing is shared: these are fine. */
    CHECK_OK(unshare(CLONE_THREAD));
    CHECK_OK(unshare(CLONE_SIGHAND));
    CHECK_OK(unshare(CLONE_VM));
    CHECK_ERR(unshare(CLONE_PARENT), EINVAL);
    CHECK_ERR(unshare(CLONE_SETTLS), EINVAL);
    CHECK_ERR(unshare(1), EINVAL);
    files();
    fs();
    semaphores();

    /* With a second thread. */
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, spin, NULL), 0);
    CHECK_ERR(unshare(CLONE_THREAD), EINVAL);
    CHECK_ERR(unshare(CLONE_SIGHAND), EINVAL);
    CHECK_ERR(unshare(CLONE_VM), EINVAL);
    CHECK_OK(unshare(CLONE_FILES));
    CHECK_OK(unshare(CLONE_FS));
    stop = 1;
    pthread_join(th, NULL);

    /* Namespaces, unprivileged. */
    pid_t c = fork();
    if (c == 0) {
        if (setgid(4246) < 0 || setuid(4246) < 0)
            _exit(99);
        CHECK_ERR(unshare(CLONE_NEWNS), EPERM);
        CHECK_ERR(unshare(CLONE_NEWUTS), EPERM);
        CHECK_ERR(unshare(CLONE_NEWIPC), EPERM);
        CHECK_ERR(unshare(CLONE_NEWNET), EPERM);
        CHECK_ERR(unshare(CLONE_NEWPID), EPERM);
        CHECK_ERR(unshare(CLONE_NEWUTS | CLONE_FILES), EPERM);
        _exit(check_status());
    }
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return check_status();
}
