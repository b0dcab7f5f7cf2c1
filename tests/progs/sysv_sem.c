/* System V semaphores: semop's all-or-nothing operations, blocking between
 * processes (GETNCNT, GETZCNT while a child waits), semtimedop's timeout,
 * SEM_UNDO undone at exit, EIDRM to a waiter when the set goes, SETVAL,
 * SETALL, GETALL, GETPID, and the errors. Keys come from the pid and every
 * set is removed, since the native runs share the host's IPC namespace. */
#include "check.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

static void sleep_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (up to ~5 s) until `cmd` of semaphore `num` reads `want`. */
static int wait_count(int id, int num, int cmd, int want) {
    for (int i = 0; i < 500; i++) {
        if (semctl(id, num, cmd) == want)
            return 1;
        sleep_ms(10);
    }
    return 0;
}

int main(void) {
    key_t key = 0x5e100000 | getpid();
    int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    CHECK_ERR(semget(key, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_RET(semget(key, 2, 0), id);
    CHECK_ERR(semget(key, 4, 0), EINVAL);
    CHECK_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL);
    CHECK_ERR(semget(IPC_PRIVATE, -1, 0600), EINVAL);
    CHECK_ERR(semget(IPC_PRIVATE, 32001, 0600), EINVAL);
    CHECK_ERR(semget(0x5f100000 | getpid(), 1, 0600), ENOENT);

    struct semid_ds ds;
    union semun arg = {.buf = &ds};
    CHECK_OK(semctl(id, 0, IPC_STAT, arg));
    CHECK(ds.sem_nsems == 3);
    CHECK((ds.sem_perm.mode & 0777) == 0600);
    CHECK(ds.sem_otime == 0);
    CHECK_RET(semctl(id, 0, GETVAL), 0);

    /* semop: all or nothing. */
    struct sembuf up[2] = {{0, 2, 0}, {1, 1, 0}};
    CHECK_OK(semop(id, up, 2));
    CHECK_RET(semctl(id, 0, GETVAL), 2);
    CHECK_RET(semctl(id, 1, GETVAL), 1);
    CHECK_RET(semctl(id, 0, GETPID), getpid());
    struct sembuf two[2] = {{0, -1, IPC_NOWAIT}, {1, -2, IPC_NOWAIT}};
    CHECK_ERR(semop(id, two, 2), EAGAIN);
    CHECK_RET(semctl(id, 0, GETVAL), 2); /* nothing applied */
    struct sembuf zero = {2, 0, IPC_NOWAIT};
    CHECK_OK(semop(id, &zero, 1));
    struct sembuf z0 = {0, 0, IPC_NOWAIT};
    CHECK_ERR(semop(id, &z0, 1), EAGAIN);
    CHECK_OK(semctl(id, 0, IPC_STAT, arg));
    CHECK(ds.sem_otime > 0);

    /* Errors of semop. */
    struct sembuf bad = {3, 1, 0};
    CHECK_ERR(semop(id, &bad, 1), EFBIG);
    CHECK_ERR(semop(id, up, 0), EINVAL);
    CHECK_ERR(semop(-1, up, 1), EINVAL);
    CHECK_ERR(semop(id, up, 501), E2BIG);
    CHECK_ERR(semop(id, (struct sembuf *)8, 1), EFAULT);
    struct sembuf big = {0, 32767, 0};
    CHECK_ERR(semop(id, &big, 1), ERANGE);

    /* SETVAL, SETALL, GETALL. */
    arg.val = 32768;
    CHECK_ERR(semctl(id, 0, SETVAL, arg), ERANGE);
    arg.val = -1;
    CHECK_ERR(semctl(id, 0, SETVAL, arg), ERANGE);
    arg.val = 5;
    CHECK_ERR(semctl(id, 3, SETVAL, arg), EINVAL);
    CHECK_OK(semctl(id, 2, SETVAL, arg));
    unsigned short vals[3] = {7, 8, 9};
    arg.array = vals;
    CHECK_OK(semctl(id, 0, SETALL, arg));
    unsigned short got[3] = {0};
    arg.array = got;
    CHECK_OK(semctl(id, 0, GETALL, arg));
    CHECK(got[0] == 7 && got[1] == 8 && got[2] == 9);
    CHECK_ERR(semctl(id, 5, GETVAL), EINVAL);
    CHECK_ERR(semctl(id, 0, 1234), EINVAL);
    arg.val = 0;
    CHECK_OK(semctl(id, 0, SETVAL, arg));
    CHECK_OK(semctl(id, 2, SETVAL, arg));

    /* A child blocks decrementing semaphore 0: GETNCNT counts it, an
     * increment lets it through. */
    pid_t pid = fork();
    if (pid == 0) {
        struct sembuf down = {0, -1, 0};
        _exit(semop(id, &down, 1) == 0 ? 0 : 1);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1));
    CHECK_RET(semctl(id, 0, GETZCNT), 0);
    struct sembuf inc = {0, 1, 0};
    CHECK_OK(semop(id, &inc, 1));
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_RET(semctl(id, 0, GETVAL), 0);
    CHECK_RET(semctl(id, 0, GETNCNT), 0);

    /* A child waits for zero: GETZCNT. */
    arg.val = 1;
    CHECK_OK(semctl(id, 1, SETVAL, arg));
    pid = fork();
    if (pid == 0) {
        struct sembuf z = {1, 0, 0};
        _exit(semop(id, &z, 1) == 0 ? 0 : 1);
    }
    CHECK(wait_count(id, 1, GETZCNT, 1));
    struct sembuf dec = {1, -1, 0};
    CHECK_OK(semop(id, &dec, 1));
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* semtimedop times out with EAGAIN; a bad timeout is EINVAL. */
    struct sembuf down = {0, -1, 0};
    struct timespec ts = {0, 20000000};
    CHECK_ERR(semtimedop(id, &down, 1, &ts), EAGAIN);
    ts.tv_nsec = 1000000000;
    CHECK_ERR(semtimedop(id, &down, 1, &ts), EINVAL);

    /* SEM_UNDO: a child's increments are undone when it exits. */
    pid = fork();
    if (pid == 0) {
        struct sembuf u = {2, 3, SEM_UNDO};
        _exit(semop(id, &u, 1) == 0 && semctl(id, 2, GETVAL) == 3 ? 0 : 1);
    }
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_RET(semctl(id, 2, GETVAL), 0);
    /* ...and SETVAL clears the adjustment. */
    struct sembuf u = {2, 2, SEM_UNDO};
    CHECK_OK(semop(id, &u, 1));
    arg.val = 4;
    CHECK_OK(semctl(id, 2, SETVAL, arg));

    /* Removing the set wakes a blocked waiter with EIDRM. */
    pid = fork();
    if (pid == 0) {
        struct sembuf d = {0, -1, 0};
        int r = semop(id, &d, 1);
        _exit(r == -1 && errno == EIDRM ? 0 : 1);
    }
    CHECK(wait_count(id, 0, GETNCNT, 1));
    CHECK_OK(semctl(id, 0, IPC_RMID));
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_ERR(semctl(id, 0, GETVAL), EINVAL);
    CHECK_ERR(semop(id, &inc, 1), EINVAL);

    /* IPC_SET and permissions; IPC_INFO's limits. */
    int id2 = semget(IPC_PRIVATE, 1, 0600);
    CHECK(id2 >= 0);
    arg.buf = &ds;
    CHECK_OK(semctl(id2, 0, IPC_STAT, arg));
    ds.sem_perm.mode = 0400;
    CHECK_OK(semctl(id2, 0, IPC_SET, arg));
    CHECK_OK(semctl(id2, 0, IPC_STAT, arg));
    CHECK((ds.sem_perm.mode & 0777) == 0400);
    if (geteuid() != 0) {
        CHECK_ERR(semop(id2, &inc, 1), EACCES);
    }
    struct seminfo si;
    arg.__buf = &si;
    CHECK_OK(semctl(0, 0, IPC_INFO, arg));
    CHECK(si.semvmx == 32767);
    CHECK(si.semmsl >= 250);
    CHECK_OK(semctl(id2, 0, IPC_RMID));
    return check_status();
}
