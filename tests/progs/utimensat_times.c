/* utimensat, futimens, utimes, futimesat and utime: explicit times read back
 * to the nanosecond (microseconds for utimes), times before 1970, UTIME_OMIT
 * keeps a time, UTIME_NOW and a NULL array take the current time, both
 * UTIME_OMIT changes nothing (not even ctime), ctime moves otherwise;
 * AT_SYMLINK_NOFOLLOW sets a symlink's own times; a NULL path means the
 * descriptor; permissions: a writer who is not the owner may set "now" but not
 * explicit times (EPERM), a non-writer not even "now" (EACCES), yet both-OMIT
 * always succeeds; errors: EINVAL for bad tv_nsec, unknown flags, NULL path
 * with AT_SYMLINK_NOFOLLOW; ENOENT, EBADF, EFAULT. */
#include "fs_util.h"
#include <sys/time.h>
#include <time.h>
#include <utime.h>

static struct stat sb;
static int get(const char *p) { return lstat(p, &sb); }

static int near_now(time_t t) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return t >= now.tv_sec - 5 && t <= now.tv_sec + 1;
}

static void other_user(void) {
    /* "w" is writable by everyone, "r" is not; neither is ours. */
    struct timespec explicit_ts[2] = {{5, 0}, {6, 0}};
    struct timespec now_ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    struct timespec omit_ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    struct timespec mixed_ts[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    CHECK_OK(utimensat(AT_FDCWD, "w", NULL, 0));
    CHECK_OK(utimensat(AT_FDCWD, "w", now_ts, 0));
    CHECK_ERR(utimensat(AT_FDCWD, "w", explicit_ts, 0), EPERM);
    CHECK_ERR(utimensat(AT_FDCWD, "w", mixed_ts, 0), EPERM);
    CHECK_ERR(utimes("w", (struct timeval[2]){{5, 0}, {6, 0}}), EPERM);
    CHECK_OK(utimes("w", NULL));
    CHECK_ERR(utimensat(AT_FDCWD, "r", NULL, 0), EACCES);
    CHECK_ERR(utimensat(AT_FDCWD, "r", now_ts, 0), EACCES);
    CHECK_ERR(utimensat(AT_FDCWD, "r", explicit_ts, 0), EPERM);
    CHECK_OK(utimensat(AT_FDCWD, "r", omit_ts, 0));
    CHECK_OK(utimensat(AT_FDCWD, "mine", explicit_ts, 0)); /* the owner may */
    CHECK(get("mine") == 0 && sb.st_atime == 5 && sb.st_mtime == 6);
}

int main(void) {
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "x"));

    /* Explicit nanoseconds. */
    struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
    CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_atim.tv_sec == 1000000000 && sb.st_atim.tv_nsec == 123456789);
    CHECK(sb.st_mtim.tv_sec == 1100000000 && sb.st_mtim.tv_nsec == 987654321);
    CHECK(near_now(sb.st_ctime));
    struct timespec before1970[2] = {{-86400, 0}, {-1, 999999999}};
    CHECK_OK(utimensat(AT_FDCWD, "f", before1970, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_atim.tv_sec == -86400 && sb.st_mtim.tv_sec == -1 &&
          sb.st_mtim.tv_nsec == 999999999);
    struct timespec zero[2] = {{0, 0}, {0, 0}};
    CHECK_OK(utimensat(AT_FDCWD, "f", zero, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_atime == 0 && sb.st_mtime == 0 && sb.st_mtim.tv_nsec == 0);

    /* OMIT and NOW. */
    struct timespec omit_a[2] = {{0, UTIME_OMIT}, {2000, 0}};
    CHECK_OK(utimensat(AT_FDCWD, "f", omit_a, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_atime == 0 && sb.st_mtime == 2000);
    struct timespec now_a[2] = {{12345, UTIME_NOW}, {0, UTIME_OMIT}};
    CHECK_OK(utimensat(AT_FDCWD, "f", now_a, 0));
    CHECK_OK(get("f"));
    CHECK(near_now(sb.st_atime) && sb.st_mtime == 2000);
    CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
    CHECK_OK(get("f"));
    CHECK(near_now(sb.st_atime) && near_now(sb.st_mtime));
    /* Both OMIT: nothing changes, ctime included. */
    CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
    struct timespec old_ctime = (get("f"), sb.st_ctim);
    usleep(20000);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    CHECK_OK(utimensat(AT_FDCWD, "f", omit, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_ctim.tv_sec == old_ctime.tv_sec && sb.st_ctim.tv_nsec == old_ctime.tv_nsec);
    CHECK(sb.st_mtim.tv_nsec == 987654321);

    /* The other interfaces. */
    struct timeval tv[2] = {{3000, 5}, {4000, 999999}};
    CHECK_OK(utimes("f", tv));
    CHECK_OK(get("f"));
    CHECK(sb.st_atim.tv_sec == 3000 && sb.st_atim.tv_nsec == 5000);
    CHECK(sb.st_mtim.tv_sec == 4000 && sb.st_mtim.tv_nsec == 999999000);
    CHECK_OK(syscall(SYS_futimesat, AT_FDCWD, "f", tv));
    struct utimbuf ub = {5000, 6000};
    CHECK_OK(utime("f", &ub));
    CHECK_OK(get("f"));
    CHECK(sb.st_atime == 5000 && sb.st_mtime == 6000 && sb.st_mtim.tv_nsec == 0);
    int fd = open("f", O_RDONLY);
    CHECK_OK(futimens(fd, ts));
    CHECK_OK(get("f"));
    CHECK(sb.st_mtim.tv_nsec == 987654321);
    CHECK_OK(syscall(SYS_utimensat, fd, NULL, zero, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_mtime == 0);
    CHECK_ERR(syscall(SYS_utimensat, fd, NULL, zero, AT_SYMLINK_NOFOLLOW), EINVAL);
    CHECK_ERR(futimens(99, ts), EBADF);

    /* Symlinks. */
    CHECK_OK(symlink("f", "lf"));
    struct timespec lts[2] = {{7000, 1}, {8000, 2}};
    CHECK_OK(utimensat(AT_FDCWD, "lf", lts, AT_SYMLINK_NOFOLLOW));
    CHECK_OK(get("lf"));
    CHECK(sb.st_mtim.tv_sec == 8000 && sb.st_mtim.tv_nsec == 2);
    CHECK_OK(get("f"));
    CHECK(sb.st_mtime == 0);
    CHECK_OK(utimensat(AT_FDCWD, "lf", lts, 0));
    CHECK_OK(get("f"));
    CHECK(sb.st_mtim.tv_sec == 8000);

    /* Errors. */
    struct timespec bad1[2] = {{0, 1000000000}, {0, 0}};
    struct timespec bad2[2] = {{0, 0}, {0, -1}};
    CHECK_ERR(utimensat(AT_FDCWD, "f", bad1, 0), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "f", bad2, 0), EINVAL);
    struct timeval badtv[2] = {{0, 1000000}, {0, 0}};
    CHECK_ERR(utimes("f", badtv), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "f", ts, 0x1), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);
    CHECK_ERR(utimensat(99, "f", ts, 0), EBADF);
    CHECK_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", (void *)1, 0), EFAULT);
    CHECK_ERR(syscall(SYS_utimensat, AT_FDCWD, (char *)1, ts, 0), EFAULT);
    CHECK_OK(close(fd));

    /* Another user. */
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(fs_write_file("w", ""));
    CHECK_OK(chmod("w", 0666));
    CHECK_OK(fs_write_file("r", ""));
    CHECK_OK(chmod("r", 0644));
    CHECK_OK(fs_write_file("mine", ""));
    CHECK_OK(chown("mine", 65534, 65534));
    FS_AS_USER(65534, 65534, other_user);

    fs_leave_scratch();
    return check_status();
}
