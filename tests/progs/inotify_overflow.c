/* The inotify queue's limit, /proc/sys/fs/inotify/max_queued_events
 * (16384): past it one IN_Q_OVERFLOW event (wd -1, no name) stands for
 * everything dropped, even an event equal to the last one; while it is
 * queued nothing more is, and once the queue is below the limit again new
 * events queue after it. An event equal to the last queued one merges into
 * it; one equal to an earlier one does not. FIONREAD counts the bytes a read
 * would return. The limits in /proc/sys/fs/inotify. */
#include "fs_util.h"
#include "inotify_util.h"
#include <sys/ioctl.h>

static long number(const char *path) {
    char buf[64];
    if (fs_read_file(path, buf, sizeof buf) <= 0)
        return -1;
    return atol(buf);
}

static int queued(int in) {
    int n = -1;
    CHECK_OK(ioctl(in, FIONREAD, &n));
    return n;
}

int main(void) {
    char buf[64] __attribute__((aligned(8)));
    struct inotify_event *ev = (void *)buf;
    CHECK_RET(number("/proc/sys/fs/inotify/max_queued_events"), 16384);
    CHECK_RET(number("/proc/sys/fs/inotify/max_user_instances"), 128);
    CHECK(number("/proc/sys/fs/inotify/max_user_watches") >= 8192);

    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(fs_write_file("d/a", ""));
    CHECK_OK(fs_write_file("d/b", ""));
    int in = inotify_init1(IN_NONBLOCK);
    int wd = in_watch(in, "d", IN_ATTRIB, "d");

    /* Merging with the last event only. */
    CHECK_OK(chmod("d/a", 0600));
    CHECK_OK(chmod("d/a", 0644));
    CHECK_RET(queued(in), 32);
    CHECK_OK(chmod("d/b", 0600));
    CHECK_OK(chmod("d/a", 0600));
    CHECK_RET(queued(in), 96);
    CHECK_RET(in_drain(in, "merged"), 3);

    /* Filling the queue: names alternate, so nothing merges. */
    int failed = 0;
    for (int i = 0; i < 16384; i++)
        if (chmod(i % 2 ? "d/b" : "d/a", i % 4 < 2 ? 0600 : 0644) != 0)
            failed++;
    CHECK_RET(failed, 0);
    CHECK_RET(queued(in), 16384 * 32);
    CHECK_OK(chmod("d/b", 0600)); /* equal to the last, but the queue is full */
    CHECK_RET(queued(in), 16384 * 32 + 16);
    CHECK_OK(chmod("d/a", 0600)); /* dropped */
    CHECK_RET(queued(in), 16384 * 32 + 16);

    /* One read leaves it at the limit (the overflow event counts). */
    CHECK_RET(read(in, buf, 32), 32);
    CHECK_OK(chmod("d/a", 0644));
    CHECK_RET(queued(in), 16383 * 32 + 16);
    CHECK_RET(read(in, buf, 32), 32);
    CHECK_OK(chmod("d/a", 0600)); /* below the limit: queued after the overflow */
    CHECK_RET(queued(in), 16383 * 32 + 16);

    /* What is left: 16382 events, the overflow event, the late one. */
    int attrib = 0, overflow_at = -1, late_at = -1, at = 0, bad = 0;
    ssize_t n;
    while ((n = read(in, buf, sizeof(struct inotify_event) + 16)) > 0) {
        if (ev->mask == IN_Q_OVERFLOW) {
            overflow_at = at;
            if (ev->wd != -1 || ev->len != 0 || ev->cookie != 0 || n != 16)
                bad++;
        } else if (ev->wd == wd && ev->mask == IN_ATTRIB && n == 32) {
            if (overflow_at >= 0)
                late_at = at;
            else
                attrib++;
        } else {
            bad++;
        }
        at++;
    }
    CHECK_RET(attrib, 16382);
    CHECK_RET(overflow_at, 16382);
    CHECK_RET(late_at, 16383);
    CHECK_RET(bad, 0);
    CHECK_RET(queued(in), 0);
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);

    CHECK_OK(close(in));
    fs_leave_scratch();
    return check_status();
}
