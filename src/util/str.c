/* SPDX-License-Identifier: MIT */
/* Small string helpers that libc lacks. */
#include "util/str.h"

#include <string.h>

#include "util/mem.h"

char *str_ascii_lower(const char *s)
{
    char *out = xstrdup(s);

    for (char *p = out; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

bool str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

size_t str_copy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
