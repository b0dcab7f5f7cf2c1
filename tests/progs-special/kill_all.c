/* kill(-1) in the sandbox: every other process of the sandbox dies, the
 * caller and init (itself, here) survive, and afterwards there is nobody
 * left to signal. Run only under runsc (natively it would reach the host). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int n = 0;
    for (int i = 0; i < 5; i++) {
        pid_t p = fork();
        if (p == 0) {
            if (i == 0 && fork() == 0) /* a grandchild too */
                for (;;) pause();
            for (;;) pause();
        }
        if (p > 0)
            n++;
    }
    usleep(100000);
    if (kill(-1, SIGKILL) != 0) {
        perror("kill(-1)");
        return 1;
    }
    int killed = 0, st;
    pid_t w;
    while ((w = wait(&st)) > 0)
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            killed++;
    int left = kill(-1, 0);
    printf("forked %d killed %d then kill(-1,0)=%d errno %s\n", n, killed, left,
           errno == ESRCH ? "ESRCH" : "other");
    return 0;
}
