/* 1000 sequential fork + exit + wait cycles: every fork succeeds, every
 * child is reaped by wait4 with the exit code it chose (i & 0xff), and no
 * child is left over afterwards (ECHILD). Then 64 children alive at once
 * are all reaped by wait(-1), each exactly once. */
#include "check.h"
#include <sys/wait.h>

int main(void) {
    int forked = 0, reaped = 0, right_code = 0, right_pid = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(i & 0xff);
        if (pid < 0)
            break;
        forked++;
        int st;
        pid_t w = wait4(-1, &st, 0, NULL);
        if (w > 0)
            reaped++;
        if (w == pid)
            right_pid++;
        if (WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff))
            right_code++;
    }
    CHECK_RET(forked, 1000);
    CHECK_RET(reaped, 1000);
    CHECK_RET(right_pid, 1000);
    CHECK_RET(right_code, 1000);
    CHECK_ERR(wait4(-1, NULL, 0, NULL), ECHILD);

    /* Many alive at once: each is reaped once, with its own code. */
    pid_t kids[64];
    int seen[64] = {0};
    for (int i = 0; i < 64; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(i);
    }
    int ok = 1;
    for (int n = 0; n < 64; n++) {
        int st;
        pid_t w = wait(&st);
        int idx = -1;
        for (int i = 0; i < 64; i++)
            if (kids[i] == w)
                idx = i;
        if (idx < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != idx || seen[idx])
            ok = 0;
        else
            seen[idx] = 1;
    }
    CHECK(ok);
    CHECK_ERR(wait(NULL), ECHILD);
    return check_status();
}
