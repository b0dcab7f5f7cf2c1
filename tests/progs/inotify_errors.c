/* inotify's bad input and the instance's file. inotify_init1: flags other
 * than IN_NONBLOCK and IN_CLOEXEC are EINVAL; a user's 129th instance is
 * EMFILE. inotify_add_watch, in Linux's
 * order: a mask with no inotify bit (EINVAL, before the descriptor), the
 * descriptor (EBADF), IN_MASK_ADD with IN_MASK_CREATE (EINVAL), a descriptor
 * that is no instance (EINVAL), the path (EFAULT, ENOENT for "" and missing
 * names, ENOTDIR, ELOOP), IN_ONLYDIR on a file or an unfollowed symlink
 * (ENOTDIR), read permission on the file (EACCES); IN_MASK_CREATE on a watched
 * inode is EEXIST; a mask of only flags is a watch with no events;
 * IN_DONT_FOLLOW watches the link itself. inotify_rm_watch: EBADF, EINVAL for
 * another kind of file and for unknown wds (also 0 and -1); wds are not
 * reused at once. The file: read-only (write EBADF), pread ESPIPE, lseek 0, a
 * buffer too small for the next event EINVAL (also 0 bytes), a bad buffer
 * EFAULT (the event is lost), FIONREAD EFAULT, fstat, F_GETFL, its
 * /proc/self/fd link; INOTIFY_IOC_SETNEXTWD (EINVAL below 1 or past
 * INT_MAX). */
#include "fs_util.h"
#include <sys/inotify.h>
#include <sys/ioctl.h>

#ifndef INOTIFY_IOC_SETNEXTWD
#define INOTIFY_IOC_SETNEXTWD _IOW('I', 0, int)
#endif

static int in;

static void unprivileged(void) {
    CHECK_ERR(inotify_add_watch(in, "secret", IN_OPEN), EACCES);
    CHECK_ERR(inotify_add_watch(in, "locked/f", IN_OPEN), EACCES);
    CHECK(inotify_add_watch(in, "open", IN_OPEN) >= 1);
}

/* max_user_instances (128) counts per user across the whole kernel: a uid no
 * one else uses, so the native runs of this program that the test harness
 * makes side by side (one per platform) do not share the count. */
static void many_instances(void) {
    int fds[128], n = 0;
    for (int i = 0; i < 128; i++)
        if ((fds[n] = inotify_init()) >= 0)
            n++;
    CHECK_RET(n, 128);
    CHECK_ERR(inotify_init(), EMFILE);
    CHECK_ERR(inotify_init1(IN_NONBLOCK), EMFILE);
    CHECK_OK(close(fds[0]));
    CHECK(inotify_init() >= 0);
}

