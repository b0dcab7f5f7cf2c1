/* Writing a page made read-only with mprotect kills the process with
 * SIGSEGV (no handler is installed, so the default action applies). */
/* expect: signal 11 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    volatile char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    p[0] = 1;
    if (mprotect((void *)p, page, PROT_READ) != 0)
        return 2;
    printf("read %d\n", p[0]);
    fflush(stdout);
    p[0] = 2;
    printf("not reached\n");
    return 3;
}
