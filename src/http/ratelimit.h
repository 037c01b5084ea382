#ifndef USHER_HTTP_RATELIMIT_H
#define USHER_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Counts requests per key (such as a user id or client address joined
 * with a route) in a sliding window: the count of the previous window,
 * weighted by how much of it still overlaps, plus the current window's.
 * State is per process, as in Coder.
 */
struct ratelimit;

/* Allow at most limit requests per key in any window of window_us. */
struct ratelimit *ratelimit_new(unsigned limit, int64_t window_us);

/* Free the limiter. NULL is ok. */
void ratelimit_free(struct ratelimit *limiter);

/* Count one request for key at time now and report whether it is allowed. */
bool ratelimit_allow(struct ratelimit *limiter, const char *key, int64_t now);

#endif
