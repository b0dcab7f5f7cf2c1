/* personality(2): 0xffffffff reads the persona, anything else replaces it
 * and the old one comes back; it is inherited by children and threads and
 * kept across exec, which clears READ_IMPLIES_EXEC for a 64-bit program.
 * /proc/self/personality shows it. PER_LINUX32 makes uname's machine i686. ADDR_NO_RANDOMIZE makes exec lay
 * out the stack, the break and mmap the same way every time; without it
 * two execs differ. */
#include "check.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <sys/wait.h>

/* The layout a fresh image got: a stack address, the break, an mmap. */
static void report_layout(void) {
    int local;
    void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("%p %p %p %x\n", (void *)&local, sbrk(0), m, personality(0xffffffff));
    exit(0);
}

/* Runs this program again as "layout" and returns what it printed. */
static void layout(char *out, size_t len) {
    int p[2];
    memset(out, 0, len);
    if (pipe(p) < 0)
        return;
    pid_t c = fork();
    if (c == 0) {
        dup2(p[1], 1);
        execl("/proc/self/exe", "personality_layout", "layout", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n < len - 1 && (r = read(p[0], out + n, len - 1 - n)) > 0)
        n += (size_t)r;
    close(p[0]);
    waitpid(c, NULL, 0);
}

static unsigned persona_of_new_image(void) {
    char buf[256];
    layout(buf, sizeof buf);
    unsigned x = 0;
    char *last = strrchr(buf, ' ');
    if (last)
        sscanf(last + 1, "%x", &x);
    return x;
}

static void *thread_persona(void *arg) {
    (void)arg;
    return (void *)(long)personality(0xffffffff);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "layout") == 0)
        report_layout();

    CHECK_RET(personality(0xffffffff), PER_LINUX);
    CHECK_RET(personality(PER_LINUX32), PER_LINUX);
    CHECK_RET(personality(0xffffffff), PER_LINUX32);
    struct utsname u;
    CHECK_OK(uname(&u));
    printf("machine under PER_LINUX32: %s\n", u.machine);
    CHECK_RET(personality(PER_LINUX), PER_LINUX32);
    CHECK_OK(uname(&u));
    printf("machine under PER_LINUX: %s\n", u.machine);

    /* Any value is taken. */
    CHECK_RET(personality(0x12345678), PER_LINUX);
    CHECK_RET(personality(0xffffffff), 0x12345678);
    CHECK_RET(personality(PER_LINUX), 0x12345678);

    /* Inherited by a child and a thread. */
    CHECK_RET(personality(ADDR_COMPAT_LAYOUT | STICKY_TIMEOUTS), PER_LINUX);
    char shown[32] = "";
    FILE *f = fopen("/proc/self/personality", "r");
    if (f && fgets(shown, sizeof shown, f))
        printf("/proc/self/personality: %s", shown);
    if (f)
        fclose(f);
    pid_t c = fork();
    if (c == 0)
        _exit(personality(0xffffffff) == (ADDR_COMPAT_LAYOUT | STICKY_TIMEOUTS) ? 0 : 1);
    int st;
    CHECK_RET(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    pthread_t th;
    void *got;
    CHECK_RET(pthread_create(&th, NULL, thread_persona, NULL), 0);
    CHECK_RET(pthread_join(th, &got), 0);
    CHECK_RET((long)got, ADDR_COMPAT_LAYOUT | STICKY_TIMEOUTS);

    /* Exec keeps the persona but drops READ_IMPLIES_EXEC. */
    CHECK_RET(personality(READ_IMPLIES_EXEC | WHOLE_SECONDS), ADDR_COMPAT_LAYOUT | STICKY_TIMEOUTS);
    CHECK_RET(persona_of_new_image(), WHOLE_SECONDS);

    /* ADDR_NO_RANDOMIZE: two execs, one layout. */
    char a[256], b[256];
    CHECK_RET(personality(ADDR_NO_RANDOMIZE), READ_IMPLIES_EXEC | WHOLE_SECONDS);
    layout(a, sizeof a);
    layout(b, sizeof b);
    CHECK(a[0] != 0);
    printf("fixed layouts equal: %s\n", strcmp(a, b) == 0 ? "yes" : "no");
    CHECK_RET(personality(PER_LINUX), ADDR_NO_RANDOMIZE);
    layout(a, sizeof a);
    layout(b, sizeof b);
    CHECK(a[0] != 0);
    printf("random layouts equal: %s\n", strcmp(a, b) == 0 ? "yes" : "no");
    return check_status();
}
