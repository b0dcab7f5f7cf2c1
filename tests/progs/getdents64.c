/* getdents64 (and the old getdents) on a directory this program filled: every
 * name exactly once with "." and "..", d_type per file type, d_ino matching
 * lstat, 8-byte aligned records, the end reported as 0 and staying 0, small
 * buffers (EINVAL below one record, one record at a time works), lseek(fd, 0,
 * SEEK_SET) restarting, entries added or removed showing up after a restart, a
 * few hundred names through a small buffer; errors: ENOTDIR on a file, EBADF,
 * EFAULT, EINVAL for a zero count, ENOENT once the directory is removed. Names
 * are sorted before printing. */
#include "fs_util.h"

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char names[512][64];
static int nnames;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

/* Reads the whole directory with a buffer of `size` bytes, collecting
 * "name:type" strings; returns the number of getdents64 calls or -errno. */
static int slurp(int fd, size_t size, int check_ino) {
    static char buf[65536];
    int calls = 0;
    nnames = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, size);
        if (n < 0)
            return -errno;
        calls++;
        if (n == 0)
            break;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (void *)(buf + off);
            if (d->d_reclen % 8 != 0 || d->d_reclen == 0) {
                printf("FAIL reclen %d\n", d->d_reclen);
                check_failed = 1;
                return -EINVAL;
            }
            if (check_ino && strcmp(d->d_name, "..") != 0) {
                struct stat st;
                if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                    st.st_ino != d->d_ino) {
                    printf("FAIL d_ino of %s\n", d->d_name);
                    check_failed = 1;
                }
            }
            if (nnames < 512)
                snprintf(names[nnames++], 64, "%s:%d", d->d_name, d->d_type);
            off += d->d_reclen;
        }
    }
    qsort(names, nnames, sizeof names[0], cmp);
    return calls;
}

static void show(void) {
    printf("entries:");
    for (int i = 0; i < nnames; i++)
        printf(" %s", names[i]);
    printf("\n");
}

int main(void) {
    char buf[512];
    fs_enter_scratch();
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(fs_write_file("d/a", "a"));
    CHECK_OK(fs_write_file("d/bb", "b"));
    CHECK_OK(mkdir("d/sub", 0755));
    CHECK_OK(symlink("a", "d/link"));
    CHECK_OK(mkfifo("d/fifo", 0644));
    printf("DT_DIR=%d DT_REG=%d DT_LNK=%d DT_FIFO=%d\n", DT_DIR, DT_REG, DT_LNK, DT_FIFO);

    int fd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    CHECK(slurp(fd, sizeof buf, 1) >= 2);
    CHECK_RET(nnames, 7);
    show();
    CHECK_RET(syscall(SYS_getdents64, fd, buf, sizeof buf), 0); /* stays at the end */

    /* Restart, and one record at a time. */
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, 0), EINVAL);
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, 8), EINVAL);
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, 20), EINVAL); /* header + "." is 24 */
    long n = syscall(SYS_getdents64, fd, buf, 24);
    CHECK_RET(n, 24);
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK(slurp(fd, 32, 0) == 8); /* every record of these fits in 32 bytes */
    CHECK_RET(nnames, 7);
    show();

    /* Additions and removals appear after a restart. */
    CHECK_OK(fs_write_file("d/new", ""));
    CHECK_OK(unlink("d/bb"));
    CHECK_OK(rmdir("d/sub"));
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK(slurp(fd, sizeof buf, 1) >= 2);
    CHECK_RET(nnames, 6);
    show();
    CHECK_OK(close(fd));

    /* Many names through a small buffer. */
    CHECK_OK(mkdir("many", 0755));
    for (int i = 0; i < 300; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "many/file%03d", i);
        if (fs_write_file(nm, "") != 0)
            printf("FAIL create %s\n", nm);
    }
    fd = open("many", O_RDONLY | O_DIRECTORY);
    CHECK(slurp(fd, 200, 0) > 30);
    CHECK_RET(nnames, 302);
    int good = 1;
    for (int i = 0; i < 300; i++) {
        char want[32];
        snprintf(want, sizeof want, "file%03d:%d", i, DT_REG);
        if (strcmp(names[i + 2], want) != 0)
            good = 0;
    }
    CHECK(good);
    CHECK(strcmp(names[0], "..:4") == 0 && strcmp(names[1], ".:4") == 0);
    CHECK_OK(close(fd));

    /* The old getdents: d_type in the record's last byte. */
    fd = open("d", O_RDONLY | O_DIRECTORY);
    n = syscall(SYS_getdents, fd, buf, sizeof buf);
    CHECK(n > 0);
    int count = 0, types_ok = 1;
    for (long off = 0; off < n;) {
        unsigned short reclen = *(unsigned short *)(buf + off + 16);
        const char *nm = buf + off + 18;
        unsigned char type = buf[off + reclen - 1];
        if (strcmp(nm, "link") == 0 && type != DT_LNK)
            types_ok = 0;
        if (strcmp(nm, "fifo") == 0 && type != DT_FIFO)
            types_ok = 0;
        if (strcmp(nm, "a") == 0 && type != DT_REG)
            types_ok = 0;
        count++;
        off += reclen;
    }
    CHECK_RET(count, 6);
    CHECK(types_ok);
    CHECK_OK(close(fd));

    /* Errors. */
    fd = open("d/a", O_RDONLY);
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
    CHECK_OK(close(fd));
    CHECK_ERR(syscall(SYS_getdents64, 99, buf, sizeof buf), EBADF);
    fd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(syscall(SYS_getdents64, fd, (void *)1, sizeof buf), EFAULT);
    CHECK_OK(close(fd));
    CHECK_OK(mkdir("doomed", 0755));
    fd = open("doomed", O_RDONLY | O_DIRECTORY);
    CHECK_OK(rmdir("doomed"));
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof buf), ENOENT);
    CHECK_OK(close(fd));

    fs_leave_scratch();
    return check_status();
}
