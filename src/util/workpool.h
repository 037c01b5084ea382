#ifndef USHER_UTIL_WORKPOOL_H
#define USHER_UTIL_WORKPOOL_H

#include <stddef.h>

/*
 * A fixed set of threads that run queued jobs in order of submission. The
 * server runs slow work (password hashing, key generation) here so that it
 * never holds up the threads that answer other requests.
 */
struct workpool;

/*
 * Start threads workers that take jobs from a queue of at most max_queue
 * waiting jobs. The workers run at the given nice value (0 leaves the
 * priority unchanged), so that work queued here yields the CPU to
 * everything else. Returns NULL when a thread cannot be started.
 */
struct workpool *workpool_new(unsigned threads, size_t max_queue,
                              int nice_value);

/*
 * Queue fn(arg). Returns 0, or -1 when the queue is full or the pool is
 * shutting down; fn is then not called and arg stays with the caller.
 */
int workpool_submit(struct workpool *pool, void (*fn)(void *arg), void *arg);

/* Return the number of jobs waiting or running. */
size_t workpool_pending(struct workpool *pool);

/* Run every queued job, stop the workers and free the pool. NULL is ok. */
void workpool_free(struct workpool *pool);

#endif
