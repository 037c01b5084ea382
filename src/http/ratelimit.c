/* SPDX-License-Identifier: MIT */
/* Sliding-window request counters in a sharded hash table. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define SHARDS 16
#define INITIAL_BUCKETS 64

struct counter {
    char *key;
    int64_t window_start;
    unsigned current;
    unsigned previous;
    struct counter *next;
};

struct shard {
    pthread_mutex_t lock;
    struct counter **buckets;
    size_t nbuckets;
    size_t count;
};

struct ratelimit {
    unsigned limit;
    int64_t window;
    struct shard shards[SHARDS];
};

static uint64_t hash_key(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

struct ratelimit *ratelimit_new(unsigned limit, int64_t window_us)
{
    struct ratelimit *limiter = xcalloc(1, sizeof(*limiter));

    limiter->limit = limit;
    limiter->window = window_us > 0 ? window_us : 1;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&limiter->shards[i].lock, NULL);
        limiter->shards[i].nbuckets = INITIAL_BUCKETS;
        limiter->shards[i].buckets =
            xcalloc(INITIAL_BUCKETS, sizeof(struct counter *));
    }
    return limiter;
}

void ratelimit_free(struct ratelimit *limiter)
{
    if (limiter == NULL)
        return;
    for (int i = 0; i < SHARDS; i++) {
        struct shard *shard = &limiter->shards[i];

        for (size_t b = 0; b < shard->nbuckets; b++) {
            struct counter *c = shard->buckets[b];

            while (c != NULL) {
                struct counter *next = c->next;

                free(c->key);
                free(c);
                c = next;
            }
        }
        free(shard->buckets);
        pthread_mutex_destroy(&shard->lock);
    }
    free(limiter);
}

/* Move the counter's windows forward to the one that contains now. */
static void advance(struct counter *c, int64_t window, int64_t now)
{
    int64_t start = now - now % window;

    if (start == c->window_start)
        return;
    c->previous = start - c->window_start == window ? c->current : 0;
    c->current = 0;
    c->window_start = start;
}

/*
 * Drop counters idle for two windows, and grow the table when it is
 * crowded. Runs under the shard lock whenever the table doubles in use,
 * so memory follows the number of recently active keys.
 */
static void sweep(struct shard *shard, int64_t window, int64_t now)
{
    size_t nbuckets = shard->nbuckets;
    struct counter **grown;

    for (size_t b = 0; b < nbuckets; b++) {
        struct counter **link = &shard->buckets[b];

        while (*link != NULL) {
            struct counter *c = *link;

            if (now - c->window_start >= 2 * window) {
                *link = c->next;
                free(c->key);
                free(c);
                shard->count--;
            } else {
                link = &c->next;
            }
        }
    }
    if (shard->count < nbuckets)
        return;

    grown = xcalloc(nbuckets * 2, sizeof(*grown));
    for (size_t b = 0; b < nbuckets; b++) {
        struct counter *c = shard->buckets[b];

        while (c != NULL) {
            struct counter *next = c->next;
            size_t slot = hash_key(c->key) / SHARDS % (nbuckets * 2);

            c->next = grown[slot];
            grown[slot] = c;
            c = next;
        }
    }
    free(shard->buckets);
    shard->buckets = grown;
    shard->nbuckets = nbuckets * 2;
}

bool ratelimit_allow(struct ratelimit *limiter, const char *key, int64_t now)
{
    uint64_t h = hash_key(key);
    struct shard *shard = &limiter->shards[h % SHARDS];
    struct counter *c;
    double weight;
    double estimate;
    bool allowed;

    pthread_mutex_lock(&shard->lock);
    c = shard->buckets[h / SHARDS % shard->nbuckets];
    while (c != NULL && strcmp(c->key, key) != 0)
        c = c->next;
    if (c == NULL) {
        if (shard->count >= shard->nbuckets)
            sweep(shard, limiter->window, now);
        c = xcalloc(1, sizeof(*c));
        c->key = xstrdup(key);
        c->window_start = now - now % limiter->window;
        c->next = shard->buckets[h / SHARDS % shard->nbuckets];
        shard->buckets[h / SHARDS % shard->nbuckets] = c;
        shard->count++;
    }
    advance(c, limiter->window, now);

    weight = 1.0 - (double)(now - c->window_start) / (double)limiter->window;
    estimate = (double)c->previous * weight + (double)c->current;
    allowed = estimate < (double)limiter->limit;
    if (allowed)
        c->current++;
    pthread_mutex_unlock(&shard->lock);
    return allowed;
}
