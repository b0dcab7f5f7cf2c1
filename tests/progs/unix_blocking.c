/* Blocking socket calls and signals: a blocked recv is EINTR under a
 * handler without SA_RESTART and restarted with it, but a recv with
 * SO_RCVTIMEO is never restarted (EINTR); a blocked write on a full
 * stream waits for the reader, and a signal after part of it went
 * returns the part; MSG_WAITALL gathers separate writes (and returns
 * short at end of input); MSG_DONTWAIT does not wait on a blocking
 * socket; a blocked recv wakes when the peer closes. */
#include "unix_util.h"
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

static void handler(int restart) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
}

/* SIGALRM in `us` microseconds, once. */
static void alarm_in(long us) {
    struct itimerval it = {{0, 0}, {us / 1000000, us % 1000000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static int late_fd;
static const char *late_data;
static void *write_late(void *arg) {
    (void)arg;
    usleep(150000);
    write(late_fd, late_data, strlen(late_data));
    return NULL;
}
static void *close_late(void *arg) {
    (void)arg;
    usleep(50000);
    close(late_fd);
    return NULL;
}
static void *drain_late(void *arg) {
    static char buf[1 << 20];
    long got = 0, n;
    usleep(50000);
    while ((n = read(late_fd, buf, sizeof buf)) > 0)
        got += n;
    (void)arg;
    return (void *)got;
}

int main(void) {
    int sv[2];
    char buf[64];
    pthread_t th;

    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

    /* No SA_RESTART: EINTR. */
    handler(0);
    alarm_in(30000);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EINTR);
    CHECK_RET(alarms, 1);
    /* SA_RESTART: the call goes on and gets the data. */
    handler(1);
    late_fd = sv[1];
    late_data = "restarted";
    CHECK_OK(pthread_create(&th, NULL, write_late, NULL));
    alarm_in(30000);
    CHECK_RET(recv(sv[0], buf, sizeof buf, 0), 9);
    CHECK_RET(alarms, 2);
    CHECK_OK(pthread_join(th, NULL));
    /* A timeout makes it EINTR even with SA_RESTART. */
    struct timeval tv = {5, 0};
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    alarm_in(30000);
    CHECK_ERR(read(sv[0], buf, sizeof buf), EINTR);
    CHECK_RET(alarms, 3);
    tv.tv_sec = 0;
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));

    /* MSG_DONTWAIT on a blocking socket. */
    CHECK_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* MSG_WAITALL gathers separate writes. */
    CHECK_RET(write(sv[1], "wait", 4), 4);
    late_data = "all";
    CHECK_OK(pthread_create(&th, NULL, write_late, NULL));
    CHECK_RET(recv(sv[0], buf, 7, MSG_WAITALL), 7);
    CHECK(memcmp(buf, "waitall", 7) == 0);
    CHECK_OK(pthread_join(th, NULL));
    /* ... a signal returns what it has. */
    handler(1);
    CHECK_RET(write(sv[1], "part", 4), 4);
    alarm_in(30000);
    CHECK_RET(recv(sv[0], buf, 10, MSG_WAITALL), 4);
    CHECK_RET(alarms, 4);
    /* ... as does the end of input. */
    CHECK_RET(write(sv[1], "end", 3), 3);
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    CHECK_RET(recv(sv[0], buf, 10, MSG_WAITALL), 3);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* A blocked recv wakes when the peer closes. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    late_fd = sv[1];
    CHECK_OK(pthread_create(&th, NULL, close_late, NULL));
    CHECK_RET(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_OK(pthread_join(th, NULL));
    CHECK_OK(close(sv[0]));

    /* A big blocking write waits for the reader and goes whole. */
    static char big[1 << 20];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    late_fd = sv[1];
    CHECK_OK(pthread_create(&th, NULL, drain_late, NULL));
    CHECK_RET(write(sv[0], big, sizeof big), sizeof big);
    CHECK_OK(close(sv[0]));
    void *got;
    CHECK_OK(pthread_join(th, &got));
    CHECK_RET((long)got, sizeof big);
    CHECK_OK(close(sv[1]));

    /* A signal during a blocked write: the part that went. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    handler(0);
    alarm_in(50000);
    ssize_t n = write(sv[0], big, sizeof big);
    CHECK(n > 0 && n < (ssize_t)sizeof big);
    CHECK_RET(alarms, 5);
    /* With nothing gone, EINTR. */
    alarm_in(50000);
    CHECK_ERR(write(sv[0], big, sizeof big), EINTR);
    /* SO_SNDTIMEO: EAGAIN after it. */
    tv.tv_sec = 0;
    tv.tv_usec = 60000;
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    CHECK_ERR(send(sv[0], big, sizeof big, 0), EAGAIN);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return check_status();
}
