/* sendmmsg and recvmmsg: one datagram per entry, each entry's msg_len
 * set; recvmmsg with MSG_DONTWAIT returns what is queued, an error only
 * when it got nothing (a later error stays for the next call), and
 * MSG_WAITFORONE waits for the first only; sendmmsg stops at a partial
 * stream send and reports an error only when nothing went; a vlen of 0
 * is 0; MSG_CMSG_COMPAT is EINVAL. */
#include "unix_util.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/uio.h>

#define N 5

static struct mmsghdr msgs[N];
static struct iovec iovs[N];
static char bufs[N][16];

static void prepare(void) {
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < N; i++) {
        iovs[i].iov_base = bufs[i];
        iovs[i].iov_len = sizeof bufs[i];
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_len = 12345;
    }
}

static int wfd;
static void *write_later(void *arg) {
    (void)arg;
    usleep(50000);
    send(wfd, "w1", 2, 0);
    usleep(100000);
    send(wfd, "w2", 2, 0);
    return NULL;
}

int main(void) {
    int sv[2];

    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    prepare();
    for (int i = 0; i < 3; i++) {
        snprintf(bufs[i], sizeof bufs[i], "msg%d%.*s", i, i, "xxx");
        iovs[i].iov_len = strlen(bufs[i]);
    }
    CHECK_RET(sendmmsg(sv[0], msgs, 3, 0), 3);
    CHECK(msgs[0].msg_len == 4 && msgs[1].msg_len == 5 && msgs[2].msg_len == 6);
    CHECK_RET(msgs[3].msg_len, 12345);
    CHECK_RET(sendmmsg(sv[0], msgs, 0, 0), 0);
    CHECK_ERR(sendmmsg(sv[0], msgs, 1, 0x80000000), EINVAL);

    prepare();
    CHECK_RET(recvmmsg(sv[1], msgs, N, MSG_DONTWAIT, NULL), 3);
    CHECK(msgs[0].msg_len == 4 && msgs[1].msg_len == 5 && msgs[2].msg_len == 6);
    CHECK(memcmp(bufs[2], "msg2xx", 6) == 0);
    CHECK_RET(msgs[3].msg_len, 12345);
    CHECK_ERR(recvmmsg(sv[1], msgs, N, MSG_DONTWAIT, NULL), EAGAIN);
    CHECK_ERR(recvmmsg(sv[1], msgs, N, 0x80000000, NULL), EINVAL);
    CHECK_RET(recvmmsg(sv[1], msgs, 0, 0, NULL), 0);

    /* MSG_WAITFORONE: waits for the first, then takes what is there. */
    wfd = sv[0];
    pthread_t th;
    CHECK_OK(pthread_create(&th, NULL, write_later, NULL));
    prepare();
    CHECK_RET(recvmmsg(sv[1], msgs, N, MSG_WAITFORONE, NULL), 1);
    CHECK_RET(recv(sv[1], bufs[1], sizeof bufs[1], 0), 2);
    CHECK_OK(pthread_join(th, NULL));

    /* A timeout is looked at between messages. */
    CHECK_RET(send(sv[0], "t", 1, 0), 1);
    CHECK_RET(send(sv[0], "u", 1, 0), 1);
    struct timespec ts = {5, 0};
    prepare();
    CHECK_RET(recvmmsg(sv[1], msgs, 2, 0, &ts), 2);
    CHECK(ts.tv_sec <= 5 && ts.tv_sec >= 4);
    ts.tv_nsec = 1000000000;
    CHECK_ERR(recvmmsg(sv[1], msgs, 2, 0, &ts), EINVAL);
    CHECK_ERR(recvmmsg(sv[1], msgs, 2, 0, unix_bad_ptr), EFAULT);

    /* An error after some messages: the count now, the error next. */
    CHECK_RET(send(sv[0], "v", 1, 0), 1);
    prepare();
    msgs[1].msg_hdr.msg_iov = unix_bad_ptr;
    CHECK_RET(recvmmsg(sv[1], msgs, 2, MSG_DONTWAIT, NULL), 1);
    CHECK_RET(send(sv[0], "w", 1, 0), 1);
    prepare();
    CHECK_ERR(recvmmsg(sv[1], msgs, 2, MSG_DONTWAIT, NULL), EFAULT);
    CHECK_RET(recvmmsg(sv[1], msgs, 2, MSG_DONTWAIT, NULL), 1);

    /* sendmmsg: an error only when nothing went. */
    prepare();
    iovs[0].iov_len = 1;
    msgs[1].msg_hdr.msg_iov = unix_bad_ptr;
    CHECK_RET(sendmmsg(sv[0], msgs, 3, 0), 1);
    CHECK_ERR(sendmmsg(sv[0], &msgs[1], 2, 0), EFAULT);
    CHECK_RET(recvmmsg(sv[1], msgs, N, MSG_DONTWAIT, NULL), 1);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* A stream: sendmmsg stops after a part. */
    static char big[300000];
    static struct iovec bigv = {big, sizeof big};
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    prepare();
    msgs[0].msg_hdr.msg_iov = &bigv;
    msgs[1].msg_hdr.msg_iov = &bigv;
    CHECK_RET(sendmmsg(sv[0], msgs, 2, 0), 1);
    CHECK(msgs[0].msg_len > 0 && msgs[0].msg_len < sizeof big);
    CHECK_RET(msgs[1].msg_len, 12345);
    CHECK_ERR(sendmmsg(sv[0], msgs, 2, 0), EAGAIN);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return check_status();
}
