/* SPDX-License-Identifier: MIT */
/* Quoting strings for messages the way Go's strconv.Quote does. */
#include "util/quote.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"

static bool is_printable(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7f)
        return false;
    if (cp >= 0x80 && cp <= 0xa0)
        return false;
    if (cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
        (cp >= 0x2028 && cp <= 0x202e) || cp == 0xfeff)
        return false;
    return true;
}

static void append_escape(struct buf *out, uint32_t cp)
{
    static const char letters[] = "abtnvfr";

    if (cp >= 0x07 && cp <= 0x0d) {
        buf_printf(out, "\\%c", letters[cp - 0x07]);
        return;
    }
    if (cp < 0x80) {
        buf_printf(out, "\\x%02x", (unsigned)cp);
        return;
    }
    if (cp < 0x10000) {
        buf_printf(out, "\\u%04x", (unsigned)cp);
        return;
    }
    buf_printf(out, "\\U%08x", (unsigned)cp);
}

char *quote_go(const char *s, size_t len)
{
    struct buf out;
    size_t i = 0;

    buf_init(&out, (size_t)-1 / 2);
    buf_puts(&out, "\"");
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);

        if (cp == UTF8_REPLACEMENT && n == 1)
            buf_printf(&out, "\\x%02x", (unsigned)(unsigned char)s[i]);
        else if (cp == '"' || cp == '\\')
            buf_printf(&out, "\\%c", (char)cp);
        else if (!is_printable(cp))
            append_escape(&out, cp);
        else
            buf_append(&out, s + i, n);
        i += n;
    }
    buf_puts(&out, "\"");
    return buf_take(&out);
}

char *quote_go_str(const char *s)
{
    return quote_go(s, strlen(s));
}
