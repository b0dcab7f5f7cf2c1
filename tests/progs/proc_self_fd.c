/* /proc/self/fd: each open descriptor is a symlink whose text is the file's
 * path (" (deleted)" appended once unlinked), "pipe:[ino]", "socket:[ino]",
 * "anon_inode:[eventfd]" or "/memfd:name (deleted)"; its lstat mode shows the
 * access mode (r-x, -wx, rwx for the owner); stat follows it to the file;
 * opening it reopens the file as a new open file description (own offset, own
 * access mode) even after unlink; a closed descriptor's entry is ENOENT; the
 * directory lists exactly the open descriptors; linkat(AT_SYMLINK_FOLLOW)
 * through an entry names an O_TMPFILE file; openat2 refuses the magic links
 * under RESOLVE_NO_MAGICLINKS (ELOOP). */
#include "fs_util.h"
#include <linux/openat2.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>

static const char *link_of(int fd) {
    static char buf[4][4200];
    static int next;
    char *b = buf[next++ % 4], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, b, sizeof buf[0] - 1);
    if (n < 0)
        return errno_name(errno);
    b[n] = 0;
    return b;
}

static int lmode(int fd) {
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return lstat(path, &st) == 0 ? (int)st.st_mode : -1;
}

int main(void) {
    char want[4200], path[64], buf[32];
    struct stat st, st2;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("file", "0123456789"));

    /* Paths and modes. */
    int r = open("file", O_RDONLY), w = open("file", O_WRONLY), rw = open("file", O_RDWR);
    snprintf(want, sizeof want, "%s/file", fs_scratch);
    CHECK(strcmp(link_of(r), want) == 0);
    CHECK(strcmp(link_of(w), want) == 0);
    CHECK_RET(lmode(r), S_IFLNK | 0500);
    CHECK_RET(lmode(w), S_IFLNK | 0300);
    CHECK_RET(lmode(rw), S_IFLNK | 0700);
    snprintf(path, sizeof path, "/proc/self/fd/%d", r);
    CHECK_OK(stat(path, &st));
    CHECK_OK(fstat(r, &st2));
    CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev && S_ISREG(st.st_mode));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(strcmp(link_of(dfd), fs_scratch) == 0);
    int pfd = open("file", O_PATH);
    CHECK(strcmp(link_of(pfd), want) == 0);

    /* Reopening: a new description. */
    CHECK_RET(lseek(r, 5, SEEK_SET), 5);
    snprintf(path, sizeof path, "/proc/self/fd/%d", r);
    int again = open(path, O_RDWR); /* a wider mode than r's own */
    CHECK(again >= 0);
    CHECK_RET(lseek(again, 0, SEEK_CUR), 0);
    CHECK_RET(read(again, buf, 3), 3);
    CHECK(memcmp(buf, "012", 3) == 0);
    CHECK_RET(lseek(r, 0, SEEK_CUR), 5);
    CHECK_RET(fcntl(again, F_GETFL) & O_ACCMODE, O_RDWR);
    close(again);
    snprintf(path, sizeof path, "/proc/self/fd/%d", pfd);
    again = open(path, O_RDONLY); /* an O_PATH descriptor can be upgraded */
    CHECK(again >= 0);
    close(again);

    /* Deleted files. */
    CHECK_OK(unlink("file"));
    snprintf(want, sizeof want, "%s/file (deleted)", fs_scratch);
    CHECK(strcmp(link_of(r), want) == 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", rw);
    again = open(path, O_RDONLY);
    CHECK(again >= 0);
    CHECK_RET(read(again, buf, 10), 10);
    close(again);

    /* Other kinds of files. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fstat(p[0], &st));
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
    CHECK(strcmp(link_of(p[0]), want) == 0);
    CHECK(strcmp(link_of(p[1]), want) == 0);
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(fstat(sv[0], &st));
    snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
    CHECK(strcmp(link_of(sv[0]), want) == 0);
    int efd = eventfd(0, 0);
    printf("eventfd link: %s\n", link_of(efd));
    int mfd = memfd_create("mine", 0);
    printf("memfd link: %s\n", link_of(mfd));

    /* A closed descriptor; the listing. */
    int closed = dup(r);
    close(closed);
    CHECK(strcmp(link_of(closed), "ENOENT") == 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", closed);
    CHECK_ERR(open(path, O_RDONLY), ENOENT);
    int listed = 0, open_count = 0;
    int lfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
    char dents[8192];
    long n;
    while ((n = syscall(SYS_getdents64, lfd, dents, sizeof dents)) > 0)
        for (long off = 0; off < n; off += *(unsigned short *)(dents + off + 16)) {
            const char *name = dents + off + 19;
            if (name[0] == '.')
                continue;
            listed++;
            if (fcntl(atoi(name), F_GETFD) != -1)
                open_count++;
        }
    close(lfd);
    CHECK(listed >= 12 && listed == open_count); /* every entry is an open fd */

    /* Naming an O_TMPFILE through its entry. */
    int tfd = open(".", O_TMPFILE | O_RDWR, 0600);
    CHECK_RET(write(tfd, "tmp", 3), 3);
    snprintf(path, sizeof path, "/proc/self/fd/%d", tfd);
    CHECK_OK(linkat(AT_FDCWD, path, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
    CHECK_RET(fs_read_file("named", buf, sizeof buf), 3);
    close(tfd);

    /* Magic links and openat2. */
    struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_NO_MAGICLINKS};
    snprintf(path, sizeof path, "/proc/self/fd/%d", dfd);
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how), ELOOP);
    how.resolve = 0;
    long fd2 = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
    CHECK(fd2 >= 0);
    close(fd2);
    how.resolve = RESOLVE_NO_SYMLINKS;
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how), ELOOP);
    how.flags = O_PATH | O_NOFOLLOW;
    how.resolve = RESOLVE_NO_MAGICLINKS;
    fd2 = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how); /* not followed */
    CHECK(fd2 >= 0);
    close(fd2);

    close(r);
    close(w);
    close(rw);
    close(dfd);
    close(pfd);
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
    close(efd);
    close(mfd);
    fs_leave_scratch();
    return check_status();
}
