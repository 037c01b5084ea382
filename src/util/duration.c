/* SPDX-License-Identifier: MIT */
/* Durations in the text form Go's time package reads and writes. */
#include "util/duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct unit {
    const char *name;
    uint64_t ns;
};

static const struct unit units[] = {
    {"ns", 1ULL},           {"us", 1000ULL},
    {"\xc2\xb5s", 1000ULL}, /* U+00B5 MICRO SIGN */
    {"\xce\xbcs", 1000ULL}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", 1000000ULL},     {"s", 1000000000ULL},
    {"m", 60000000000ULL},  {"h", 3600000000000ULL},
};

static const struct unit *find_unit(const char *p, size_t len)
{
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) == len && memcmp(units[i].name, p, len) == 0)
            return &units[i];
    }
    return NULL;
}

/* Parse one "<number><unit>" element at *p and add it to *total. */
static int parse_element(const char **p, uint64_t *total)
{
    uint64_t whole = 0;
    uint64_t frac = 0;
    uint64_t scale = 1;
    bool digits = false;
    const char *unit_start;
    const struct unit *unit;
    uint64_t value;

    for (; **p >= '0' && **p <= '9'; (*p)++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return -1;
        whole = whole * 10 + (uint64_t)(**p - '0');
        digits = true;
    }
    if (**p == '.') {
        (*p)++;
        for (; **p >= '0' && **p <= '9'; (*p)++) {
            digits = true;
            if (scale > UINT64_MAX / 10)
                continue; /* digits past 19 cannot matter */
            frac = frac * 10 + (uint64_t)(**p - '0');
            scale *= 10;
        }
    }
    if (!digits)
        return -1;

    unit_start = *p;
    while (**p != '\0' && **p != '.' && (**p < '0' || **p > '9'))
        (*p)++;
    unit = find_unit(unit_start, (size_t)(*p - unit_start));
    if (unit == NULL)
        return -1;

    if (whole > UINT64_MAX / unit->ns)
        return -1;
    value = whole * unit->ns;
    value += (uint64_t)((long double)frac * (long double)unit->ns /
                        (long double)scale);
    if (value < whole * unit->ns || *total > UINT64_MAX - value)
        return -1;
    *total += value;
    return 0;
}

int duration_parse(const char *text, int64_t *ns)
{
    const char *p = text;
    bool negative = false;
    uint64_t total = 0;

    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        p++;
    }
    if (strcmp(p, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (*p == '\0')
        return -1;
    while (*p != '\0') {
        if (parse_element(&p, &total) != 0)
            return -1;
    }
    if (negative) {
        if (total > (uint64_t)INT64_MAX + 1)
            return -1;
        *ns = (int64_t)(0 - total);
    } else {
        if (total > (uint64_t)INT64_MAX)
            return -1;
        *ns = (int64_t)total;
    }
    return 0;
}

/* Append the fraction digits of v / 10^prec with trailing zeros removed. */
static size_t format_fraction(char *buf, size_t end, uint64_t *v, int prec)
{
    bool print = false;

    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(*v % 10);

        print = print || digit != 0;
        if (print)
            buf[--end] = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        buf[--end] = '.';
    return end;
}

static size_t format_integer(char *buf, size_t end, uint64_t v)
{
    if (v == 0) {
        buf[--end] = '0';
        return end;
    }
    while (v > 0) {
        buf[--end] = (char)('0' + v % 10);
        v /= 10;
    }
    return end;
}

void duration_format(int64_t ns, char *out, size_t size)
{
    char buf[DURATION_STR_MAX];
    size_t end = sizeof(buf) - 1;
    bool negative = ns < 0;
    uint64_t u = negative ? 0 - (uint64_t)ns : (uint64_t)ns;

    buf[end] = '\0';
    if (u < 1000000000ULL) {
        int prec;

        if (u == 0) {
            snprintf(out, size, "0s");
            return;
        }
        buf[--end] = 's';
        if (u < 1000ULL) {
            prec = 0;
            buf[--end] = 'n';
        } else if (u < 1000000ULL) {
            prec = 3;
            buf[--end] = '\xb5';
            buf[--end] = '\xc2';
        } else {
            prec = 6;
            buf[--end] = 'm';
        }
        end = format_fraction(buf, end, &u, prec);
        end = format_integer(buf, end, u);
    } else {
        buf[--end] = 's';
        end = format_fraction(buf, end, &u, 9);
        end = format_integer(buf, end, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--end] = 'm';
            end = format_integer(buf, end, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--end] = 'h';
                end = format_integer(buf, end, u);
            }
        }
    }
    if (negative)
        buf[--end] = '-';
    snprintf(out, size, "%s", buf + end);
}
