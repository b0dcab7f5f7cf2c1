/* seccomp(2)'s and PR_SET_SECCOMP's errors: EACCES without no_new_privs,
 * EFAULT, EINVAL for bad flags and programs, ENOMEM past the path limit;
 * GET_ACTION_AVAIL, GET_NOTIF_SIZES, PR_GET_SECCOMP; TSYNC. */
#include "seccomp_util.h"
#include <pthread.h>
#include <sys/mman.h>

#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static struct sock_filter allow[] = {ALLOW};
static struct sock_fprog allow_prog = {.len = 1, .filter = allow};

static long install(struct sock_filter *f, unsigned short len) {
    struct sock_fprog p = {.len = len, .filter = f};
    return sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, &p);
}

static void without_nnp(void) {
    if (getuid() == 0)
        CHECK_OK(setresuid(65534, 65534, 65534)); /* drops CAP_SYS_ADMIN */
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, &allow_prog), EACCES);
    CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &allow_prog, 0, 0), EACCES);
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    /* Bad lengths are found first. */
    struct sock_fprog empty = {.len = 0, .filter = allow};
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, &empty), EINVAL);
}

static void bad_programs(void) {
    CHECK_RET(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
    void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(unmapped != MAP_FAILED);
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL), EFAULT);
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, unmapped), EFAULT);
    struct sock_fprog p = {.len = 1, .filter = unmapped};
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, &p), EFAULT);
    p.filter = NULL;
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 0, &p), EINVAL);
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, 1u << 12, &allow_prog), EINVAL);
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                         &allow_prog),
              EINVAL);
    CHECK_ERR(sc_seccomp(99, 0, NULL), EINVAL);
    CHECK_ERR(prctl(PR_SET_SECCOMP, 7, &allow_prog, 0, 0), EINVAL);

    static struct sock_filter big[4097];
    for (int i = 0; i < 4097; i++)
        big[i] = (struct sock_filter)ALLOW;
    CHECK_ERR(install(big, 0), EINVAL);
    CHECK_ERR(install(big, 4097), EINVAL);

    struct sock_filter bad_opcode[] = {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), ALLOW};
    CHECK_ERR(install(bad_opcode, 2), EINVAL);
    struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), ALLOW};
    CHECK_ERR(install(mod, 2), EINVAL);
    struct sock_filter jump_out[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ALLOW};
    CHECK_ERR(install(jump_out, 2), EINVAL);
    struct sock_filter ja_out[] = {BPF_STMT(BPF_JMP | BPF_JA, 1), ALLOW};
    CHECK_ERR(install(ja_out, 2), EINVAL);
    struct sock_filter no_ret[] = {ALLOW, BPF_STMT(BPF_LD | BPF_IMM, 0)};
    CHECK_ERR(install(no_ret, 2), EINVAL);
    struct sock_filter misaligned[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ALLOW};
    CHECK_ERR(install(misaligned, 2), EINVAL);
    struct sock_filter past[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ALLOW};
    CHECK_ERR(install(past, 2), EINVAL);
    struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW};
    CHECK_ERR(install(div0, 2), EINVAL);
    struct sock_filter uninit[] = {BPF_STMT(BPF_LD | BPF_MEM, 3), ALLOW};
    CHECK_ERR(install(uninit, 2), EINVAL);
    struct sock_filter scratch16[] = {BPF_STMT(BPF_ST, 16), ALLOW};
    CHECK_ERR(install(scratch16, 2), EINVAL);
    struct sock_filter ok[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60),
        BPF_STMT(BPF_ST, 15),
        BPF_STMT(BPF_LDX | BPF_MEM, 15),
        BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        ALLOW,
    };
    CHECK_RET(install(ok, 7), 0);
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 2);
    /* Filter mode cannot become strict. */
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL), EINVAL);
    CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0), EINVAL);
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL);
    CHECK_ERR(sc_seccomp(SECCOMP_SET_MODE_STRICT, 0, &allow_prog), EINVAL);
}

