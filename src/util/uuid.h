#ifndef USHER_UTIL_UUID_H
#define USHER_UTIL_UUID_H

#include <stdbool.h>

/* Length of the canonical text form, without the NUL. */
#define UUID_STR_LEN 36

#define UUID_NIL "00000000-0000-0000-0000-000000000000"

/* Write a new random (version 4) UUID in lower-case canonical form. */
int uuid_generate(char out[UUID_STR_LEN + 1]);

/*
 * Parse the forms Go's github.com/google/uuid accepts: canonical, braced,
 * urn:uuid: prefixed and 32 bare hex digits, in either case. Writes the
 * lower-case canonical form. Returns 0, or -1 when text is not a UUID.
 */
int uuid_parse(const char *text, char out[UUID_STR_LEN + 1]);

/* Report whether text is a UUID in any form uuid_parse accepts. */
bool uuid_valid(const char *text);

#endif
