/* Reading the caller's /proc files from the behaviour programs. */
#ifndef PROC_UTIL_H
#define PROC_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number after "name:" in /proc/self/status (kB for the Vm* lines),
 * or -1 without such a line. */
__attribute__((unused)) static long proc_status_field(const char *name) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(name);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}
#endif
