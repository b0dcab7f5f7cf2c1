/* inotify on a scratch directory and a file: the events of create, write,
 * close-after-write, rename (MOVED_FROM/MOVED_TO with one nonzero cookie),
 * chmod (ATTRIB), unlink, mkdir (with IN_ISDIR), in order and with names;
 * identical unread events coalesce; a file watch reports with no name and ends
 * with DELETE_SELF and IGNORED; the same inode gives the same wd, IN_MASK_ADD,
 * IN_ONESHOT, inotify_rm_watch queueing IN_IGNORED; FIONREAD; IN_NONBLOCK
 * gives EAGAIN; errors: EINVAL for a zero mask, bad init flags, an unknown wd,
 * a non-inotify descriptor and a too-small read buffer, ENOTDIR for
 * IN_ONLYDIR, ENOENT, EBADF. */
#include "fs_util.h"
#include "inotify_util.h"
#include <sys/ioctl.h>

static int wd_dir, wd_file;

/* Prints every queued event: "event <dir|file|wd?> MASK name". Returns the
 * count; checks that MOVED_FROM/MOVED_TO pairs share a nonzero cookie. */
static int drain(int fd) {
    char buf[4096] __attribute__((aligned(8)));
    int count = 0;
    uint32_t last_cookie = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (void *)p;
            printf("event %s ", e->wd == wd_dir ? "dir" : e->wd == wd_file ? "file" : "wd?");
            in_show_mask(e->mask);
            printf(" %s\n", e->len ? e->name : "-");
            if (e->mask & IN_MOVED_FROM) {
                CHECK(e->cookie != 0);
                last_cookie = e->cookie;
            } else if (e->mask & IN_MOVED_TO) {
                CHECK(e->cookie == last_cookie);
            } else if (e->cookie != 0) {
                printf("FAIL cookie on a non-move event\n");
                check_failed = 1;
            }
            count++;
            p += sizeof *e + e->len;
        }
    }
    return count;
}

int main(void) {
    char buf[64];
    fs_enter_scratch();
    CHECK_OK(mkdir("w", 0755));
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    CHECK(in >= 0);
    CHECK_RET(fcntl(in, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);
    wd_dir = inotify_add_watch(in, "w", IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM |
                                            IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB);
    CHECK(wd_dir >= 1);

    /* A sequence of operations. */
    int fd = open("w/a", O_WRONLY | O_CREAT, 0644);
    CHECK_RET(write(fd, "1", 1), 1);
    CHECK_RET(write(fd, "2", 1), 1); /* coalesces with the first MODIFY */
    CHECK_OK(close(fd));
    CHECK_OK(rename("w/a", "w/b"));
    CHECK_OK(chmod("w/b", 0600));
    CHECK_OK(unlink("w/b"));
    CHECK_OK(mkdir("w/sub", 0755));
    CHECK_OK(rmdir("w/sub"));
    fd = open("w/c", O_RDONLY | O_CREAT, 0644); /* closed without writing */
    CHECK_OK(close(fd));
    int n = -1;
    CHECK_OK(ioctl(in, FIONREAD, &n));
    CHECK(n > 0 && n % 4 == 0);
    CHECK_RET(drain(in), 10);
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);

    /* A rename out of the watched directory: only MOVED_FROM. */
    CHECK_OK(rename("w/c", "outside"));
    CHECK_RET(drain(in), 1);

    /* The same inode gives the same wd; IN_MASK_ADD. */
    CHECK_RET(inotify_add_watch(in, "w", IN_DELETE), wd_dir);
    CHECK_RET(inotify_add_watch(in, "w/.", IN_CREATE | IN_MASK_ADD), wd_dir);
    CHECK_OK(fs_write_file("w/d", "x")); /* CREATE and DELETE only, no MODIFY */
    CHECK_OK(unlink("w/d"));
    CHECK_RET(drain(in), 2);

    /* A watch on a file. */
    CHECK_OK(fs_write_file("file", ""));
    wd_file = inotify_add_watch(in, "file", IN_ALL_EVENTS);
    CHECK(wd_file >= 1 && wd_file != wd_dir);
    fd = open("file", O_RDWR);
    CHECK_RET(write(fd, "x", 1), 1);
    CHECK_RET(pread(fd, buf, 1, 0), 1);
    CHECK_OK(close(fd));
    CHECK_OK(unlink("file")); /* ATTRIB (nlink), DELETE_SELF, IGNORED */
    CHECK_RET(drain(in), 7);

    /* IN_ONESHOT: one event, then the watch is gone. */
    CHECK_OK(fs_write_file("one", ""));
    wd_file = inotify_add_watch(in, "one", IN_ATTRIB | IN_ONESHOT);
    CHECK_OK(chmod("one", 0600));
    CHECK_OK(chmod("one", 0644));
    CHECK_RET(drain(in), 2); /* ATTRIB then IGNORED */

    /* inotify_rm_watch queues IN_IGNORED. */
    CHECK_OK(inotify_rm_watch(in, wd_dir));
    wd_file = -2;
    CHECK_RET(drain(in), 1);
    CHECK_ERR(inotify_rm_watch(in, wd_dir), EINVAL);
    CHECK_OK(fs_write_file("w/after", ""));
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);

    /* Errors. */
    CHECK_ERR(inotify_add_watch(in, "w", 0), EINVAL);
    CHECK_ERR(inotify_add_watch(in, "missing", IN_ALL_EVENTS), ENOENT);
    CHECK_OK(fs_write_file("plain", ""));
    CHECK_ERR(inotify_add_watch(in, "plain", IN_ALL_EVENTS | IN_ONLYDIR), ENOTDIR);
    CHECK_ERR(inotify_rm_watch(in, 12345), EINVAL);
    int pf = open("plain", O_RDONLY);
    CHECK_ERR(inotify_add_watch(pf, "w", IN_ALL_EVENTS), EINVAL);
    CHECK_ERR(inotify_rm_watch(pf, 1), EINVAL);
    CHECK_OK(close(pf));
    CHECK_ERR(inotify_add_watch(99, "w", IN_ALL_EVENTS), EBADF);
    CHECK_ERR(inotify_init1(IN_NONBLOCK << 1), EINVAL);
    int wd = inotify_add_watch(in, "w", IN_CREATE);
    CHECK_OK(fs_write_file("w/tiny", ""));
    CHECK_ERR(read(in, buf, sizeof(struct inotify_event)), EINVAL); /* no room for the name */
    CHECK_RET(read(in, buf, sizeof buf), (long)sizeof(struct inotify_event) + 16);
    CHECK(wd >= 1);
    CHECK_OK(close(in));

    fs_leave_scratch();
    return check_status();
}
