/* prlimit64 on another process: the parent reads and sets a child's limit,
 * which the child then sees; a thread id names its process; a missing pid
 * is ESRCH, and so is a negative one. */
#include "check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

int main(void) {
    struct rlimit mine, got, set = {100, 200};
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &mine));
    int go[2];
    CHECK_OK(pipe(go));
    pid_t child = fork();
    if (child == 0) {
        char c;
        read(go[0], &c, 1);
        struct rlimit r;
        getrlimit(RLIMIT_NOFILE, &r);
        _exit(r.rlim_cur == 100 && r.rlim_max == 200 ? 0 : 1);
    }
    CHECK_OK(prlimit(child, RLIMIT_NOFILE, NULL, &got));
    CHECK(got.rlim_cur == mine.rlim_cur && got.rlim_max == mine.rlim_max);
    CHECK_OK(prlimit(child, RLIMIT_NOFILE, &set, &got));
    CHECK(got.rlim_cur == mine.rlim_cur);
    CHECK_OK(prlimit(child, RLIMIT_NOFILE, NULL, &got));
    CHECK(got.rlim_cur == 100 && got.rlim_max == 200);
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &got));
    CHECK(got.rlim_cur == mine.rlim_cur); /* ours is unchanged */
    CHECK_RET(write(go[1], "x", 1), 1);
    int st;
    CHECK_RET(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_ERR(prlimit(child, RLIMIT_NOFILE, NULL, &got), ESRCH);
    CHECK_ERR(syscall(SYS_prlimit64, -5, RLIMIT_NOFILE, NULL, &got), ESRCH);
    return check_status();
}
