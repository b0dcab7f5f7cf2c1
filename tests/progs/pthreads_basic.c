/* pthreads on raw clone/futex: 100 threads created and joined with their
 * return values, each with its own tid (not the pid) and TLS but the same
 * pid; 200 threads contending on one mutex count exactly; condition
 * variables hand items from producers to consumers and broadcast wakes
 * every waiter; a barrier releases all at once; a thread joining another
 * that exits later is woken (CLONE_CHILD_CLEARTID futex wake); joining
 * oneself is EDEADLK; pthread_cancel interrupts a thread blocked in read;
 * memory, descriptors and signal handlers are shared. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#define N 100
static pid_t tids[N];
static pid_t pids[N];
static __thread int tls_value = 5;
static int tls_ok[N];

static void *numbered(void *arg) {
    long i = (long)arg;
    tids[i] = gettid();
    pids[i] = getpid();
    tls_ok[i] = tls_value == 5;
    tls_value = (int)i;
    usleep(100);
    tls_ok[i] &= tls_value == (int)i;
    return (void *)(i * 2);
}

static void create_join(void) {
    pthread_t t[N];
    int created = 0;
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, numbered, (void *)i) == 0)
            created++;
    CHECK_RET(created, N);
    int right = 0;
    for (long i = 0; i < N; i++) {
        void *ret;
        if (pthread_join(t[i], &ret) == 0 && ret == (void *)(i * 2))
            right++;
    }
    CHECK_RET(right, N);
    int distinct = 1, not_pid = 1, same_pid = 1, tls = 1;
    for (int i = 0; i < N; i++) {
        if (tids[i] == getpid() || tids[i] <= 0)
            not_pid = 0;
        if (pids[i] != getpid())
            same_pid = 0;
        if (!tls_ok[i])
            tls = 0;
        for (int j = i + 1; j < N; j++)
            if (tids[i] == tids[j])
                distinct = 0;
    }
    CHECK(distinct);
    CHECK(not_pid);
    CHECK(same_pid);
    CHECK(tls);
    CHECK(tls_value == 5);
    CHECK(gettid() == getpid());
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incrementer(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&lock);
        long v = counter;
        if ((i & 63) == 0)
            sched_yield();
        counter = v + 1;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void contention(void) {
    pthread_t t[200];
    int created = 0;
    for (int i = 0; i < 200; i++)
        if (pthread_create(&t[i], NULL, incrementer, NULL) == 0)
            created++;
    CHECK_RET(created, 200);
    for (int i = 0; i < 200; i++)
        pthread_join(t[i], NULL);
    CHECK_RET(counter, 200000);
    CHECK_RET(pthread_mutex_trylock(&lock), 0);
    CHECK_RET(pthread_mutex_trylock(&lock), EBUSY);
    CHECK_RET(pthread_mutex_unlock(&lock), 0);
}

/* A bounded queue between producers and consumers. */
#define QCAP 4
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int queue[QCAP], qhead, qlen;
static long consumed_sum, consumed_count;

static void *producer(void *arg) {
    long base = (long)arg;
    for (int i = 1; i <= 500; i++) {
        pthread_mutex_lock(&qlock);
        while (qlen == QCAP)
            pthread_cond_wait(&not_full, &qlock);
        queue[(qhead + qlen++) % QCAP] = base + i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&qlock);
        while (qlen == 0)
            pthread_cond_wait(&not_empty, &qlock);
        int v = queue[qhead];
        qhead = (qhead + 1) % QCAP;
        qlen--;
        pthread_cond_signal(&not_full);
        if (v < 0) {
            pthread_mutex_unlock(&qlock);
            return NULL;
        }
        consumed_sum += v;
        consumed_count++;
        pthread_mutex_unlock(&qlock);
    }
}

static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int go_flag, waiting, woken;

static void *waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&qlock);
    waiting++;
    while (!go_flag)
        pthread_cond_wait(&go, &qlock);
    woken++;
    pthread_mutex_unlock(&qlock);
    return NULL;
}

