/* Futex ping-pong between two threads: 10,000 strict alternations through a
 * private turn word (FUTEX_WAIT on the other's value, FUTEX_WAKE after
 * passing the turn), then a three-thread token ring of 3,000 passes with
 * FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET addressing each thread by its bit.
 * Every handoff is seen in order; the counts come out exact. */
#include "check.h"
#include "futex_util.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>

#define ROUNDS 10000

static uint32_t turn;
static uint32_t count;
static int errors[3];
static int passes[3];

static void play(int side) {
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t;
        while ((t = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != (uint32_t)side)
            if (futex(&turn, FUTEX_WAIT_PRIVATE, t, NULL, NULL, 0) == -1 && errno != EAGAIN)
                errors[side]++;
        if (count != 2 * (uint32_t)i + (uint32_t)side)
            errors[side]++;
        count++;
        passes[side]++;
        __atomic_store_n(&turn, 1 - side, __ATOMIC_RELEASE);
        if (futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == -1)
            errors[side]++;
    }
}

static void *pong(void *arg) {
    (void)arg;
    play(1);
    return NULL;
}

#define RING 3
#define RING_PASSES 1000

static uint32_t token; /* whose turn: 0, 1, 2 */
static uint32_t trail[RING * RING_PASSES];
static uint32_t trail_len;

static void *ring(void *arg) {
    int me = (int)(long)arg;
    for (int i = 0; i < RING_PASSES; i++) {
        uint32_t t;
        while ((t = __atomic_load_n(&token, __ATOMIC_ACQUIRE)) != (uint32_t)me)
            if (futex(&token, FUTEX_WAIT_BITSET_PRIVATE, t, NULL, NULL, 1u << me) == -1 && errno != EAGAIN)
                errors[me]++;
        trail[trail_len++] = me;
        int next = (me + 1) % RING;
        __atomic_store_n(&token, next, __ATOMIC_RELEASE);
        if (futex(&token, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 1u << next) == -1)
            errors[me]++;
    }
    return NULL;
}

int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, pong, NULL);
    play(0);
    pthread_join(t, NULL);
    CHECK_RET(count, 2 * ROUNDS);
    CHECK_RET(passes[0], ROUNDS);
    CHECK_RET(passes[1], ROUNDS);
    CHECK_RET(errors[0] + errors[1], 0);
    CHECK_RET(turn, 0);

    pthread_t r[RING];
    for (long i = 0; i < RING; i++)
        pthread_create(&r[i], NULL, ring, (void *)i);
    for (int i = 0; i < RING; i++)
        pthread_join(r[i], NULL);
    CHECK_RET(trail_len, RING * RING_PASSES);
    int in_order = 1;
    for (uint32_t i = 0; i < trail_len; i++)
        in_order &= trail[i] == i % RING;
    CHECK(in_order);
    CHECK_RET(errors[0] + errors[1] + errors[2], 0);
    CHECK_RET(token, 0);
    return check_status();
}
