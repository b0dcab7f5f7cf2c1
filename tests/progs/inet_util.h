/* Helpers for the AF_INET and AF_INET6 behaviour programs: int socket
 * options read and set in one call. */
#ifndef INET_UTIL_H
#define INET_UTIL_H
#include "check.h"
#include <sys/socket.h>

/* An int option's value, or -100 - errno when getsockopt fails. */
__attribute__((unused)) static int opt(int s, int level, int name) {
    int v = -99;
    socklen_t len = sizeof v;
    if (getsockopt(s, level, name, &v, &len) < 0)
        return -100 - errno;
    return v;
}

/* setsockopt of an int. */
__attribute__((unused)) static int set(int s, int level, int name, int v) {
    return setsockopt(s, level, name, &v, sizeof v);
}
#endif
