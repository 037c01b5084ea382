#ifndef USHER_UTIL_MEM_H
#define USHER_UTIL_MEM_H

#include <stddef.h>

/*
 * Allocation wrappers. Each one logs and aborts the process when memory
 * runs out, so callers never check for NULL.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);

/* Return a heap copy of str (NULL stays NULL). */
char *xstrdup(const char *str);

/* Return a heap copy of the first len bytes of str, NUL-terminated. */
char *xstrndup(const char *str, size_t len);

#endif