int main(void) {
    char buf[256] __attribute__((aligned(8)));
    struct stat st;
    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(fs_write_file("f", ""));
    CHECK_OK(symlink("d", "ln"));
    CHECK_OK(symlink("nowhere", "dangling"));
    CHECK_OK(symlink("loop", "loop"));

    /* inotify_init1. */
    CHECK_ERR(inotify_init1(1), EINVAL);
    CHECK_ERR(inotify_init1(O_RDWR), EINVAL);
    CHECK_ERR(inotify_init1(IN_NONBLOCK | IN_CLOEXEC | O_APPEND), EINVAL);
    in = inotify_init1(IN_NONBLOCK);
    CHECK(in >= 0);
    int plain = inotify_init();
    CHECK(plain >= 0);
    CHECK_RET(fcntl(plain, F_GETFD), 0);
    CHECK_RET(fcntl(plain, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
    CHECK_OK(close(plain));

    /* inotify_add_watch: the order of the checks. */
    CHECK_ERR(inotify_add_watch(99, "d", 0), EINVAL);
    CHECK_ERR(inotify_add_watch(in, "d", 0x10000), EINVAL); /* no inotify bit */
    CHECK_ERR(inotify_add_watch(99, "d", IN_OPEN), EBADF);
    CHECK_ERR(inotify_add_watch(99, "d", IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EBADF);
    CHECK_ERR(inotify_add_watch(in, "d", IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
    int fd = open("f", O_RDONLY);
    CHECK_ERR(inotify_add_watch(fd, "d", IN_OPEN), EINVAL);
    CHECK_ERR(inotify_add_watch(in, (const char *)1, IN_OPEN), EFAULT);
    CHECK_ERR(inotify_add_watch(in, "", IN_OPEN), ENOENT);
    CHECK_ERR(inotify_add_watch(in, "missing", IN_OPEN), ENOENT);
    CHECK_ERR(inotify_add_watch(in, "f/", IN_OPEN), ENOTDIR);
    CHECK_ERR(inotify_add_watch(in, "f/x", IN_OPEN), ENOTDIR);
    CHECK_ERR(inotify_add_watch(in, "dangling", IN_OPEN), ENOENT);
    CHECK_ERR(inotify_add_watch(in, "loop", IN_OPEN), ELOOP);
    CHECK_ERR(inotify_add_watch(in, "f", IN_OPEN | IN_ONLYDIR), ENOTDIR);
    CHECK_ERR(inotify_add_watch(in, "ln", IN_OPEN | IN_ONLYDIR | IN_DONT_FOLLOW), ENOTDIR);

    /* What succeeds. */
    int wd = inotify_add_watch(in, "d", IN_OPEN | IN_ONLYDIR);
    CHECK_RET(wd, 1);
    CHECK_RET(inotify_add_watch(in, "ln", IN_OPEN | IN_ONLYDIR), wd); /* followed */
    CHECK_RET(inotify_add_watch(in, "d", IN_ISDIR), wd); /* flags only: no events */
    CHECK_RET(inotify_add_watch(in, "d", IN_IGNORED | IN_Q_OVERFLOW | IN_UNMOUNT), wd);
    CHECK_ERR(inotify_add_watch(in, "d", IN_OPEN | IN_MASK_CREATE), EEXIST);
    CHECK_ERR(inotify_add_watch(in, "d", IN_MASK_CREATE), EEXIST);
    int wl = inotify_add_watch(in, "ln", IN_OPEN | IN_DONT_FOLLOW);
    CHECK_RET(wl, 2);
    CHECK_RET(inotify_add_watch(in, "dangling", IN_OPEN | IN_DONT_FOLLOW), 3);
    int wf = inotify_add_watch(in, "f", IN_OPEN | IN_MASK_CREATE);
    CHECK_RET(wf, 4);
    int fd2 = open("d", O_RDONLY | O_DIRECTORY); /* the watch on d wants nothing */
    CHECK_OK(close(fd2));
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);

    /* inotify_rm_watch. */
    CHECK_ERR(inotify_rm_watch(99, wd), EBADF);
    CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL);
    CHECK_ERR(inotify_rm_watch(in, 0), EINVAL);
    CHECK_ERR(inotify_rm_watch(in, -1), EINVAL);
    CHECK_ERR(inotify_rm_watch(in, 77), EINVAL);
    CHECK_OK(inotify_rm_watch(in, wf));
    CHECK_ERR(inotify_rm_watch(in, wf), EINVAL);
    struct inotify_event *ev = (void *)buf;
    CHECK_RET(read(in, buf, sizeof buf), (long)sizeof *ev);
    CHECK(ev->wd == wf && ev->mask == IN_IGNORED && ev->len == 0 && ev->cookie == 0);
    CHECK_RET(inotify_add_watch(in, "f", IN_OPEN), 5); /* wds go on, not back */
    CHECK_OK(close(fd));

    /* Permission: reading the file, searching the way to it. */
    CHECK_OK(fs_write_file("secret", ""));
    CHECK_OK(chmod("secret", 0200));
    CHECK_OK(mkdir("locked", 0700));
    CHECK_OK(fs_write_file("locked/f", ""));
    CHECK_OK(fs_write_file("open", ""));
    CHECK_OK(chmod(".", 0755));
    FS_AS_USER(1000, 1000, unprivileged);
    uid_t lonely = 200000 + (uid_t)getpid();
    FS_AS_USER(lonely, lonely, many_instances);

    /* The instance's file. */
    CHECK_ERR(write(in, "x", 1), EBADF);
    CHECK_ERR(pread(in, buf, 1, 0), ESPIPE);
    CHECK_RET(lseek(in, 10, SEEK_SET), 0);
    CHECK_OK(fstat(in, &st));
    CHECK_RET(st.st_mode, 0600);
    CHECK_RET(fcntl(in, F_GETFL), O_RDONLY | O_NONBLOCK);
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", in);
    ssize_t n = readlink(path, link, sizeof link - 1);
    CHECK(n > 0);
    link[n > 0 ? n : 0] = 0;
    printf("link: %s\n", link);
    CHECK_ERR(ioctl(in, FIONREAD, (int *)8), EFAULT);
    CHECK_ERR(ioctl(in, TCGETS, buf), ENOTTY);
    CHECK_ERR(ioctl(in, INOTIFY_IOC_SETNEXTWD, 0L), EINVAL);
    CHECK_ERR(ioctl(in, INOTIFY_IOC_SETNEXTWD, -1L), EINVAL);
    CHECK_ERR(ioctl(in, INOTIFY_IOC_SETNEXTWD, 1L << 31), EINVAL);
    CHECK_OK(ioctl(in, INOTIFY_IOC_SETNEXTWD, 40L));
    CHECK_RET(inotify_add_watch(in, "d", IN_OPEN), wd); /* an existing watch keeps its wd */
    CHECK_OK(fs_write_file("n1", ""));
    CHECK_OK(fs_write_file("n2", ""));
    CHECK_RET(inotify_add_watch(in, "n1", IN_ATTRIB), 40);
    CHECK_OK(ioctl(in, INOTIFY_IOC_SETNEXTWD, 40L));
    CHECK_RET(inotify_add_watch(in, "n2", IN_ATTRIB), 41); /* 40 is taken */

    /* Reading: whole events only. */
    CHECK_OK(close(open("f", O_RDONLY))); /* OPEN on f, no name */
    CHECK_ERR(read(in, buf, 0), EINVAL);
    CHECK_ERR(read(in, buf, sizeof(struct inotify_event) - 1), EINVAL);
    CHECK_ERR(syscall(SYS_read, in, 8L, sizeof buf), EFAULT);
    CHECK_ERR(read(in, buf, 0), EAGAIN); /* that event is gone */
    CHECK_OK(close(open("f", O_RDONLY)));
    CHECK_RET(read(in, buf, sizeof *ev), (long)sizeof *ev);
    CHECK(ev->wd == 5 && ev->mask == IN_OPEN && ev->len == 0);
    CHECK_OK(close(in));

    fs_leave_scratch();
    return check_status();
}
