/* Pipe ping-pong between two processes: 10,000 round trips over a pair of
 * pipes (parent sends n, child answers n + 1), then EOF shuts the child
 * down; every answer is right, and the child reports its own count through
 * its exit status and one final message. */
#include "check.h"
#include <stdint.h>
#include <sys/wait.h>

#define ROUNDS 10000

static int read_u32(int fd, uint32_t *v) {
    size_t got = 0;
    while (got < sizeof *v) {
        ssize_t r = read(fd, (char *)v + got, sizeof *v - got);
        if (r <= 0)
            return r == 0 && got == 0 ? 0 : -1;
        got += r;
    }
    return 1;
}

int main(void) {
    int down[2], up[2];
    CHECK_OK(pipe(down));
    CHECK_OK(pipe(up));
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        uint32_t v, seen = 0;
        int r;
        while ((r = read_u32(down[0], &v)) == 1) {
            if (v != 2 * seen)
                _exit(2);
            seen++;
            v++;
            if (write(up[1], &v, sizeof v) != sizeof v)
                _exit(3);
        }
        if (r != 0)
            _exit(4);
        /* EOF: report how many we answered, and exit. */
        if (write(up[1], &seen, sizeof seen) != sizeof seen)
            _exit(5);
        _exit(seen == ROUNDS ? 0 : 6);
    }
    close(down[0]);
    close(up[1]);
    int wrong = 0, io = 0;
    for (uint32_t i = 0; i < ROUNDS; i++) {
        uint32_t v = 2 * i, back;
        if (write(down[1], &v, sizeof v) != sizeof v || read_u32(up[0], &back) != 1)
            io++;
        else if (back != v + 1)
            wrong++;
    }
    CHECK_RET(io, 0);
    CHECK_RET(wrong, 0);
    CHECK_OK(close(down[1]));
    uint32_t seen = 0;
    CHECK_RET(read_u32(up[0], &seen), 1);
    CHECK_RET(seen, ROUNDS);
    CHECK_RET(read_u32(up[0], &seen), 0); /* the child is gone: EOF */
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(up[0]);
    return check_status();
}
