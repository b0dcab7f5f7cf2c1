/* System V message queues: messages by type (0, positive, negative,
 * MSG_EXCEPT), MSG_NOERROR truncation and E2BIG, MSG_COPY, a sender
 * blocked on a full queue and a receiver blocked on an empty one (in a
 * child), EIDRM to a waiter when the queue goes, IPC_STAT/IPC_SET and the
 * errors. Keys come from the pid and every queue is removed, since the
 * native runs share the host's IPC namespace. */
#include "check.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>

struct msg {
    long mtype;
    char text[64];
};

static int snd(int id, long type, const char *s, int flags) {
    struct msg m = {.mtype = type};
    strcpy(m.text, s);
    return msgsnd(id, &m, strlen(s) + 1, flags);
}

/* The type of the message msgrcv takes, or -1. */
static long rcv_type(int id, long type, int flags) {
    struct msg m;
    if (msgrcv(id, &m, sizeof m.text, type, flags) < 0)
        return -1;
    return m.mtype;
}

static int wait_qnum(int id, unsigned long want) {
    for (int i = 0; i < 500; i++) {
        struct msqid_ds ds;
        if (msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == want)
            return 1;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

int main(void) {
    key_t key = 0x5e200000 | getpid();
    int id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    CHECK_ERR(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_RET(msgget(key, 0), id);
    CHECK_ERR(msgget(0x5f200000 | getpid(), 0600), ENOENT);

    struct msqid_ds ds;
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK(ds.msg_qnum == 0 && ds.msg_cbytes == 0);
    CHECK(ds.msg_qbytes == 16384);
    CHECK((ds.msg_perm.mode & 0777) == 0600);

    CHECK_OK(snd(id, 3, "three", 0));
    CHECK_OK(snd(id, 1, "one", 0));
    CHECK_OK(snd(id, 2, "two", 0));
    CHECK_OK(snd(id, 1, "uno", 0));
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK(ds.msg_qnum == 4);
    CHECK(ds.msg_cbytes == 6 + 4 + 4 + 4);
    CHECK(ds.msg_lspid == getpid() && ds.msg_stime > 0);

    /* MSG_COPY reads by position without taking. */
    struct msg m;
    CHECK_RET(msgrcv(id, &m, sizeof m.text, 2, MSG_COPY | IPC_NOWAIT), 4);
    CHECK(m.mtype == 2 && strcmp(m.text, "two") == 0);
    CHECK_ERR(msgrcv(id, &m, sizeof m.text, 9, MSG_COPY | IPC_NOWAIT), ENOMSG);
    CHECK_ERR(msgrcv(id, &m, sizeof m.text, 0, MSG_COPY), EINVAL);

    /* Too small a buffer: E2BIG leaves the message, MSG_NOERROR cuts it. */
    CHECK_ERR(msgrcv(id, &m, 3, 3, IPC_NOWAIT), E2BIG);
    memset(m.text, 0, sizeof m.text);
    CHECK_RET(msgrcv(id, &m, 3, 3, MSG_NOERROR | IPC_NOWAIT), 3);
    CHECK(m.mtype == 3 && memcmp(m.text, "thr", 3) == 0 && m.text[3] == 0);

    CHECK_RET(rcv_type(id, 1, MSG_EXCEPT | IPC_NOWAIT), 2);
    CHECK_OK(snd(id, 5, "five", 0));
    CHECK_RET(rcv_type(id, -4, IPC_NOWAIT), 1); /* lowest type <= 4 */
    CHECK_RET(msgrcv(id, &m, sizeof m.text, 1, IPC_NOWAIT), 4);
    CHECK(strcmp(m.text, "uno") == 0);
    CHECK_ERR(msgrcv(id, &m, sizeof m.text, 1, IPC_NOWAIT), ENOMSG);
    CHECK_RET(rcv_type(id, 0, IPC_NOWAIT), 5);
    CHECK_ERR(msgrcv(id, &m, sizeof m.text, 0, IPC_NOWAIT), ENOMSG);
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    CHECK(ds.msg_qnum == 0 && ds.msg_cbytes == 0);
    CHECK(ds.msg_lrpid == getpid());

    /* Errors of msgsnd and msgrcv. */
    CHECK_ERR(snd(id, 0, "x", 0), EINVAL);
    CHECK_ERR(msgsnd(id, &m, 8193, 0), EINVAL);
    CHECK_ERR(msgsnd(id, &m, -1, 0), EINVAL);
    CHECK_ERR(msgsnd(id, (void *)8, 1, 0), EFAULT);
    CHECK_ERR(msgsnd(-1, &m, 1, 0), EINVAL);
    CHECK_ERR(msgrcv(id, &m, -1, 0, 0), EINVAL);
    CHECK_ERR(msgctl(id, 1234, &ds), EINVAL);

    /* A receiver blocked on the empty queue gets the next message. */
    pid_t pid = fork();
    if (pid == 0) {
        struct msg r;
        ssize_t n = msgrcv(id, &r, sizeof r.text, 7, 0);
        _exit(n == 6 && strcmp(r.text, "seven") == 0 ? 0 : 1);
    }
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    CHECK_OK(snd(id, 6, "six", 0));
    CHECK_OK(snd(id, 7, "seven", 0));
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_RET(rcv_type(id, 0, IPC_NOWAIT), 6);

    /* A full queue: IPC_NOWAIT gets EAGAIN, a blocked sender waits for room. */
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    ds.msg_qbytes = 10;
    CHECK_OK(msgctl(id, IPC_SET, &ds));
    CHECK_OK(snd(id, 1, "12345678", 0));
    CHECK_ERR(snd(id, 1, "abc", IPC_NOWAIT), EAGAIN);
    pid = fork();
    if (pid == 0)
        _exit(snd(id, 2, "abc", 0) == 0 ? 0 : 1);
    nanosleep(&ts, NULL);
    CHECK(wait_qnum(id, 1));
    CHECK_RET(rcv_type(id, 1, IPC_NOWAIT), 1);
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_RET(rcv_type(id, 0, IPC_NOWAIT), 2);

    /* Removing the queue wakes a waiting receiver with EIDRM. */
    pid = fork();
    if (pid == 0) {
        struct msg r;
        ssize_t n = msgrcv(id, &r, sizeof r.text, 0, 0);
        _exit(n == -1 && errno == EIDRM ? 0 : 1);
    }
    nanosleep(&ts, NULL);
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_ERR(msgctl(id, IPC_STAT, &ds), EINVAL);
    CHECK_ERR(snd(id, 1, "x", 0), EINVAL);

    /* Permissions and limits. */
    int id2 = msgget(IPC_PRIVATE, 0600);
    CHECK(id2 >= 0);
    CHECK_OK(msgctl(id2, IPC_STAT, &ds));
    ds.msg_perm.mode = 0400;
    CHECK_OK(msgctl(id2, IPC_SET, &ds));
    if (geteuid() != 0) {
        CHECK_ERR(snd(id2, 1, "x", 0), EACCES);
    }
    struct msginfo mi;
    CHECK_OK(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi));
    CHECK(mi.msgmax == 8192 && mi.msgmnb == 16384);
    CHECK_OK(msgctl(id2, IPC_RMID, NULL));
    return check_status();
}