static void conditions(void) {
    pthread_t p[4], c[3];
    for (long i = 0; i < 4; i++)
        pthread_create(&p[i], NULL, producer, (void *)(i * 1000));
    for (int i = 0; i < 3; i++)
        pthread_create(&c[i], NULL, consumer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(p[i], NULL);
    /* One stop marker per consumer. */
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(&qlock);
        while (qlen == QCAP)
            pthread_cond_wait(&not_full, &qlock);
        queue[(qhead + qlen++) % QCAP] = -1;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(c[i], NULL);
    CHECK_RET(consumed_count, 2000);
    /* sum over producers of (base*500 + 500*501/2) */
    CHECK_RET(consumed_sum, (0 + 1000 + 2000 + 3000) * 500L + 4 * 125250L);

    /* Broadcast wakes all ten. */
    pthread_t w[10];
    for (int i = 0; i < 10; i++)
        pthread_create(&w[i], NULL, waiter, NULL);
    for (;;) {
        pthread_mutex_lock(&qlock);
        int n = waiting;
        pthread_mutex_unlock(&qlock);
        if (n == 10)
            break;
        usleep(1000);
    }
    pthread_mutex_lock(&qlock);
    CHECK(woken == 0);
    go_flag = 1;
    pthread_cond_broadcast(&go);
    pthread_mutex_unlock(&qlock);
    for (int i = 0; i < 10; i++)
        pthread_join(w[i], NULL);
    CHECK(woken == 10);

    /* A timed wait that times out. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 10000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&qlock);
    CHECK_RET(pthread_cond_timedwait(&go, &qlock, &ts), ETIMEDOUT);
    pthread_mutex_unlock(&qlock);
}

static pthread_barrier_t barrier;
static int before, after_ok = 1, serial;

static void *at_barrier(void *arg) {
    (void)arg;
    __atomic_add_fetch(&before, 1, __ATOMIC_SEQ_CST);
    int r = pthread_barrier_wait(&barrier);
    if (r == PTHREAD_BARRIER_SERIAL_THREAD)
        __atomic_add_fetch(&serial, 1, __ATOMIC_SEQ_CST);
    else if (r != 0)
        after_ok = 0;
    if (__atomic_load_n(&before, __ATOMIC_SEQ_CST) != 8)
        after_ok = 0;
    return NULL;
}

static void barriers(void) {
    CHECK_RET(pthread_barrier_init(&barrier, NULL, 8), 0);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, at_barrier, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    CHECK(after_ok);
    CHECK(serial == 1);
    CHECK_RET(pthread_barrier_destroy(&barrier), 0);
}

static pthread_t late_thread;
static void *late(void *arg) {
    (void)arg;
    usleep(20000);
    return (void *)7;
}
static void *joiner(void *arg) {
    (void)arg;
    void *ret = NULL;
    int r = pthread_join(late_thread, &ret);
    return (void *)(intptr_t)(r == 0 && ret == (void *)7 ? 1 : 0);
}

static int block_fd;
static void *reader(void *arg) {
    (void)arg;
    char c;
    read(block_fd, &c, 1);
    return (void *)99;
}

static void *exiter(void *arg) {
    (void)arg;
    pthread_exit((void *)5);
    return NULL;
}

static volatile int usr1_hits;
static volatile pid_t usr1_tid;
static void on_usr1(int sig) {
    (void)sig;
    /* The tid first: the main thread reads it once it sees the hit. */
    usr1_tid = gettid();
    __atomic_fetch_add(&usr1_hits, 1, __ATOMIC_SEQ_CST);
}
static volatile int spin_stop;
static volatile pid_t spinner_tid;
static void *spinner(void *arg) {
    (void)arg;
    spinner_tid = gettid();
    while (!spin_stop)
        usleep(100);
    return NULL;
}

static void lifecycle(void) {
    /* Joining a thread that exits later. */
    pthread_t j;
    CHECK_RET(pthread_create(&late_thread, NULL, late, NULL), 0);
    CHECK_RET(pthread_create(&j, NULL, joiner, NULL), 0);
    void *ret;
    CHECK_RET(pthread_join(j, &ret), 0);
    CHECK(ret == (void *)1);

    CHECK_RET(pthread_join(pthread_self(), NULL), EDEADLK);

    pthread_t e;
    pthread_create(&e, NULL, exiter, NULL);
    CHECK_RET(pthread_join(e, &ret), 0);
    CHECK(ret == (void *)5);

    /* Cancel a thread blocked in read. */
    int p[2];
    CHECK_OK(pipe(p));
    block_fd = p[0];
    pthread_t r;
    pthread_create(&r, NULL, reader, NULL);
    usleep(10000);
    CHECK_RET(pthread_cancel(r), 0);
    CHECK_RET(pthread_join(r, &ret), 0);
    CHECK(ret == PTHREAD_CANCELED);

    /* Shared descriptors: a thread's pipe works for all. */
    pthread_create(&r, NULL, reader, NULL);
    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_RET(pthread_join(r, &ret), 0);
    CHECK(ret == (void *)99);
    close(p[0]);
    close(p[1]);

    /* Shared handlers, per-thread delivery with pthread_kill. */
    signal(SIGUSR1, on_usr1);
    pthread_t s;
    pthread_create(&s, NULL, spinner, NULL);
    while (!spinner_tid)
        usleep(100);
    CHECK_RET(pthread_kill(s, SIGUSR1), 0);
    while (!usr1_hits)
        usleep(100);
    CHECK(usr1_tid == spinner_tid);
    spin_stop = 1;
    pthread_join(s, NULL);
    CHECK_RET(pthread_kill(pthread_self(), 0), 0);
}

int main(void) {
    create_join();
    contention();
    conditions();
    barriers();
    lifecycle();
    return check_status();
}
