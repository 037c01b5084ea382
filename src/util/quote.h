#ifndef USHER_UTIL_QUOTE_H
#define USHER_UTIL_QUOTE_H

#include <stddef.h>

/*
 * Return a heap copy of the len bytes at s as a double-quoted string, the
 * way Go's strconv.Quote (and so fmt's %q) writes it. '"' and '\' are
 * escaped, and control characters become \a, \n, \x1f and the like. Each
 * byte that is not valid UTF-8 becomes \xNN. Other characters stay as they
 * are. Coder's error messages quote user input this way. The caller frees
 * the result.
 *
 * NOTE: Go also escapes every rune that unicode.IsPrint rejects; this
 * escapes only the C1 controls and the common invisible spaces and marks
 * of that set.
 */
char *quote_go(const char *s, size_t len);

/* As quote_go for a NUL-terminated string. */
char *quote_go_str(const char *s);

#endif
