#ifndef USHER_UTIL_BASE64_H
#define USHER_UTIL_BASE64_H

#include <stddef.h>

/*
 * Unpadded standard base64 (Go's base64.RawStdEncoding), the encoding of
 * Coder's password hashes.
 */

/* Return the length of the encoding of len bytes, without the NUL. */
size_t base64_raw_encoded_len(size_t len);

/* Encode len bytes into out, which must hold base64_raw_encoded_len + 1. */
void base64_raw_encode(const unsigned char *data, size_t len, char *out);

/*
 * Decode the NUL-terminated text into out (at most outsize bytes) and store
 * the decoded length in *outlen. Padding, whitespace and characters outside
 * the alphabet are rejected, as are non-zero bits left over in the final
 * character. Returns 0 or -1.
 */
int base64_raw_decode(const char *text, unsigned char *out, size_t outsize,
                      size_t *outlen);

#endif
