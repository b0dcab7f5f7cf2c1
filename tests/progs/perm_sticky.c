/* The sticky bit on a world-writable directory (like /tmp): anyone may create,
 * but only the file's owner, the directory's owner or root may unlink, rename
 * away, rename over or rmdir an entry (EPERM for others); without the sticky
 * bit anyone with write permission may; the owner of a sticky directory may
 * remove anything in it; writing into another user's file still follows its
 * mode. Users 1000 and 2000 act in forked children; no existing file of
 * another user is opened with O_CREAT (that is the protected_regular sysctl's
 * business). */
#include "fs_util.h"

static int run_as(uid_t uid, void (*fn)(void)) {
    pid_t pid = fork();
    if (pid == 0) {
        fs_drop_privs(uid, uid, 0, NULL);
        fn();
        _exit(check_status());
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void user1000_creates(void) {
    CHECK_OK(fs_write_file("sticky/a1000", "a"));
    CHECK_OK(fs_write_file("sticky/b1000", "b"));
    CHECK_OK(fs_write_file("sticky/c1000", "c"));
    CHECK_OK(mkdir("sticky/d1000", 0755));
    CHECK_OK(fs_write_file("plain/a1000", "a"));
    CHECK_OK(fs_write_file("owned/a1000", "a"));
    CHECK_OK(chmod("sticky/c1000", 0666));
}

static void user2000_tries(void) {
    struct stat st;
    CHECK_OK(fs_write_file("sticky/x2000", "x")); /* creating is fine */
    CHECK_ERR(unlink("sticky/a1000"), EPERM);
    CHECK_ERR(rename("sticky/a1000", "sticky/mine"), EPERM);
    CHECK_ERR(rename("sticky/x2000", "sticky/b1000"), EPERM); /* replacing */
    CHECK_ERR(rmdir("sticky/d1000"), EPERM);
    CHECK_ERR(rename("sticky/d1000", "sticky/d2000"), EPERM);
    CHECK_OK(lstat("sticky/a1000", &st));
    CHECK_OK(lstat("sticky/b1000", &st));
    /* The file's mode still governs its contents. */
    int fd = open("sticky/c1000", O_WRONLY);
    CHECK(fd >= 0);
    CHECK_RET(write(fd, "C", 1), 1);
    close(fd);
    CHECK_ERR(open("sticky/a1000", O_WRONLY), EACCES);
    /* Our own entries are ours to remove. */
    CHECK_OK(rename("sticky/x2000", "sticky/y2000"));
    CHECK_OK(unlink("sticky/y2000"));
    /* Without the sticky bit, write permission on the directory suffices. */
    CHECK_OK(rename("plain/a1000", "plain/taken"));
    CHECK_OK(unlink("plain/taken"));
}

static void user1000_owns_dir(void) {
    /* "owned" is 1000's sticky directory: 2000's file can go. */
    CHECK_OK(unlink("owned/x2000"));
    CHECK_OK(unlink("sticky/a1000"));
}

static void user2000_in_owned(void) {
    CHECK_OK(fs_write_file("owned/x2000", "x"));
    CHECK_ERR(unlink("owned/a1000"), EPERM);
}

int main(void) {
    struct stat st;
    umask(022);
    fs_enter_scratch();
    CHECK_OK(chmod(fs_scratch, 0755));
    CHECK_OK(mkdir("sticky", 0777));
    CHECK_OK(chmod("sticky", 01777));
    CHECK_OK(mkdir("plain", 0777));
    CHECK_OK(chmod("plain", 0777));
    CHECK_OK(mkdir("owned", 0777));
    CHECK_OK(chown("owned", 1000, 1000));
    CHECK_OK(chmod("owned", 01777));
    CHECK_OK(stat("sticky", &st));
    CHECK_RET(st.st_mode & 07777, 01777);

    CHECK(run_as(1000, user1000_creates));
    CHECK(run_as(2000, user2000_tries));
    CHECK(run_as(2000, user2000_in_owned));
    CHECK(run_as(1000, user1000_owns_dir));
    char buf[8];
    CHECK_RET(fs_read_file("sticky/c1000", buf, sizeof buf), 1);
    CHECK(buf[0] == 'C');

    /* Root may remove anything. */
    CHECK_OK(unlink("sticky/b1000"));
    CHECK_OK(rmdir("sticky/d1000"));
    CHECK_OK(unlink("owned/a1000"));

    fs_leave_scratch();
    return check_status();
}
