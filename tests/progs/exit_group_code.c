/* exit_group's status reaches the parent: only the low 8 bits survive. */
/* expect: exit 42 */
#include "check.h"

int main(void) {
    printf("exiting\n");
    syscall(SYS_exit_group, 42 + 256);
    printf("not reached\n");
    return 1;
}
