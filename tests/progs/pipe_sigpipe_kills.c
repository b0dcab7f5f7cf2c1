/* Writing to a pipe whose read end is closed, with SIGPIPE at its default
 * action, kills the process with SIGPIPE (the write never returns). */
/* expect: signal 13 */
#include "check.h"
#include <signal.h>

int main(void) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    struct sigaction old;
    CHECK_OK(sigaction(SIGPIPE, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL);
    printf("writing\n");
    ssize_t r = write(p[1], "x", 1);
    printf("not reached: %zd\n", r);
    return 3;
}
