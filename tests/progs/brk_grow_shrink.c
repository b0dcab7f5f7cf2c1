/* brk through the raw syscall: query, grow, use, shrink; a failed brk
 * returns the old break. */
#include "check.h"
#include <stdint.h>

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t b0 = syscall(SYS_brk, 0);
    CHECK(b0 > 0);
    CHECK(syscall(SYS_brk, 0) == (long)b0);
    uintptr_t b1 = syscall(SYS_brk, b0 + 10 * pg + 5);
    CHECK(b1 == b0 + 10 * pg + 5);
    char *heap = (char *)b0;
    heap[0] = 1;
    heap[10 * pg + 4] = 2;
    CHECK(heap[0] == 1 && heap[10 * pg + 4] == 2);
    CHECK(syscall(SYS_brk, b0 + pg) == (long)(b0 + pg));
    CHECK(syscall(SYS_brk, b0 + 2 * pg) == (long)(b0 + 2 * pg));
    CHECK(heap[pg + 1] == 0 || 1); /* the page past the old break may or may not be reused */
    CHECK(syscall(SYS_brk, 1) == (long)(b0 + 2 * pg)); /* below the start: unchanged */
    CHECK(syscall(SYS_brk, -4096L) == (long)(b0 + 2 * pg)); /* absurd: unchanged */
    CHECK(syscall(SYS_brk, b0) == (long)b0);
    void *s = sbrk(0);
    CHECK(s != (void *)-1);
    return check_status();
}
