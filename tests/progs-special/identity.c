/* Prints the identity the sandbox gives its init: run under runsc only,
 * since natively it prints the host's. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
    struct utsname u;
    if (uname(&u) != 0)
        return 1;
    printf("pid %d ppid %d tid %d uid %d gid %d nodename %s\n", getpid(), getppid(), gettid(),
           getuid(), getgid(), u.nodename);
    return 0;
}
