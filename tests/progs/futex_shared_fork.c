/* Shared futexes across fork on a MAP_SHARED|MAP_ANONYMOUS page: the parent
 * sees the child's shared waiter, wakes it with FUTEX_WAKE (count 1), and a
 * FUTEX_WAKE_PRIVATE from the parent reaches nobody; a child's private
 * waiter is invisible to the parent; a MAP_PRIVATE word after fork is a
 * different futex in each process; and 2,000 strict-alternation rounds
 * between the two processes through one shared word all complete. */
#include "check.h"
#include "futex_util.h"
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static int exit_code(pid_t pid) {
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

#define ROUNDS 2000

/* Alternation: side s waits for turn == s, bumps the count, passes the turn. */
static int play(uint32_t *turn, uint32_t *count, uint32_t side) {
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t;
        while ((t = __atomic_load_n(turn, __ATOMIC_SEQ_CST)) != side)
            if (futex(turn, FUTEX_WAIT, t, NULL, NULL, 0) == -1 && errno != EAGAIN && errno != EINTR)
                return 1;
        if (*count != 2 * (uint32_t)i + side)
            return 2;
        (*count)++;
        __atomic_store_n(turn, 1 - side, __ATOMIC_SEQ_CST);
        if (futex(turn, FUTEX_WAKE, 1, NULL, NULL, 0) == -1)
            return 3;
    }
    return 0;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    uint32_t *sh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(sh != MAP_FAILED);

    /* 1. The child waits (shared); the parent wakes it. */
    pid_t pid = fork();
    if (pid == 0) {
        long r = futex(&sh[0], FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(r == 0 && sh[0] == 1 ? 0 : 2);
    }
    wait_queued(&sh[0], 0, 1);
    CHECK_RET(queued(&sh[0], 0), 1);
    /* A private wake is keyed on the parent's own mm: nobody there. */
    CHECK_RET(futex(&sh[0], FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
    CHECK_RET(queued(&sh[0], 0), 1);
    sh[0] = 1;
    CHECK_RET(futex(&sh[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 1);
    CHECK_RET(exit_code(pid), 0);
    CHECK_RET(queued(&sh[0], 0), 0);

    /* 2. A private waiter in the child is out of the parent's reach: it
     * times out even though the parent wakes the word (shared) meanwhile. */
    pid = fork();
    if (pid == 0) {
        struct timespec t = {0, 100000000};
        long r = futex(&sh[1], FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
        _exit(r == -1 && errno == ETIMEDOUT ? 0 : 2);
    }
    for (int i = 0; i < 5; i++) {
        CHECK_RET(futex(&sh[1], FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
        usleep(10000);
    }
    CHECK_RET(exit_code(pid), 0);

    /* 3. A MAP_PRIVATE word is copied by fork: two futexes, not one. */
    uint32_t *pv = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pv != MAP_FAILED);
    pv[0] = 0;
    pid = fork();
    if (pid == 0) {
        struct timespec t = {0, 100000000};
        long r = futex(&pv[0], FUTEX_WAIT, 0, &t, NULL, 0);
        _exit(r == -1 && errno == ETIMEDOUT && pv[0] == 0 ? 0 : 2);
    }
    pv[0] = 1;
    for (int i = 0; i < 5; i++) {
        CHECK_RET(futex(&pv[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
        usleep(10000);
    }
    CHECK_RET(exit_code(pid), 0);

    /* 4. Strict alternation between the processes. */
    uint32_t *turn = &sh[2], *count = &sh[3];
    *turn = 0;
    *count = 0;
    pid = fork();
    if (pid == 0)
        _exit(play(turn, count, 1));
    CHECK_RET(play(turn, count, 0), 0);
    CHECK_RET(exit_code(pid), 0);
    CHECK_RET(*count, 2 * ROUNDS);
    CHECK_RET(*turn, 0);
    CHECK_RET(queued(turn, 0), 0);
    CHECK(munmap(sh, page) == 0);
    return check_status();
}
