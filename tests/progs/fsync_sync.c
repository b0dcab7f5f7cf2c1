/* fsync, fdatasync, sync, syncfs and sync_file_range: they succeed on regular
 * files (read-only descriptors too) and directories and leave the data and
 * offset alone; fsync/fdatasync on a pipe or socket are EINVAL; syncfs works
 * on any descriptor of a filesystem (EBADF otherwise); sync_file_range rejects
 * unknown flags and negative offsets or lengths (EINVAL) and pipes (ESPIPE);
 * EBADF for closed descriptors. */
#include "fs_util.h"
#include <sys/socket.h>

int main(void) {
    char buf[16];
    fs_enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    CHECK_RET(write(fd, "durable", 7), 7);
    CHECK_OK(fsync(fd));
    CHECK_OK(fdatasync(fd));
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 7);
    CHECK_RET(pread(fd, buf, sizeof buf, 0), 7);
    int ro = open("f", O_RDONLY);
    CHECK_OK(fsync(ro));
    CHECK_OK(fdatasync(ro));
    CHECK_OK(mkdir("d", 0755));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fsync(dfd));
    CHECK_OK(fdatasync(dfd));
    sync();
    CHECK_OK(syncfs(fd));
    CHECK_OK(syncfs(dfd));
    CHECK_OK(syncfs(ro));

    /* sync_file_range. */
    CHECK_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    CHECK_OK(sync_file_range(fd, 0, 7, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                           SYNC_FILE_RANGE_WAIT_AFTER));
    CHECK_OK(sync_file_range(fd, 0, 0, 0));
    CHECK_ERR(sync_file_range(fd, 0, 0, 8), EINVAL);
    CHECK_ERR(sync_file_range(fd, -1, 0, SYNC_FILE_RANGE_WRITE), EINVAL);
    CHECK_ERR(sync_file_range(fd, 0, -1, SYNC_FILE_RANGE_WRITE), EINVAL);
    CHECK_ERR(sync_file_range(99, 0, 0, SYNC_FILE_RANGE_WRITE), EBADF);

    /* Things that are not files. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fsync(p[0]), EINVAL);
    CHECK_ERR(fdatasync(p[1]), EINVAL);
    CHECK_ERR(sync_file_range(p[1], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
    close(p[0]);
    close(p[1]);
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_ERR(fsync(sv[0]), EINVAL);
    close(sv[0]);
    close(sv[1]);
    CHECK_ERR(fsync(99), EBADF);
    CHECK_ERR(fdatasync(-1), EBADF);
    CHECK_ERR(syncfs(99), EBADF);

    CHECK_OK(close(dfd));
    CHECK_OK(close(ro));
    CHECK_OK(close(fd));
    fs_leave_scratch();
    return check_status();
}
