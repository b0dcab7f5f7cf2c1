/* Sockets bound to filesystem paths: bind makes an S_IFSOCK node with
 * mode 0777 less the umask, and getsockname reports the path with its NUL;
 * a name that exists is EADDRINUSE (a socket's node outlives the socket
 * until unlinked); a bound socket cannot bind again (EINVAL, and the new
 * name is not left behind); missing directories are ENOENT, a file in
 * the way ENOTDIR, a trailing slash ENOENT, a name too long for
 * NAME_MAX (reached through a symlink) ENAMETOOLONG. open(2) of the node is ENXIO.
 * Addresses: too short or too long, or not AF_UNIX, EINVAL; the path ends
 * at the first NUL. */
#include "unix_util.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    struct sockaddr_un a, b;
    socklen_t al, bl;
    struct stat st;
    int s, t;

    umask(022);
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    al = unix_path(&a, "sock");
    CHECK_OK(bind(s, (struct sockaddr *)&a, al));
    CHECK_OK(stat(a.sun_path, &st));
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_RET(st.st_mode & 07777, 0755);
    CHECK_RET(st.st_size, 0);
    bl = sizeof b;
    memset(&b, 'x', sizeof b);
    CHECK_OK(getsockname(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);
    CHECK(strcmp(b.sun_path, a.sun_path) == 0);
    CHECK_ERR(open(a.sun_path, O_RDWR), ENXIO);
    CHECK_ERR(open(a.sun_path, O_RDONLY), ENXIO);

    /* A short buffer takes a prefix; the length is the whole address. */
    bl = 5;
    memset(&b, 'x', sizeof b);
    CHECK_OK(getsockname(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);
    CHECK(b.sun_path[3] == 'x' && memcmp(b.sun_path, a.sun_path, 3) == 0);
    bl = (socklen_t)-1;
    CHECK_ERR(getsockname(s, (struct sockaddr *)&b, &bl), EINVAL);
    CHECK_ERR(getsockname(s, (struct sockaddr *)&b, unix_bad_ptr), EFAULT);
    bl = sizeof b;
    CHECK_ERR(getpeername(s, (struct sockaddr *)&b, &bl), ENOTCONN);

    /* Bound already: EINVAL, and the name it asked for does not stay. */
    al = unix_path(&b, "second");
    CHECK_ERR(bind(s, (struct sockaddr *)&b, al), EINVAL);
    CHECK_ERR(access(b.sun_path, F_OK), ENOENT);

    /* The name is taken, by a live socket or by what it left behind. */
    CHECK_OK(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    al = unix_path(&a, "sock");
    CHECK_ERR(bind(t, (struct sockaddr *)&a, al), EADDRINUSE);
    CHECK_OK(close(s));
    CHECK_ERR(bind(t, (struct sockaddr *)&a, al), EADDRINUSE);
    CHECK_OK(unlink(a.sun_path));
    CHECK_OK(bind(t, (struct sockaddr *)&a, al));
    CHECK_OK(close(t));
    /* A regular file in the way. */
    al = unix_path(&a, "file");
    CHECK_OK(t = open(a.sun_path, O_CREAT | O_WRONLY, 0600));
    CHECK_OK(close(t));
    CHECK_OK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), EADDRINUSE);
    al = unix_path(&a, "file/sub");
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), ENOTDIR);
    al = unix_path(&a, "nodir/sub");
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), ENOENT);
    al = unix_path(&a, "slash/");
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), ENOENT);

    /* The path is walked as any other: a name longer than NAME_MAX met
     * through a symlink is ENAMETOOLONG, a symlink loop ELOOP. */
    char target[300];
    memset(target, 'n', 299);
    target[299] = 0;
    al = unix_path(&a, "longlink");
    CHECK_OK(symlink(target, a.sun_path));
    al = unix_path(&a, "longlink/sock");
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), ENAMETOOLONG);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, al), ENAMETOOLONG);
    al = unix_path(&a, "loop");
    CHECK_OK(symlink(a.sun_path, a.sun_path));
    CHECK_ERR(connect(s, (struct sockaddr *)&a, al), ELOOP);
    /* bind does not follow a symlink at the end: the name is taken. */
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), EADDRINUSE);

    /* Address checks. */
    al = unix_path(&a, "ok");
    CHECK_ERR(bind(s, (struct sockaddr *)&a, 1), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, 0), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, 129), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, (socklen_t)-1), EINVAL);
    CHECK_ERR(bind(s, unix_bad_ptr, al), EFAULT);
    a.sun_family = AF_INET;
    CHECK_ERR(bind(s, (struct sockaddr *)&a, al), EINVAL);
    a.sun_family = AF_UNIX;
    /* A length past the NUL is fine: the path ends at the NUL. */
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    bl = sizeof b;
    CHECK_OK(getsockname(s, (struct sockaddr *)&b, &bl));
    CHECK_RET(bl, al);
    CHECK_OK(close(s));

    /* A path of 108 bytes with no NUL, within the address length. */
    char dirname[200];
    snprintf(dirname, sizeof dirname, "%s", unix_tmpdir());
    CHECK_OK(chdir(dirname));
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memset(a.sun_path, 'L', sizeof a.sun_path);
    CHECK_OK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    bl = sizeof b + 1;
    struct sockaddr_storage big;
    CHECK_OK(getsockname(s, (struct sockaddr *)&big, &bl));
    CHECK_RET(bl, sizeof a + 1);
    char longname[120];
    memset(longname, 'L', 108);
    longname[108] = 0;
    CHECK_OK(stat(longname, &st));
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_OK(unlink(longname));
    CHECK_OK(close(s));
    CHECK_OK(chdir("/"));
    unix_cleanup();
    return check_status();
}
