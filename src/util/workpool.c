/* SPDX-License-Identifier: MIT */
/* A small thread pool with a bounded queue. */
#include "util/workpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

struct job {
    void (*fn)(void *arg);
    void *arg;
};

struct workpool {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct job *queue;
    size_t max_queue;
    size_t head;
    size_t count;
    size_t running;
    bool stopping;
    int nice_value;
    unsigned nthreads;
    pthread_t *threads;
};

static void lower_priority(int nice_value)
{
    /* On Linux a thread id names one thread for setpriority(). */
    pid_t tid = (pid_t)syscall(SYS_gettid);

    if (nice_value != 0 &&
        setpriority(PRIO_PROCESS, (id_t)tid, nice_value) != 0)
        log_kv_errno(LOG_WARN, "workpool", "cannot lower worker priority",
                     NULL);
}

static void *worker_main(void *arg)
{
    struct workpool *pool = arg;

    lower_priority(pool->nice_value);
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        struct job job;

        while (pool->count == 0 && !pool->stopping)
            pthread_cond_wait(&pool->ready, &pool->lock);
        if (pool->count == 0)
            break;
        job = pool->queue[pool->head];
        pool->head = (pool->head + 1) % pool->max_queue;
        pool->count--;
        pool->running++;
        pthread_mutex_unlock(&pool->lock);

        job.fn(job.arg);

        pthread_mutex_lock(&pool->lock);
        pool->running--;
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

struct workpool *workpool_new(unsigned threads, size_t max_queue,
                              int nice_value)
{
    struct workpool *pool = xcalloc(1, sizeof(*pool));

    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->ready, NULL);
    pool->max_queue = max_queue > 0 ? max_queue : 1;
    pool->queue = xcalloc(pool->max_queue, sizeof(*pool->queue));
    pool->nice_value = nice_value;
    pool->threads = xcalloc(threads, sizeof(*pool->threads));
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            log_kv(LOG_ERROR, "workpool", "cannot start worker thread", NULL);
            workpool_free(pool);
            return NULL;
        }
        pool->nthreads++;
    }
    return pool;
}

int workpool_submit(struct workpool *pool, void (*fn)(void *arg), void *arg)
{
    int rc = -1;

    pthread_mutex_lock(&pool->lock);
    if (!pool->stopping && pool->count < pool->max_queue) {
        size_t tail = (pool->head + pool->count) % pool->max_queue;

        pool->queue[tail].fn = fn;
        pool->queue[tail].arg = arg;
        pool->count++;
        pthread_cond_signal(&pool->ready);
        rc = 0;
    }
    pthread_mutex_unlock(&pool->lock);
    return rc;
}

size_t workpool_pending(struct workpool *pool)
{
    size_t pending;

    pthread_mutex_lock(&pool->lock);
    pending = pool->count + pool->running;
    pthread_mutex_unlock(&pool->lock);
    return pending;
}

void workpool_free(struct workpool *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->ready);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool->queue);
    free(pool);
}
