/* Which file operations make which inotify events, with Linux's order:
 * open (OPEN, then MODIFY for O_TRUNC), read/pread/readv and write/pwrite/
 * writev (ACCESS, MODIFY; none for 0 bytes), close (CLOSE_WRITE for a
 * writable open, else CLOSE_NOWRITE; none for O_PATH), getdents (ACCESS with
 * ISDIR), sendfile/copy_file_range/splice (ACCESS on the source, MODIFY on
 * the target), truncate/ftruncate/fallocate (MODIFY), chmod/chown (ATTRIB;
 * chown(-1,-1) nothing), utimensat (both times ATTRIB, atime only ACCESS,
 * mtime only MODIFY), link (ATTRIB on the file, CREATE in the directory),
 * symlink/mknod/mkfifo (CREATE), a directory's own events carry ISDIR; an
 * unlinked open file: the directory still hears of it under its old name
 * (not with IN_EXCL_UNLINK), DELETE_SELF waits for the last close; rmdir of
 * an open directory; IN_ONESHOT; IN_MASK_ADD versus replacing the mask; two
 * instances each see the event; a closed instance's watches are gone. */
#include "fs_util.h"
#include "inotify_util.h"
#include <sys/sendfile.h>
#include <sys/uio.h>

int main(void) {
    char buf[64];
    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(fs_write_file("d/f", "hello"));
    CHECK_OK(fs_write_file("d/g", ""));
    int in = inotify_init1(IN_NONBLOCK);
    in_watch(in, "d", IN_ALL_EVENTS, "d");
    in_watch(in, "d/f", IN_ALL_EVENTS, "f");

    int fd = open("d/f", O_RDWR | O_TRUNC);
    in_drain(in, "open O_TRUNC");
    CHECK_RET(write(fd, "abc", 3), 3);
    CHECK_RET(write(fd, "", 0), 0);
    in_drain(in, "write, empty write");
    CHECK_RET(pread(fd, buf, 3, 0), 3);
    CHECK_RET(pread(fd, buf, 3, 100), 0);
    in_drain(in, "pread, pread at the end");
    struct iovec iov[2] = {{buf, 1}, {buf + 1, 1}};
    CHECK_RET(preadv(fd, iov, 2, 0), 2);
    CHECK_RET(pwritev(fd, iov, 2, 3), 2);
    in_drain(in, "preadv, pwritev");
    CHECK_OK(ftruncate(fd, 1));
    CHECK_OK(fallocate(fd, 0, 0, 10));
    in_drain(in, "ftruncate, fallocate");
    CHECK_OK(close(fd));
    in_drain(in, "close");
    fd = open("d/f", O_RDONLY);
    CHECK_OK(close(fd));
    fd = open("d/f", O_PATH);
    CHECK_OK(close(fd));
    in_drain(in, "read-only open and close, O_PATH");

    /* Copies. */
    int src = open("d/f", O_RDONLY), dst = open("d/g", O_WRONLY);
    in_drain(in, "opens");
    CHECK_RET(sendfile(dst, src, NULL, 4), 4);
    in_drain(in, "sendfile");
    off_t o = 0;
    CHECK_RET(copy_file_range(src, &o, dst, NULL, 2, 0), 2);
    in_drain(in, "copy_file_range");
    int p[2];
    CHECK_OK(pipe(p));
    o = 0;
    CHECK_RET(splice(src, &o, p[1], NULL, 3, 0), 3);
    in_drain(in, "splice file to pipe");
    CHECK_RET(splice(p[0], NULL, dst, NULL, 3, 0), 3);
    in_drain(in, "splice pipe to file");
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));
    CHECK_OK(close(src));
    CHECK_OK(close(dst));
    in_drain(in, "closes");

    /* Attributes. */
    CHECK_OK(chmod("d/f", 0600));
    CHECK_OK(chown("d/f", 0, 0));
    CHECK_OK(chown("d/f", -1, -1));
    in_drain(in, "chmod, chown, chown -1 -1");
    struct timespec ts[2] = {{1, 0}, {2, 0}};
    CHECK_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    ts[1].tv_nsec = UTIME_OMIT;
    CHECK_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    in_drain(in, "utimensat both, atime only");
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_nsec = 0;
    CHECK_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    ts[1].tv_nsec = UTIME_OMIT;
    CHECK_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    in_drain(in, "utimensat mtime only, neither");
    CHECK_OK(truncate("d/f", 0));
    in_drain(in, "truncate");
    CHECK_OK(chmod("d", 0755));
    in_drain(in, "chmod the directory");

    /* Names. */
    CHECK_OK(link("d/f", "d/f2"));
    CHECK_OK(symlink("f", "d/sl"));
    CHECK_OK(mknod("d/node", S_IFREG | 0644, 0));
    CHECK_OK(mkfifo("d/fifo", 0644));
    in_drain(in, "link, symlink, mknod, mkfifo");
    fd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK(syscall(SYS_getdents64, fd, buf, sizeof buf) > 0);
    CHECK_OK(close(fd));
    in_drain(in, "getdents");

    /* Unlinked while open. */
    CHECK_OK(unlink("d/f2"));
    fd = open("d/f", O_RDWR);
    CHECK_OK(unlink("d/f"));
    in_drain(in, "unlink both names, one open");
    CHECK_RET(write(fd, "x", 1), 1);
    in_drain(in, "write after unlink");
    CHECK_OK(close(fd));
    in_drain(in, "last close");
    CHECK_OK(fs_write_file("d/h", ""));
    in_watch(in, "d", IN_ALL_EVENTS | IN_EXCL_UNLINK, "d");
    in_watch(in, "d/h", IN_ALL_EVENTS | IN_EXCL_UNLINK, "h");
    fd = open("d/h", O_RDWR);
    CHECK_OK(unlink("d/h"));
    CHECK_RET(write(fd, "x", 1), 1);
    CHECK_OK(close(fd));
    in_drain(in, "IN_EXCL_UNLINK");

    /* An open directory removed. */
    CHECK_OK(mkdir("d/sub", 0755));
    in_watch(in, "d/sub", IN_ALL_EVENTS, "sub");
    fd = open("d/sub", O_RDONLY | O_DIRECTORY);
    CHECK_OK(rmdir("d/sub"));
    in_drain(in, "rmdir an open directory");
    CHECK_OK(close(fd));
    in_drain(in, "its close");

    /* IN_ONESHOT, IN_MASK_ADD, replacing. */
    CHECK_OK(fs_write_file("d/k", ""));
    in_watch(in, "d", IN_DELETE, "d");
    in_watch(in, "d/k", IN_ATTRIB | IN_ONESHOT, "k");
    in_drain(in, "setup");
    CHECK_OK(chmod("d/k", 0600));
    CHECK_OK(chmod("d/k", 0644));
    in_drain(in, "oneshot");
    in_watch(in, "d/k", IN_OPEN, "k");
    in_watch(in, "d/k", IN_CLOSE | IN_MASK_ADD, "k");
    CHECK_OK(close(open("d/k", O_RDONLY)));
    in_drain(in, "open|close added");
    in_watch(in, "d/k", IN_ATTRIB, "k");
    CHECK_OK(close(open("d/k", O_RDONLY)));
    CHECK_OK(chmod("d/k", 0600));
    in_drain(in, "replaced by attrib");

    /* Two instances; a closed one's watches are gone. */
    int in2 = inotify_init1(IN_NONBLOCK);
    CHECK_RET(inotify_add_watch(in2, "d/k", IN_ATTRIB), 1);
    CHECK_OK(chmod("d/k", 0644));
    CHECK_RET(in_drain(in, "first instance"), 1);
    CHECK_RET(in_drain(in2, "second instance"), 1);
    CHECK_OK(close(in2));
    CHECK_OK(chmod("d/k", 0600));
    CHECK_RET(in_drain(in, "after the second closed"), 1);

    CHECK_OK(close(in));
    fs_leave_scratch();
    return check_status();
}
