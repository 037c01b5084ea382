#ifndef USHER_UTIL_NUMBER_H
#define USHER_UTIL_NUMBER_H

#include <stddef.h>
#include <stdint.h>

enum number_error {
    NUMBER_OK = 0,
    NUMBER_SYNTAX, /* empty, stray characters or no digits */
    NUMBER_RANGE,  /* digits fine but the value does not fit */
};

/*
 * Parse a whole string as a decimal integer with an optional sign, within
 * [min, max]. No whitespace, no base prefixes, no trailing bytes. On
 * NUMBER_RANGE *out is not written.
 */
enum number_error number_parse_i64(const char *text, int64_t min, int64_t max,
                                   int64_t *out);

/*
 * Write the message Go's strconv.ParseInt gives for err on text, such as
 * strconv.ParseInt: parsing "abc": invalid syntax.
 */
void number_error_text(enum number_error err, const char *text, char *out,
                       size_t size);

#endif
