#ifndef USHER_UTIL_UTF8_H
#define USHER_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* U+FFFD, which stands in for bytes that are not valid UTF-8. */
#define UTF8_REPLACEMENT 0xFFFDu

/*
 * Decode the code point at s (len bytes available) and store it in *cp.
 * Returns the number of bytes used, at least 1. Invalid or truncated
 * sequences, overlong forms and surrogates decode as one byte of
 * UTF8_REPLACEMENT, as Go's utf8.DecodeRuneInString does.
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Report whether the len bytes at s are valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/*
 * Return a heap copy of s with every invalid byte replaced by the UTF-8
 * form of U+FFFD, so that it can go into JSON. The caller frees it.
 */
char *utf8_sanitize(const char *s, size_t len);

#endif
