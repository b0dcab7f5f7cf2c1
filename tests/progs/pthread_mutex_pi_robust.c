/* Priority-inheritance and robust mutexes, which glibc builds on
 * FUTEX_LOCK_PI / FUTEX_UNLOCK_PI and the kernel's robust-list walk at
 * thread exit: a PRIO_INHERIT mutex counts exactly under contention, holds
 * the owner's tid in its futex word, is EBUSY to another thread's trylock
 * and (error-checking) EDEADLK to relock and EPERM to unlock by a
 * non-owner; a robust mutex whose owner thread exits is EOWNERDEAD to the
 * next locker (also one already blocked waiting, also for a PI robust
 * mutex, also across processes for a pshared one whose owner exits or is
 * SIGKILLed); pthread_mutex_consistent recovers it, and unlocking without
 * it leaves it ENOTRECOVERABLE. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

static pthread_mutex_t pi;
static long counter;

static void *pi_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pi);
        counter++;
        pthread_mutex_unlock(&pi);
    }
    return NULL;
}

struct attempt {
    pthread_mutex_t *m;
    int trylock, unlock;
};
static void *other_thread(void *arg) {
    struct attempt *a = arg;
    a->trylock = pthread_mutex_trylock(a->m);
    a->unlock = pthread_mutex_unlock(a->m);
    return NULL;
}

static void prio_inherit(void) {
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    CHECK_RET(pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT), 0);
    CHECK_RET(pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK), 0);
    CHECK_RET(pthread_mutex_init(&pi, &at), 0);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, pi_worker, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    CHECK_RET(counter, 16000);

    CHECK_RET(pthread_mutex_lock(&pi), 0);
    CHECK_RET(pi.__data.__lock & FUTEX_TID_MASK, gettid());
    CHECK_RET(pthread_mutex_lock(&pi), EDEADLK);
    struct attempt a = {&pi, -1, -1};
    pthread_t o;
    pthread_create(&o, NULL, other_thread, &a);
    pthread_join(o, NULL);
    CHECK_RET(a.trylock, EBUSY);
    CHECK_RET(a.unlock, EPERM);
    CHECK_RET(pthread_mutex_unlock(&pi), 0);
    CHECK_RET(pi.__data.__lock, 0);
    CHECK_RET(pthread_mutex_unlock(&pi), EPERM);
    CHECK_RET(pthread_mutex_destroy(&pi), 0);
}

static pthread_mutex_t robust;
static int locked_by_thread;

static void *lock_and_die(void *arg) {
    pthread_mutex_t *m = arg;
    locked_by_thread = pthread_mutex_lock(m);
    return NULL; /* exits holding it */
}

static void *lock_and_die_later(void *arg) {
    pthread_mutex_t *m = arg;
    locked_by_thread = pthread_mutex_lock(m);
    usleep(30000);
    return NULL;
}

static int waiter_result = -1;
static void *wait_for_it(void *arg) {
    waiter_result = pthread_mutex_lock(arg);
    if (waiter_result == EOWNERDEAD) {
        pthread_mutex_consistent(arg);
        pthread_mutex_unlock(arg);
    }
    return NULL;
}

static void make_robust(pthread_mutex_t *m, int protocol, int pshared) {
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setprotocol(&at, protocol);
    pthread_mutexattr_setpshared(&at, pshared);
    pthread_mutex_init(m, &at);
}

static void robust_threads(int protocol) {
    make_robust(&robust, protocol, PTHREAD_PROCESS_PRIVATE);
    pthread_t t;
    locked_by_thread = -1;
    pthread_create(&t, NULL, lock_and_die, &robust);
    pthread_join(t, NULL);
    CHECK_RET(locked_by_thread, 0);
    CHECK_RET(pthread_mutex_lock(&robust), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(&robust), 0);
    CHECK_RET(pthread_mutex_unlock(&robust), 0);
    CHECK_RET(pthread_mutex_lock(&robust), 0);
    CHECK_RET(pthread_mutex_unlock(&robust), 0);

    /* Not made consistent: unrecoverable. */
    pthread_create(&t, NULL, lock_and_die, &robust);
    pthread_join(t, NULL);
    CHECK_RET(pthread_mutex_trylock(&robust), EOWNERDEAD);
    CHECK_RET(pthread_mutex_unlock(&robust), 0);
    CHECK_RET(pthread_mutex_lock(&robust), ENOTRECOVERABLE);
    CHECK_RET(pthread_mutex_trylock(&robust), ENOTRECOVERABLE);

    /* A waiter already blocked when the owner dies. */
    make_robust(&robust, protocol, PTHREAD_PROCESS_PRIVATE);
    locked_by_thread = -1;
    pthread_create(&t, NULL, lock_and_die_later, &robust);
    while (__atomic_load_n(&locked_by_thread, __ATOMIC_SEQ_CST) != 0)
        usleep(1000);
    pthread_t w;
    waiter_result = -1;
    pthread_create(&w, NULL, wait_for_it, &robust);
    pthread_join(t, NULL);
    pthread_join(w, NULL);
    CHECK_RET(waiter_result, EOWNERDEAD);
    CHECK_RET(pthread_mutex_lock(&robust), 0);
    CHECK_RET(pthread_mutex_unlock(&robust), 0);
}

static void robust_processes(int protocol) {
    pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    make_robust(m, protocol, PTHREAD_PROCESS_SHARED);
    int st;
    pid_t pid = fork();
    if (pid == 0)
        _exit(pthread_mutex_lock(m) == 0 ? 0 : 1);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_RET(pthread_mutex_lock(m), EOWNERDEAD);
    CHECK_RET(pthread_mutex_consistent(m), 0);
    CHECK_RET(pthread_mutex_unlock(m), 0);

    /* Killed while holding it, with us waiting. */
    int p[2];
    CHECK_OK(pipe(p));
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(m);
        write(p[1], "l", 1);
        for (;;)
            pause();
    }
    char c;
    CHECK_RET(read(p[0], &c, 1), 1);
    CHECK_RET(pthread_mutex_trylock(m), EBUSY);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_RET(pthread_mutex_lock(m), EOWNERDEAD);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    CHECK_RET(pthread_mutex_consistent(m), 0);
    CHECK_RET(pthread_mutex_unlock(m), 0);
    CHECK_RET(pthread_mutex_lock(m), 0);
    CHECK_RET(pthread_mutex_unlock(m), 0);
    close(p[0]);
    close(p[1]);
    munmap(m, 4096);
}

int main(void) {
    prio_inherit();
    robust_threads(PTHREAD_PRIO_NONE);
    robust_threads(PTHREAD_PRIO_INHERIT);
    robust_processes(PTHREAD_PRIO_NONE);
    robust_processes(PTHREAD_PRIO_INHERIT);
    return check_status();
}
