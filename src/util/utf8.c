/* SPDX-License-Identifier: MIT */
/* UTF-8 decoding and repair. */
#include "util/utf8.h"

#include "util/buf.h"
#include "util/mem.h"

#include <string.h>

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t value;
    size_t need;
    uint32_t min;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        need = 2;
        value = p[0] & 0x1fu;
        min = 0x80;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        need = 3;
        value = p[0] & 0x0fu;
        min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        need = 4;
        value = p[0] & 0x07u;
        min = 0x10000;
    } else {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    if (len < need) {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *cp = UTF8_REPLACEMENT;
            return 1;
        }
        value = value << 6 | (p[i] & 0x3fu);
    }
    if (value < min || value > 0x10ffff ||
        (value >= 0xd800 && value <= 0xdfff)) {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    *cp = value;
    return need;
}

bool utf8_valid(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);

        /* A genuine U+FFFD takes three bytes; one byte means an error. */
        if (cp == UTF8_REPLACEMENT && n == 1)
            return false;
        i += n;
    }
    return true;
}

char *utf8_sanitize(const char *s, size_t len)
{
    struct buf out;
    size_t i = 0;

    buf_init(&out, (size_t)-1 / 2);
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);

        if (cp == UTF8_REPLACEMENT && n == 1)
            buf_append(&out, "\xef\xbf\xbd", 3);
        else
            buf_append(&out, s + i, n);
        i += n;
    }
    return buf_take(&out);
}
