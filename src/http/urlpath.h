#ifndef USHER_HTTP_URLPATH_H
#define USHER_HTTP_URLPATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Percent-encoding of request paths. Coder's router (chi on Go's net/url)
 * matches the path as the client sent it whenever that text differs from
 * what Go's URL encoder writes for the decoded path. It then passes each
 * captured segment on still encoded. Only a path in that canonical form
 * is routed, and its segments captured, decoded. These helpers let the
 * router follow the same rule.
 */

/*
 * Decode %XX escapes in text in place, except %00: a NUL would cut the C
 * string short, so it stays as the three characters "%00". A "%" not
 * followed by two hex digits stays as it is. Returns the new length.
 */
size_t urlpath_unescape(char *text);

/*
 * Report whether path (as sent, without the query string) is exactly what
 * Go's URL encoder writes for its decoded form. That holds when every byte
 * the encoder escapes appears as %XX with upper-case hex digits, and every
 * escape is such a byte. A path without any "%" is canonical when none of
 * its characters needs escaping.
 */
bool urlpath_is_canonical(const char *path);

#endif
