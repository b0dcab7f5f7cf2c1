/* set_tid_address returns the tid; set/get_robust_list validate sizes. */
#include "check.h"
#include <linux/futex.h>
#include <stddef.h>

int main(void) {
    static int word;
    CHECK_RET(syscall(SYS_set_tid_address, &word), gettid());
    static struct robust_list_head head;
    CHECK_OK(syscall(SYS_set_robust_list, &head, sizeof head));
    CHECK_ERR(syscall(SYS_set_robust_list, &head, 0), EINVAL);
    CHECK_ERR(syscall(SYS_set_robust_list, &head, sizeof head + 1), EINVAL);
    void *got = NULL;
    size_t len = 0;
    CHECK_OK(syscall(SYS_get_robust_list, 0, &got, &len));
    CHECK(got == &head && len == sizeof head);
    CHECK_ERR(syscall(SYS_get_robust_list, 0, (void *)8, &len), EFAULT);
    CHECK_ERR(syscall(SYS_get_robust_list, 999999, &got, &len), ESRCH);
    return check_status();
}
