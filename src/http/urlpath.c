/* SPDX-License-Identifier: MIT */
/* Percent-decoding of paths and the check for Go's canonical encoding. */
#include "http/urlpath.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t urlpath_unescape(char *text)
{
    char *out = text;

    for (char *in = text; *in != '\0'; in++) {
        int hi;
        int lo;

        hi = in[0] == '%' ? hex_value(in[1]) : -1;
        lo = hi >= 0 ? hex_value(in[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *out++ = (char)(hi << 4 | lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - text);
}

/* Report whether Go's encoder writes byte c of a path as %XX. */
static bool path_escapes(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return false;
    switch (c) {
    case '-':
    case '_':
    case '.':
    case '~':
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '@':
        return false;
    default:
        return true;
    }
}

static bool upper_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

bool urlpath_is_canonical(const char *path)
{
    for (const char *p = path; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c != '%') {
            if (path_escapes(c))
                return false;
            continue;
        }
        if (!upper_hex(p[1]) || !upper_hex(p[2]))
            return false;
        c = (unsigned char)(hex_value(p[1]) << 4 | hex_value(p[2]));
        if (!path_escapes(c))
            return false;
        p += 2;
    }
    return true;
}
