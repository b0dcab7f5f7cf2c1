/* Credentials as root: set*id with and without CAP_SETUID/CAP_SETGID,
 * setfsuid returning the old value, setgroups sorted, capget/capset with
 * the version handshake, and the capability rules of a uid change
 * (dropping root clears the sets; PR_SET_KEEPCAPS keeps permitted). Each
 * unprivileged step runs in a child, which reports by exit status. */
#include "check.h"
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static int capget_v3(uint32_t *eff, uint32_t *perm) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return -1;
    *eff = d[0].effective;
    *perm = d[0].permitted;
    return 0;
}

static int child_status(pid_t p) {
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

int main(void) {
    if (getuid() != 0) {
        printf("needs root\n");
        return 1;
    }
    uid_t r, e, s;
    uint32_t eff, perm;
    CHECK_OK(capget_v3(&eff, &perm));
    CHECK(eff & (1u << 7)); /* CAP_SETUID */
    struct __user_cap_header_struct bad = {0x12345678, 0};
    struct __user_cap_data_struct data[2];
    CHECK_ERR(syscall(SYS_capget, &bad, data), EINVAL);
    CHECK(bad.version == _LINUX_CAPABILITY_VERSION_3);
    bad.version = 0x12345678;
    CHECK_OK(syscall(SYS_capget, &bad, NULL)); /* a probe learns the version */
    CHECK(bad.version == _LINUX_CAPABILITY_VERSION_3);
    struct __user_cap_header_struct probe = {_LINUX_CAPABILITY_VERSION_3, 0};
    CHECK_OK(syscall(SYS_capget, &probe, NULL));
    CHECK_ERR(setuid((uid_t)-1), EINVAL);

    gid_t gs[3] = {30, 10, 20}, got[8];
    CHECK_OK(setgroups(3, gs));
    CHECK_RET(getgroups(8, got), 3);
    CHECK(got[0] == 10 && got[1] == 20 && got[2] == 30);
    CHECK_ERR(setgroups(-1, gs), EINVAL);

    /* Privileged setresuid, then back. */
    pid_t p = fork();
    if (p == 0) {
        if (setresuid(1000, 1000, 0) != 0) _exit(1);
        getresuid(&r, &e, &s);
        if (r != 1000 || e != 1000 || s != 0) _exit(2);
        capget_v3(&eff, &perm);
        if (eff != 0 || perm == 0) _exit(3); /* euid left 0: effective cleared */
        if (setuid(0) != 0) _exit(4);        /* back through the saved uid */
        capget_v3(&eff, &perm);
        if (eff != perm) _exit(5);
        if (setresuid(2000, 2000, 2000) != 0) _exit(6);
        capget_v3(&eff, &perm);
        if (eff != 0 || perm != 0) _exit(7);
        if (setuid(0) != -1 || errno != EPERM) _exit(8);
        if (setreuid(-1, 2000) != 0) _exit(9);
        if (setgroups(0, NULL) != -1 || errno != EPERM) _exit(10);
        if (setfsuid(3000) != 2000) _exit(11); /* no change without privilege */
        if (setfsuid(-1) != 2000) _exit(12);
        _exit(0);
    }
    CHECK_RET(child_status(p), 0);

    /* PR_SET_KEEPCAPS keeps the permitted set across dropping root. */
    p = fork();
    if (p == 0) {
        prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
        if (setresuid(1000, 1000, 1000) != 0) _exit(1);
        capget_v3(&eff, &perm);
        if (eff != 0 || perm == 0) _exit(2);
        _exit(0);
    }
    CHECK_RET(child_status(p), 0);

    /* setreuid rules without privilege. */
    p = fork();
    if (p == 0) {
        if (setresgid(5, 6, 7) != 0) _exit(1);
        gid_t a, b, c;
        getresgid(&a, &b, &c);
        if (a != 5 || b != 6 || c != 7) _exit(2);
        if (setregid(-1, 7) != 0) _exit(3);
        getresgid(&a, &b, &c);
        if (a != 5 || b != 7 || c != 7) _exit(4);
        if (setresuid(100, 101, 102) != 0) _exit(5);
        if (setreuid(101, -1) != 0) _exit(6);
        getresuid(&r, &e, &s);
        if (r != 101 || e != 101 || s != 101) _exit(7);
        if (setreuid(5, -1) != -1 || errno != EPERM) _exit(8);
        if (setgid(9) != -1 || errno != EPERM) _exit(9);
        _exit(0);
    }
    CHECK_RET(child_status(p), 0);

    /* capset: may drop, may not raise. */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    CHECK_OK(syscall(SYS_capget, &h, d));
    p = fork();
    if (p == 0) {
        struct __user_cap_data_struct n[2];
        memcpy(n, d, sizeof n);
        n[0].effective &= ~(1u << 7);
        if (syscall(SYS_capset, &h, n) != 0) _exit(1);
        if (setuid(5) == 0) _exit(2); /* CAP_SETUID gone from effective */
        n[0].effective |= (1u << 7);
        if (syscall(SYS_capset, &h, n) != 0) _exit(3); /* still permitted */
        n[0].permitted &= ~(1u << 7);
        n[0].effective &= ~(1u << 7);
        if (syscall(SYS_capset, &h, n) != 0) _exit(4);
        n[0].permitted |= (1u << 7);
        if (syscall(SYS_capset, &h, n) != -1 || errno != EPERM) _exit(5);
        _exit(0);
    }
    CHECK_RET(child_status(p), 0);
    return check_status();
}
