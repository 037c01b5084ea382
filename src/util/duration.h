#ifndef USHER_UTIL_DURATION_H
#define USHER_UTIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_NS_PER_SECOND 1000000000LL
#define DURATION_NS_PER_HOUR (3600LL * DURATION_NS_PER_SECOND)

/* Room for the longest text duration_format writes, with NUL. */
#define DURATION_STR_MAX 40

/*
 * Parse a duration in Go's time.ParseDuration syntax ("24h", "1h30m",
 * "1.5s", "300ms"; units ns, us, ms, s, m, h) into nanoseconds. Returns 0,
 * or -1 for bad syntax, an unknown unit or a value past int64.
 */
int duration_parse(const char *text, int64_t *ns);

/* Write ns as Go's Duration.String() does, e.g. "168h0m0s" or "1.5s". */
void duration_format(int64_t ns, char *out, size_t size);

#endif
