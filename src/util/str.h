#ifndef USHER_UTIL_STR_H
#define USHER_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Return a heap copy of s with ASCII letters lower-cased. */
char *str_ascii_lower(const char *s);

/* Report whether s starts with prefix. */
bool str_has_prefix(const char *s, const char *prefix);

/*
 * Copy src into dst of size bytes, truncating, always NUL-terminating when
 * size > 0. Returns strlen(src), so truncation shows as a result >= size.
 */
size_t str_copy(char *dst, const char *src, size_t size);

#endif
