/* close_range(2): closes exactly [first, last] (gaps are fine, an empty or
 * far-away range is a no-op, ~0U as last means "all above"),
 * CLOSE_RANGE_CLOEXEC marks instead of closing, CLOSE_RANGE_UNSHARE in a
 * thread gives that thread its own descriptor table first (the other thread
 * keeps its descriptors, and later opens are not shared); errors: EINVAL for
 * first > last and for unknown flags. */
#include "fs_util.h"
#include <linux/close_range.h>
#include <pthread.h>

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

static int thread_fd, thread_new_fd;

static void *unsharer(void *arg) {
    (void)arg;
    if (syscall(SYS_close_range, thread_fd, thread_fd, CLOSE_RANGE_UNSHARE) != 0)
        return (void *)1;
    if (is_open(thread_fd))
        return (void *)2;
    thread_new_fd = open("/", O_RDONLY | O_DIRECTORY); /* in the private table */
    return NULL;
}

static long cr(unsigned first, unsigned last, unsigned flags) {
    return syscall(SYS_close_range, first, last, flags);
}

int main(void) {
    for (int fd = 10; fd <= 16; fd++)
        dup2(1, fd);
    CHECK_OK(close(14)); /* a gap */

    CHECK_RET(cr(11, 15, 0), 0);
    CHECK(is_open(10) && !is_open(11) && !is_open(13) && !is_open(15) && is_open(16));
    CHECK_RET(cr(11, 15, 0), 0); /* nothing left there */
    CHECK_RET(cr(10, 10, 0), 0);
    CHECK(!is_open(10));
    CHECK_RET(cr(1000, 2000, 0), 0);
    CHECK(is_open(16));

    /* CLOSE_RANGE_CLOEXEC. */
    for (int fd = 20; fd <= 22; fd++)
        dup2(1, fd);
    CHECK_RET(cr(20, 21, CLOSE_RANGE_CLOEXEC), 0);
    CHECK_RET(fcntl(20, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(21, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(22, F_GETFD), 0);
    CHECK_RET(write(20, "", 0), 0); /* still open */

    /* ~0U: everything from first up. */
    CHECK_RET(cr(16, ~0U, 0), 0);
    CHECK(!is_open(16) && !is_open(20) && !is_open(22));
    CHECK(is_open(0) && is_open(1) && is_open(2));

    /* CLOSE_RANGE_UNSHARE from a thread. */
    thread_fd = dup2(1, 30);
    pthread_t t;
    void *ret;
    pthread_create(&t, NULL, unsharer, NULL);
    pthread_join(t, &ret);
    CHECK(ret == NULL);
    CHECK(is_open(30)); /* ours is untouched */
    CHECK(thread_new_fd >= 3);
    CHECK(!is_open(thread_new_fd) || thread_new_fd == 30);
    CHECK_OK(close(30));

    /* Errors. */
    CHECK_ERR(cr(5, 4, 0), EINVAL);
    CHECK_ERR(cr(~0U, 0, 0), EINVAL);
    CHECK_ERR(cr(100, 200, 1u << 5), EINVAL);
    CHECK_ERR(cr(100, 200, 0x80000000u), EINVAL);

    return check_status();
}
