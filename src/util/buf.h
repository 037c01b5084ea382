#ifndef USHER_UTIL_BUF_H
#define USHER_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer with a maximum size fixed at initialisation. The
 * data is always NUL-terminated, and the terminator is not counted in len.
 */
struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Set up an empty buffer that may grow to max bytes. */
void buf_init(struct buf *buf, size_t max);

/* Free the buffer's storage; the buffer is empty afterwards. */
void buf_release(struct buf *buf);

/*
 * Append len bytes. Returns 0, or -1 when the result would exceed the
 * maximum, in which case the buffer is unchanged.
 */
int buf_append(struct buf *buf, const void *data, size_t len);

/* Append a NUL-terminated string; errors as buf_append. */
int buf_puts(struct buf *buf, const char *str);

/* Append formatted text; errors as buf_append. */
int buf_printf(struct buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *buf, const char *fmt, va_list ap);

/* Move the data out to the caller, who must free it; the buffer is empty. */
char *buf_take(struct buf *buf);

#endif
