/* sethostname and setdomainname: at most 64 bytes (EINVAL past that or
 * below 0), EFAULT for a bad name, EPERM without CAP_SYS_ADMIN (checked
 * first); the name ends at a NUL; uname, gethostname and
 * /proc/sys/kernel/{hostname,domainname} read it, in children too; a
 * write to the /proc file sets it as well.
 *
 * Natively this runs in a UTS namespace of its own so that the host keeps
 * its name; the sandbox is one already. */
#include "check.h"
#include <sched.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static void show(const char *when) {
    struct utsname u;
    char host[80] = "", proc[80] = "", dom[80] = "";
    CHECK_OK(uname(&u));
    CHECK_OK(gethostname(host, sizeof host));
    FILE *f = fopen("/proc/sys/kernel/hostname", "r");
    if (f && fgets(proc, sizeof proc, f))
        proc[strcspn(proc, "\n")] = 0;
    if (f)
        fclose(f);
    f = fopen("/proc/sys/kernel/domainname", "r");
    if (f && fgets(dom, sizeof dom, f))
        dom[strcspn(dom, "\n")] = 0;
    if (f)
        fclose(f);
    printf("%s: uname '%s' '%s', gethostname '%s', proc '%s' '%s'\n", when, u.nodename,
           u.domainname, host, proc, dom);
}

int main(void) {
    const char *platform = getenv("SANDBOX_TEST_PLATFORM");
    if (!platform) {
        printf("run me through the test harness: natively I need a UTS namespace\n");
        return 2;
    }
    if (strcmp(platform, "native") == 0 && unshare(CLONE_NEWUTS) != 0) {
        printf("FAIL unshare(CLONE_NEWUTS): %s\n", strerror(errno));
        return 1;
    }

    CHECK_OK(sethostname("box-one", 7));
    CHECK_OK(setdomainname("example.test", 12));
    show("set");
    CHECK_OK(sethostname("box-two-and-more", 7)); /* the length counts */
    show("prefix");
    CHECK_OK(sethostname("ab\0cd", 5));
    show("nul");
    char longest[65];
    memset(longest, 'h', 64);
    longest[64] = 0;
    CHECK_OK(sethostname(longest, 64));
    show("64 bytes");
    CHECK_ERR(sethostname(longest, 65), EINVAL);
    CHECK_ERR(syscall(SYS_sethostname, "x", -1L), EINVAL);
    CHECK_ERR(setdomainname(longest, 65), EINVAL);
    CHECK_ERR(syscall(SYS_sethostname, 8L, 4L), EFAULT);
    CHECK_ERR(syscall(SYS_setdomainname, 8L, 4L), EFAULT);
    CHECK_OK(sethostname("", 0));
    show("empty");

    /* Through /proc. */
    FILE *f = fopen("/proc/sys/kernel/hostname", "w");
    CHECK(f != NULL);
    if (f) {
        fputs("from-proc\n", f);
        fclose(f);
    }
    show("proc write");

    /* A child sees it; an unprivileged one may not change it. */
    pid_t c = fork();
    if (c == 0) {
        show("child");
        if (setgid(4244) < 0 || setuid(4244) < 0)
            _exit(99);
        CHECK_ERR(sethostname("nope", 4), EPERM);
        CHECK_ERR(syscall(SYS_sethostname, "nope", 100L), EPERM);
        CHECK_ERR(setdomainname("nope", 4), EPERM);
        _exit(check_status());
    }
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    show("after child");
    return check_status();
}
