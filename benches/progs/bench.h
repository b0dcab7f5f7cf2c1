/* Shared by the side-by-side benchmark programs.
 *
 * Each program takes an iteration count, times its loop with
 * clock_gettime(CLOCK_MONOTONIC) (the vDSO: it does not trap under ptrace, so
 * the clock itself costs the sandbox nothing), and prints one line
 * "<name> <iterations> <total_ns>" with snprintf + write(2): stdio would
 * fstat stdout first, a syscall the loop does not need. The process,
 * thread, pipe, futex and signal programs measure what their names say;
 * the others use only mmap/munmap/brk/clock_gettime/getppid in their loops,
 * and the report only write and exit_group. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PAGE 4096UL
#define BENCH_CHUNK (64UL * 1024UL)

static inline uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* argv[1], the iteration count: a positive decimal number. */
static inline unsigned long bench_iters(int argc, char **argv) {
    if (argc < 2) {
        static const char usage[] = "usage: PROG ITERATIONS [MODE]\n";
        write(2, usage, sizeof usage - 1);
        exit(2);
    }
    char *end;
    unsigned long n = strtoul(argv[1], &end, 10);
    if (*end != '\0' || n == 0) {
        static const char bad[] = "iterations: want a positive number\n";
        write(2, bad, sizeof bad - 1);
        exit(2);
    }
    return n;
}

static inline void bench_report(const char *name, unsigned long iters, uint64_t ns) {
    char line[128];
    int len = snprintf(line, sizeof line, "%s %lu %llu\n", name, iters,
                       (unsigned long long)ns);
    if (len > 0 && (size_t)len < sizeof line) {
        write(1, line, (size_t)len);
    }
}

static inline void bench_fail(const char *what) {
    write(2, what, strlen(what));
    write(2, "\n", 1);
    exit(1);
}

#endif
