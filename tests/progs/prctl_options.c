/* prctl: the name, dumpable, no_new_privs, pdeathsig, subreaper and the
 * errors. */
#include "check.h"
#include <sys/prctl.h>

int main(void) {
    char name[32];
    CHECK_OK(prctl(PR_SET_NAME, "short"));
    memset(name, 'x', sizeof name);
    CHECK_OK(prctl(PR_GET_NAME, name));
    CHECK(strcmp(name, "short") == 0);
    CHECK_OK(prctl(PR_SET_NAME, "a-name-longer-than-fifteen"));
    CHECK_OK(prctl(PR_GET_NAME, name));
    CHECK(strcmp(name, "a-name-longer-t") == 0);
    CHECK_ERR(prctl(PR_SET_NAME, (void *)8), EFAULT);
    CHECK_ERR(prctl(PR_GET_NAME, (void *)8), EFAULT);
    CHECK_RET(prctl(PR_GET_DUMPABLE), 1);
    CHECK_OK(prctl(PR_SET_DUMPABLE, 0));
    CHECK_RET(prctl(PR_GET_DUMPABLE), 0);
    CHECK_OK(prctl(PR_SET_DUMPABLE, 1));
    CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL);
    CHECK_RET(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
    CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    CHECK_RET(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
    CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
    int sig = -1;
    CHECK_OK(prctl(PR_SET_PDEATHSIG, 9));
    CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
    CHECK(sig == 9);
    CHECK_ERR(prctl(PR_SET_PDEATHSIG, 99), EINVAL);
    CHECK_ERR(prctl(PR_GET_PDEATHSIG, (void *)8), EFAULT);
    int sub = -1;
    CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
    CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &sub));
    CHECK(sub == 1);
    CHECK_RET(prctl(PR_GET_KEEPCAPS), 0);
    CHECK_ERR(prctl(PR_SET_KEEPCAPS, 5), EINVAL);
    CHECK_RET(prctl(PR_GET_SECCOMP), 0);
    CHECK_RET(prctl(PR_CAPBSET_READ, 0), 1);
    CHECK_ERR(prctl(PR_CAPBSET_READ, 1000), EINVAL);
    CHECK_ERR(prctl(12345), EINVAL);
    return check_status();
}
