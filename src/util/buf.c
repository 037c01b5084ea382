/* SPDX-License-Identifier: MIT */
/* Growable byte buffers with a fixed maximum size. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void buf_init(struct buf *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void buf_release(struct buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

static int buf_reserve(struct buf *buf, size_t extra)
{
    size_t need;
    size_t cap;

    if (extra > buf->max || buf->len > buf->max - extra)
        return -1;
    need = buf->len + extra + 1;
    if (need <= buf->cap)
        return 0;

    cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap *= 2;
    buf->data = xrealloc(buf->data, cap);
    buf->cap = cap;
    return 0;
}

int buf_append(struct buf *buf, const void *data, size_t len)
{
    if (buf_reserve(buf, len) != 0)
        return -1;
    if (len > 0)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

int buf_puts(struct buf *buf, const char *str)
{
    return buf_append(buf, str, strlen(str));
}

int buf_vprintf(struct buf *buf, const char *fmt, va_list ap)
{
    va_list copy;
    int needed;

    va_copy(copy, ap);
    needed = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (needed < 0)
        return -1;
    if (buf_reserve(buf, (size_t)needed) != 0)
        return -1;
    vsnprintf(buf->data + buf->len, (size_t)needed + 1, fmt, ap);
    buf->len += (size_t)needed;
    return 0;
}

int buf_printf(struct buf *buf, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vprintf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

char *buf_take(struct buf *buf)
{
    char *data = buf->data;

    if (data == NULL)
        data = xstrdup("");
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    return data;
}
