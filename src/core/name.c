/* SPDX-License-Identifier: MIT */
/* Validation rules for usernames, display names and e-mail addresses. */
#include "core/name.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

static bool is_ascii_alnum(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static bool is_ascii_alpha(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool name_username_valid(const char *s)
{
    size_t len = strlen(s);
    bool after_hyphen = true;

    if (len == 0 || len > NAME_USERNAME_MAX)
        return false;
    if (strcmp(s, "new") == 0 || strcmp(s, "create") == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '-') {
            if (after_hyphen)
                return false;
            after_hyphen = true;
        } else if (is_ascii_alnum(c)) {
            after_hyphen = false;
        } else {
            return false;
        }
    }
    return !after_hyphen;
}

/* The code points Go's unicode.IsSpace accepts. */
static bool is_unicode_space(uint32_t c)
{
    switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

/* Decode the last code point of s[0..len) into *cp. */
static void last_code_point(const char *s, size_t len, uint32_t *cp)
{
    size_t start = len - 1;

    while (start > 0 && len - start < 4 &&
           ((unsigned char)s[start] & 0xc0) == 0x80)
        start--;
    if (utf8_decode(s + start, len - start, cp) != len - start)
        *cp = UTF8_REPLACEMENT;
}

bool name_real_name_valid(const char *s)
{
    size_t len = strlen(s);
    uint32_t first;
    uint32_t last;

    if (len > NAME_REAL_NAME_MAX)
        return false;
    if (len == 0)
        return true;
    utf8_decode(s, len, &first);
    last_code_point(s, len, &last);
    return !is_unicode_space(first) && !is_unicode_space(last);
}

/* Letters beyond ASCII that the validator's e-mail pattern accepts. */
static bool is_extended_letter(uint32_t c)
{
    return (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
           (c >= 0xFDF0 && c <= 0xFFEF);
}

static bool is_atext(uint32_t c)
{
    return is_ascii_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", (int)c) != NULL ||
           is_extended_letter(c);
}

/* Decode the next code point, refusing bytes that are not UTF-8. */
static bool next_code_point(const char *s, size_t len, size_t *pos,
                            uint32_t *cp)
{
    size_t n = utf8_decode(s + *pos, len - *pos, cp);

    if (*cp == UTF8_REPLACEMENT && n == 1)
        return false;
    *pos += n;
    return true;
}

static bool local_dot_atom_valid(const char *s, size_t len)
{
    size_t pos = 0;
    bool after_dot = true;

    while (pos < len) {
        uint32_t c;

        if (!next_code_point(s, len, &pos, &c))
            return false;
        if (c == '.') {
            if (after_dot)
                return false;
            after_dot = true;
        } else if (is_atext(c) && c != 0) {
            after_dot = false;
        } else {
            return false;
        }
    }
    return !after_dot;
}

static bool local_quoted_valid(const char *s, size_t len)
{
    size_t pos = 1;

    if (len < 2 || s[0] != '"' || s[len - 1] != '"')
        return false;
    len--;
    while (pos < len) {
        uint32_t c;

        if (!next_code_point(s, len, &pos, &c))
            return false;
        if (c == '\\') {
            if (!next_code_point(s, len, &pos, &c) || c == 0 || c == '\n')
                return false;
        } else if (c == '"' || c == 0 || c == '\r' || c == '\n') {
            return false;
        } else if (c >= 0x80 && !is_extended_letter(c)) {
            return false;
        }
    }
    return true;
}

/*
 * Check one domain label. Inner characters may also be "-", "_" or "~";
 * the first and last must be letters or digits, and for the top-level
 * label letters only.
 */
static bool label_valid(const char *s, size_t len, bool top_level)
{
    size_t pos = 0;
    uint32_t c = 0;
    size_t index = 0;

    if (len == 0)
        return false;
    while (pos < len) {
        bool edge;
        bool edge_ok;

        if (!next_code_point(s, len, &pos, &c))
            return false;
        edge = index == 0 || pos == len;
        edge_ok = is_extended_letter(c) ||
                  (top_level ? is_ascii_alpha(c) : is_ascii_alnum(c));
        if (edge && !edge_ok)
            return false;
        if (!edge && !edge_ok && !is_ascii_alnum(c) && c != '-' && c != '_' &&
            c != '~')
            return false;
        index++;
    }
    return true;
}

static bool domain_valid(const char *s, size_t len)
{
    size_t start = 0;
    size_t labels = 0;

    /* A single trailing dot (a fully qualified name) is allowed. */
    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0)
        return false;
    while (start <= len) {
        const char *dot = memchr(s + start, '.', len - start);
        size_t end = dot ? (size_t)(dot - s) : len;
        bool top_level = dot == NULL;

        if (!label_valid(s + start, end - start, top_level))
            return false;
        labels++;
        start = end + 1;
        if (top_level)
            break;
    }
    return labels >= 2;
}

bool name_email_valid(const char *s)
{
    size_t len = strlen(s);
    const char *at;
    size_t local_len;

    if (len == 0 || len > NAME_EMAIL_MAX)
        return false;
    at = strrchr(s, '@');
    if (at == NULL)
        return false;
    local_len = (size_t)(at - s);
    if (local_len == 0 || local_len > 64)
        return false;
    if (!local_dot_atom_valid(s, local_len) &&
        !local_quoted_valid(s, local_len))
        return false;
    return domain_valid(at + 1, len - local_len - 1);
}
