#ifndef USHER_UTIL_RANDOM_H
#define USHER_UTIL_RANDOM_H

#include <stddef.h>

/*
 * Fill out with len bytes from OpenSSL's CSPRNG. Returns 0, or -1 when the
 * generator fails (out is then unspecified).
 */
int random_bytes(void *out, size_t len);

/*
 * Write len characters drawn uniformly from 0-9A-Za-z, then a NUL, into out
 * (which must hold len + 1 bytes). Returns 0 or -1 as random_bytes.
 */
int random_alnum(char *out, size_t len);

#endif