static void path_limit(void) {
    CHECK_RET(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
    static struct sock_filter big[4096];
    for (int i = 0; i < 4096; i++)
        big[i] = (struct sock_filter)ALLOW;
    /* Linux counts the eBPF a filter becomes: 3 + 2 per RET K, so 8195
     * for 4096 RET K; each earlier filter 4 more. 3 * 8199 = 24597 of
     * 32768 leaves 8171: 4084 RET K. */
    for (int i = 0; i < 3; i++)
        CHECK_RET(install(big, 4096), 0);
    CHECK_ERR(install(big, 4096), ENOMEM);
    CHECK_ERR(install(big, 4085), ENOMEM);
    CHECK_RET(install(big, 4084), 0);
    CHECK_ERR(install(big, 1), ENOMEM);
    CHECK_RET(proc_status_field("Seccomp_filters"), 4);
}

static void queries(void) {
    unsigned action;
    unsigned avail[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
                        SECCOMP_RET_ERRNO,        SECCOMP_RET_TRACE,       SECCOMP_RET_LOG,
                        SECCOMP_RET_ALLOW};
    for (unsigned i = 0; i < sizeof avail / sizeof avail[0]; i++) {
        action = avail[i];
        CHECK_RET(sc_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action), 0);
    }
    action = 0x12340000;
    CHECK_ERR(sc_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action), EOPNOTSUPP);
    action = SECCOMP_RET_ERRNO | 1;
    CHECK_ERR(sc_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action), EOPNOTSUPP);
    action = SECCOMP_RET_ALLOW;
    CHECK_ERR(sc_seccomp(SECCOMP_GET_ACTION_AVAIL, 1, &action), EINVAL);
    CHECK_ERR(sc_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, NULL), EFAULT);

    struct seccomp_notif_sizes sizes;
    CHECK_RET(sc_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes), 0);
    printf("notif sizes: %u %u %u\n", sizes.seccomp_notif, sizes.seccomp_notif_resp,
           sizes.seccomp_data);
    CHECK_ERR(sc_seccomp(SECCOMP_GET_NOTIF_SIZES, 1, &sizes), EINVAL);
    CHECK_ERR(sc_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, NULL), EFAULT);
}

static pthread_barrier_t installed, checked;
static int thread_own_filter;
static long thread_getppid_errno;

static void *thread_body(void *arg) {
    if (thread_own_filter)
        sc_on_nr(0, SYS_getuid, SECCOMP_RET_ERRNO | EPERM);
    pthread_barrier_wait(&installed);
    pthread_barrier_wait(&checked);
    thread_getppid_errno = syscall(SYS_getppid) == -1 ? errno : 0;
    return NULL;
}

static void tsync_run(int own) {
    CHECK_RET(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
    thread_own_filter = own;
    pthread_barrier_init(&installed, NULL, 2);
    pthread_barrier_init(&checked, NULL, 2);
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, thread_body, NULL), 0);
    pthread_barrier_wait(&installed);
    if (own) {
        long r = sc_on_nr(SECCOMP_FILTER_FLAG_TSYNC, SYS_getppid, SECCOMP_RET_ERRNO | ENOTTY);
        CHECK(r > getpid()); /* the thread's tid */
        CHECK_ERR(sc_on_nr(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
                           SYS_getppid, SECCOMP_RET_ERRNO | ENOTTY),
                  ESRCH);
        CHECK(syscall(SYS_getppid) > 0); /* nothing installed */
    } else {
        CHECK_RET(sc_on_nr(SECCOMP_FILTER_FLAG_TSYNC, SYS_getppid, SECCOMP_RET_ERRNO | ENOTTY),
                  0);
        CHECK_ERR(syscall(SYS_getppid), ENOTTY);
    }
    pthread_barrier_wait(&checked);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_RET(thread_getppid_errno, own ? 0 : ENOTTY);
}

static void tsync(void) { tsync_run(0); }
static void tsync_conflict(void) { tsync_run(1); }

int main(void) {
    CHECK_RET(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    CHECK_RET(proc_status_field("Seccomp"), 0);
    CHECK_RET(proc_status_field("Seccomp_filters"), 0);
    sc_report("without no_new_privs", sc_in_child(without_nnp));
    sc_report("bad programs", sc_in_child(bad_programs));
    sc_report("path limit", sc_in_child(path_limit));
    sc_report("queries", sc_in_child(queries));
    sc_report("tsync", sc_in_child(tsync));
    sc_report("tsync conflict", sc_in_child(tsync_conflict));
    return check_status();
}
