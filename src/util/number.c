/* SPDX-License-Identifier: MIT */
/* The one strict parser for integers that come from outside. */
#include "util/number.h"

#include <stdbool.h>
#include <stdio.h>

enum number_error number_parse_i64(const char *text, int64_t min, int64_t max,
                                   int64_t *out)
{
    const char *p = text;
    bool negative = false;
    uint64_t limit;
    uint64_t value = 0;
    bool overflow = false;

    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        p++;
    }
    if (*p == '\0')
        return NUMBER_SYNTAX;
    limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *p != '\0'; p++) {
        unsigned digit;

        if (*p < '0' || *p > '9')
            return NUMBER_SYNTAX;
        digit = (unsigned)(*p - '0');
        if (value > (limit - digit) / 10)
            overflow = true;
        else
            value = value * 10 + digit;
    }
    if (overflow)
        return NUMBER_RANGE;

    {
        int64_t result = negative ? (int64_t)(0 - value) : (int64_t)value;

        if (result < min || result > max)
            return NUMBER_RANGE;
        *out = result;
    }
    return NUMBER_OK;
}

void number_error_text(enum number_error err, const char *text, char *out,
                       size_t size)
{
    const char *reason =
        err == NUMBER_RANGE ? "value out of range" : "invalid syntax";

    snprintf(out, size, "strconv.ParseInt: parsing \"%s\": %s", text, reason);
}
