#ifndef USHER_UTIL_TIMESTAMP_H
#define USHER_UTIL_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Timestamps are microseconds since 1970-01-01T00:00:00Z in an int64_t,
 * which covers years 1 to 9999 with room to spare.
 */

/* Go's zero time, 0001-01-01T00:00:00Z, which Coder prints for "never". */
#define TIMESTAMP_ZERO (-62135596800LL * 1000000LL)

#define TIMESTAMP_US_PER_SECOND 1000000LL

/* Room for the longest RFC 3339 text timestamp_format writes, with NUL. */
#define TIMESTAMP_STR_MAX 40

/* Return the current wall-clock time. */
int64_t timestamp_now(void);

/* Return a monotonic clock reading in microseconds, for measuring spans. */
int64_t timestamp_monotonic(void);

/*
 * Write ts as RFC 3339 in UTC the way Go's time.RFC3339Nano does: fractional
 * seconds with trailing zeros removed, no fraction when it is zero, and a
 * trailing Z. Writes "" when ts lies outside years 1 to 9999.
 */
void timestamp_format(int64_t ts, char *out, size_t size);

/*
 * Parse an RFC 3339 date-time with an optional fraction of up to nine digits
 * (digits past the sixth are truncated) and a Z or +hh:mm offset. Returns 0,
 * or -1 with a short reason in err.
 */
int timestamp_parse(const char *text, int64_t *ts, char *err, size_t errsize);

#endif
