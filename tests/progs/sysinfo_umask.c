/* sysinfo as relations; umask returns the old mask and keeps 0777 bits. */
#include "check.h"
#include <sys/stat.h>
#include <sys/sysinfo.h>

int main(void) {
    struct sysinfo si;
    CHECK_OK(sysinfo(&si));
    CHECK(si.totalram > 0);
    CHECK(si.freeram <= si.totalram);
    CHECK(si.mem_unit >= 1);
    CHECK(si.uptime >= 0);
    CHECK(si.procs >= 1);
    CHECK_ERR(syscall(SYS_sysinfo, (void *)8), EFAULT);
    mode_t old = umask(027);
    CHECK(umask(0777 | 07000) == 027);
    CHECK(umask(0) == 0777);
    CHECK(umask(old) == 0);
    CHECK(umask(old) == old);
    return check_status();
}
