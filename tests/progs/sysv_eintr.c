/* A signal with a handler interrupts semop, msgrcv and msgsnd with EINTR
 * even under SA_RESTART (System V IPC calls are never restarted), and the
 * interrupted semop leaves no waiter counted. */
#include "check.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/time.h>

static void on_alarm(int sig) { (void)sig; }

static void arm(void) {
    struct itimerval it = {{0, 0}, {0, 30000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void) {
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));

    int sem = semget(IPC_PRIVATE, 1, 0600);
    CHECK(sem >= 0);
    struct sembuf down = {0, -1, 0};
    arm();
    CHECK_ERR(semop(sem, &down, 1), EINTR);
    CHECK_RET(semctl(sem, 0, GETNCNT), 0);
    CHECK_OK(semctl(sem, 0, IPC_RMID));

    int q = msgget(IPC_PRIVATE, 0600);
    CHECK(q >= 0);
    struct {
        long mtype;
        char text[16];
    } m = {1, "x"};
    arm();
    CHECK_ERR(msgrcv(q, &m, sizeof m.text, 0, 0), EINTR);
    struct msqid_ds ds;
    CHECK_OK(msgctl(q, IPC_STAT, &ds));
    ds.msg_qbytes = 1;
    CHECK_OK(msgctl(q, IPC_SET, &ds));
    m.mtype = 1;
    CHECK_OK(msgsnd(q, &m, 1, 0));
    arm();
    CHECK_ERR(msgsnd(q, &m, 1, 0), EINTR);
    CHECK_OK(msgctl(q, IPC_RMID, NULL));
    return check_status();
}
