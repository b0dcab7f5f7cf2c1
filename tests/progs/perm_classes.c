/* Permission checks for an unprivileged user (uid 1000, groups 1000 and 2000):
 * exactly one class applies (owner, else group including supplementary groups,
 * else other), so an owner with mode 0077 is locked out; reading, writing
 * (EACCES for a read-only file, even with O_TRUNC or O_APPEND) and executing
 * (execve EACCES without x; x without r is enough for a binary); directories:
 * listing needs r, lookups need x on every prefix (EACCES even for missing
 * names), creating and unlinking need w+x on the directory but nothing on the
 * file, renaming needs w on both parents; supplementary groups count, and
 * without them the "other" class applies instead (which may grant more). The
 * program re-executes itself (argv[0]) for the exec checks. */
#include "fs_util.h"

static const char *self;

static int try_open(const char *p, int flags) {
    int fd = open(p, flags);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int try_exec(const char *p) {
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {(char *)p, "exec-probe", NULL};
        execv(p, argv);
        _exit(errno == EACCES ? 13 : 99);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 42)
        return 0;
    errno = WIFEXITED(st) && WEXITSTATUS(st) == 13 ? EACCES : EIO;
    return -1;
}

static void as_user(void) {
    char buf[64];
    /* Files. */
    CHECK_OK(try_open("own600", O_RDWR));
    CHECK_ERR(try_open("own077", O_RDONLY), EACCES);
    CHECK_ERR(try_open("own077", O_WRONLY), EACCES);
    CHECK_OK(try_open("grp060", O_RDWR));  /* via supplementary group 2000 */
    CHECK_ERR(try_open("grp606", O_RDONLY), EACCES);
    CHECK_OK(try_open("oth004", O_RDONLY));
    CHECK_ERR(try_open("oth004", O_WRONLY), EACCES);
    CHECK_ERR(try_open("oth004", O_RDONLY | O_TRUNC), EACCES);
    CHECK_ERR(try_open("oth004", O_WRONLY | O_APPEND), EACCES);
    CHECK_ERR(try_open("oth004", O_RDWR), EACCES);
    CHECK_ERR(truncate("oth004", 0), EACCES);
    CHECK_OK(try_open("oth002", O_WRONLY)); /* write-only is possible */
    CHECK_ERR(try_open("oth002", O_RDONLY), EACCES);
    int fd = open("oth002", O_WRONLY);
    CHECK_RET(write(fd, "w", 1), 1);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    close(fd);

    /* Execution. */
    CHECK_OK(try_exec("./prog711"));
    CHECK_ERR(try_exec("./prog744"), EACCES);
    CHECK_ERR(try_exec("./prog070"), EACCES); /* group class: no x for 1000's group */

    /* Directories. */
    CHECK_ERR(try_open("d_noread", O_RDONLY | O_DIRECTORY), EACCES);
    CHECK_OK(try_open("d_noread/f", O_RDONLY)); /* x is enough to look up */
    CHECK_OK(try_open("d_nosearch", O_RDONLY | O_DIRECTORY)); /* r lists... */
    CHECK_ERR(try_open("d_nosearch/f", O_RDONLY), EACCES);  /* ...but x looks up */
    CHECK_ERR(try_open("d_nosearch/missing", O_RDONLY), EACCES);
    CHECK_ERR(try_open("d_nosearch/sub/deeper", O_RDONLY), EACCES);
    CHECK_ERR(open("d_rx/new", O_WRONLY | O_CREAT, 0644), EACCES);
    CHECK_ERR(unlink("d_rx/f"), EACCES);
    CHECK_ERR(mkdir("d_rx/sub", 0755), EACCES);
    CHECK_ERR(rename("d_rx/f", "d_open/f"), EACCES);
    CHECK_ERR(rename("d_open/g", "d_rx/g"), EACCES);
    CHECK_ERR(open("d_wonly/new", O_WRONLY | O_CREAT, 0644), EACCES); /* w without x */
    fd = open("d_open/new", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    close(fd);
    CHECK_OK(unlink("d_open/roots000")); /* the file's own mode does not matter */
    CHECK_OK(rename("d_open/g", "d_open/h"));
    CHECK_OK(rmdir("d_open/rootsub")); /* another owner's empty dir, in our dir */
    struct stat st;
    CHECK_ERR(stat("d_nosearch/f", &st), EACCES);
    CHECK_OK(stat("d_noread/f", &st));
    CHECK_ERR(setgroups(0, NULL), EPERM); /* the groups cannot be shed without CAP_SETGID */
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec-probe") == 0)
        return 42;
    self = argv[0];
    umask(0);
    fs_enter_scratch();
    CHECK_OK(chmod(fs_scratch, 0755));

    const struct {
        const char *name;
        uid_t uid;
        gid_t gid;
        mode_t mode;
    } files[] = {{"own600", 1000, 0, 0600}, {"own077", 1000, 0, 0077},
                 {"grp060", 0, 2000, 0060}, {"grp606", 0, 2000, 0606},
                 {"oth004", 0, 0, 0004},    {"oth002", 0, 0, 0002}};
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
        if (fs_write_file(files[i].name, "data") || chown(files[i].name, files[i].uid, files[i].gid) ||
            chmod(files[i].name, files[i].mode))
            printf("FAIL setup %s\n", files[i].name);

    /* Copies of this program for execve. */
    int in = open(self, O_RDONLY), ok = in >= 0;
    static char chunk[1 << 16];
    const char *progs[] = {"prog711", "prog744", "prog070"};
    const mode_t pmodes[] = {0711, 0744, 0070};
    for (int i = 0; i < 3 && ok; i++) {
        int out = open(progs[i], O_WRONLY | O_CREAT | O_TRUNC, 0700);
        ssize_t n;
        lseek(in, 0, SEEK_SET);
        while ((n = read(in, chunk, sizeof chunk)) > 0)
            if (write(out, chunk, n) != n)
                ok = 0;
        close(out);
        if (chmod(progs[i], pmodes[i]) != 0)
            ok = 0;
    }
    CHECK(ok);
    close(in);
    CHECK_OK(chown("prog070", 0, 0));

    CHECK_OK(mkdir("d_noread", 0311));
    CHECK_OK(fs_write_file("d_noread/f", ""));
    CHECK_OK(chmod("d_noread/f", 0644));
    CHECK_OK(mkdir("d_nosearch", 0644));
    CHECK_OK(fs_write_file("d_nosearch/f", ""));
    CHECK_OK(mkdir("d_rx", 0755));
    CHECK_OK(fs_write_file("d_rx/f", ""));
    CHECK_OK(mkdir("d_wonly", 0733 & ~0111));
    CHECK_OK(mkdir("d_open", 0777));
    CHECK_OK(fs_write_file("d_open/g", ""));
    CHECK_OK(fs_write_file("d_open/roots000", ""));
    CHECK_OK(chmod("d_open/roots000", 0));
    CHECK_OK(mkdir("d_open/rootsub", 0700));

    pid_t pid = fork();
    if (pid == 0) {
        gid_t groups[2] = {1000, 2000};
        fs_drop_privs(1000, 1000, 2, groups);
        as_user();
        _exit(check_status());
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* The same user without group 2000. */
    pid = fork();
    if (pid == 0) {
        gid_t groups[1] = {1000};
        fs_drop_privs(1000, 1000, 1, groups);
        CHECK_ERR(try_open("grp060", O_RDONLY), EACCES);
        CHECK_OK(try_open("grp606", O_RDONLY)); /* now "other" applies: rw- */
        _exit(check_status());
    }
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    fs_leave_scratch();
    return check_status();
}
