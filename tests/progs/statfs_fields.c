/* statfs and fstatfs: whatever filesystem /tmp is, a file, its directory, a
 * descriptor of it and an O_PATH descriptor all report the same type, block
 * size, fragment size, name length (255), total blocks and fsid; f_flags
 * carries ST_VALID; free <= total, available <= free; statvfs agrees; a pipe
 * is on pipefs; errors: ENOENT, ENOTDIR, EFAULT, EBADF, ELOOP. */
#include "fs_util.h"
#include <sys/statfs.h>
#include <sys/statvfs.h>

#define PIPEFS_MAGIC 0x50495045
#define ST_VALID 0x0020 /* the kernel's flag: f_flags is filled in */

static int same(const struct statfs *a, const struct statfs *b) {
    return a->f_type == b->f_type && a->f_bsize == b->f_bsize && a->f_frsize == b->f_frsize &&
           a->f_namelen == b->f_namelen && a->f_blocks == b->f_blocks &&
           memcmp(&a->f_fsid, &b->f_fsid, sizeof a->f_fsid) == 0;
}

int main(void) {
    struct statfs a, b, c, d;
    fs_enter_scratch();
    CHECK_OK(fs_write_file("f", "x"));
    CHECK_OK(mkdir("d", 0755));

    CHECK_OK(statfs("f", &a));
    CHECK_OK(statfs("d", &b));
    CHECK_OK(statfs(".", &c));
    int fd = open("f", O_RDONLY);
    CHECK_OK(fstatfs(fd, &d));
    CHECK(same(&a, &b) && same(&a, &c) && same(&a, &d));
    int pfd = open("d", O_PATH);
    CHECK_OK(fstatfs(pfd, &d));
    CHECK(same(&a, &d));
    CHECK_OK(close(pfd));
    CHECK_RET(a.f_namelen, 255);
    CHECK(a.f_bsize > 0 && a.f_frsize > 0);
    CHECK(a.f_flags & ST_VALID);
    CHECK(a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_bfree);
    CHECK(a.f_ffree <= a.f_files);
    CHECK_OK(symlink("d", "ld"));
    CHECK_OK(statfs("ld", &b));
    CHECK(same(&a, &b));

    struct statvfs v;
    CHECK_OK(statvfs("f", &v));
    CHECK_RET(v.f_namemax, 255);
    CHECK(v.f_bsize == (unsigned long)a.f_bsize && v.f_blocks == a.f_blocks);
    CHECK_OK(fstatvfs(fd, &v));
    CHECK_RET(v.f_namemax, 255);

    /* A pipe. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fstatfs(p[0], &b));
    CHECK_RET(b.f_type, PIPEFS_MAGIC);
    close(p[0]);
    close(p[1]);

    /* Errors. */
    CHECK_ERR(statfs("missing", &b), ENOENT);
    CHECK_ERR(statfs("f/x", &b), ENOTDIR);
    CHECK_ERR(statfs((char *)1, &b), EFAULT);
    CHECK_ERR(syscall(SYS_statfs, "f", (void *)1), EFAULT);
    CHECK_ERR(syscall(SYS_fstatfs, fd, (void *)1), EFAULT);
    CHECK_ERR(fstatfs(99, &b), EBADF);
    CHECK_OK(symlink("loop", "loop"));
    CHECK_ERR(statfs("loop", &b), ELOOP);
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
