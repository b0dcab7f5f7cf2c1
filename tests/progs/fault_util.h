/* Touching memory that may fault: probe() and poke() return what they read
 * (or 0 for a store), or -SIGBUS/-SIGSEGV when the access faulted. The
 * program's handler for those signals must end with
 * siglongjmp(fault_jb, sig). */
#ifndef FAULT_UTIL_H
#define FAULT_UTIL_H
#include <setjmp.h>
#include <signal.h>

static sigjmp_buf fault_jb;

/* Reads one byte at p; returns the byte, or -SIGBUS/-SIGSEGV. */
__attribute__((unused)) static int probe(volatile char *p) {
    int sig = sigsetjmp(fault_jb, 1);
    if (sig)
        return -sig;
    return (unsigned char)*p;
}

/* Stores c at p; returns 0, or -SIGBUS/-SIGSEGV. */
__attribute__((unused)) static int poke(volatile char *p, char c) {
    int sig = sigsetjmp(fault_jb, 1);
    if (sig)
        return -sig;
    *p = c;
    return 0;
}
#endif
