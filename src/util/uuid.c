/* SPDX-License-Identifier: MIT */
/* Random UUIDs and their text forms. */
#include "util/uuid.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/random.h"

static const char hex_digits[] = "0123456789abcdef";

static void format_bytes(const unsigned char bytes[16],
                         char out[UUID_STR_LEN + 1])
{
    size_t n = 0;

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        out[n++] = hex_digits[bytes[i] >> 4];
        out[n++] = hex_digits[bytes[i] & 0xf];
    }
    out[n] = '\0';
}

int uuid_generate(char out[UUID_STR_LEN + 1])
{
    unsigned char bytes[16];

    if (random_bytes(bytes, sizeof(bytes)) != 0)
        return -1;
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);
    format_bytes(bytes, out);
    return 0;
}

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

/* Read 32 hex digits, skipping dashes exactly where the canonical form has
 * them when dashed is set. */
static int read_hex(const char *text, bool dashed, unsigned char bytes[16])
{
    size_t pos = 0;

    for (int i = 0; i < 16; i++) {
        int hi;
        int lo;

        if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
            if (text[pos] != '-')
                return -1;
            pos++;
        }
        hi = hex_value(text[pos]);
        lo = hi < 0 ? -1 : hex_value(text[pos + 1]);
        if (lo < 0)
            return -1;
        bytes[i] = (unsigned char)(hi << 4 | lo);
        pos += 2;
    }
    return 0;
}

int uuid_parse(const char *text, char out[UUID_STR_LEN + 1])
{
    unsigned char bytes[16];
    size_t len = strlen(text);
    int rc = -1;

    if (len == 36)
        rc = read_hex(text, true, bytes);
    else if (len == 38 && text[0] == '{' && text[37] == '}')
        rc = read_hex(text + 1, true, bytes);
    else if (len == 45 && strncasecmp(text, "urn:uuid:", 9) == 0)
        rc = read_hex(text + 9, true, bytes);
    else if (len == 32)
        rc = read_hex(text, false, bytes);
    if (rc != 0)
        return -1;
    format_bytes(bytes, out);
    return 0;
}

bool uuid_valid(const char *text)
{
    char ignored[UUID_STR_LEN + 1];

    return uuid_parse(text, ignored) == 0;
}
