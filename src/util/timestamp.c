/* SPDX-License-Identifier: MIT */
/* RFC 3339 timestamps held as microseconds since the Unix epoch. */
#include "util/timestamp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t timestamp_now(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * TIMESTAMP_US_PER_SECOND + now.tv_nsec / 1000;
}

int64_t timestamp_monotonic(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * TIMESTAMP_US_PER_SECOND + now.tv_nsec / 1000;
}

/*
 * Convert between a day count relative to 1970-01-01 and a proleptic
 * Gregorian date. These are the standard era-based conversions, valid for
 * every date this module accepts, without time_t or the C library.
 */
static int64_t days_from_civil(int64_t year, int month, int day)
{
    int64_t era;
    int64_t yoe;
    int64_t doy;
    int64_t doe;

    year -= month <= 2;
    era = (year >= 0 ? year : year - 399) / 400;
    yoe = year - era * 400;
    doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t era;
    int64_t doe;
    int64_t yoe;
    int64_t doy;
    int64_t mp;

    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

void timestamp_format(int64_t ts, char *out, size_t size)
{
    int64_t seconds = floor_div(ts, TIMESTAMP_US_PER_SECOND);
    int64_t micros = ts - seconds * TIMESTAMP_US_PER_SECOND;
    int64_t days = floor_div(seconds, 86400);
    int64_t rem = seconds - days * 86400;
    int64_t year;
    int month;
    int day;
    char frac[8] = "";
    int n;

    civil_from_days(days, &year, &month, &day);
    if (year < 1 || year > 9999) {
        if (size > 0)
            out[0] = '\0';
        return;
    }
    if (micros != 0) {
        snprintf(frac, sizeof(frac), ".%06lld", (long long)micros);
        n = (int)strlen(frac);
        while (frac[n - 1] == '0')
            frac[--n] = '\0';
    }
    snprintf(out, size, "%04lld-%02d-%02dT%02d:%02d:%02d%sZ", (long long)year,
             month, day, (int)(rem / 3600), (int)(rem / 60 % 60),
             (int)(rem % 60), frac);
}

static int read_digits(const char **p, int count, int *value)
{
    int result = 0;

    for (int i = 0; i < count; i++) {
        char c = (*p)[i];

        if (c < '0' || c > '9')
            return -1;
        result = result * 10 + (c - '0');
    }
    *p += count;
    *value = result;
    return 0;
}

static int expect_char(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

static int days_in_month(int64_t year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : days[month - 1];
}

static int fail(char *err, size_t errsize, const char *reason)
{
    snprintf(err, errsize, "%s", reason);
    return -1;
}

static int parse_fraction(const char **p, int64_t *micros)
{
    int64_t value = 0;
    int digits = 0;

    if (**p != '.' && **p != ',')
        return 0;
    (*p)++;
    while (**p >= '0' && **p <= '9') {
        if (digits < 6)
            value = value * 10 + (**p - '0');
        digits++;
        (*p)++;
    }
    if (digits == 0 || digits > 9)
        return -1;
    for (int i = digits; i < 6; i++)
        value *= 10;
    *micros = value;
    return 0;
}

static int parse_offset(const char **p, int64_t *offset)
{
    int hours;
    int minutes;
    int sign;

    if (**p == 'Z') {
        (*p)++;
        *offset = 0;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return -1;
    sign = **p == '-' ? -1 : 1;
    (*p)++;
    if (read_digits(p, 2, &hours) != 0 || expect_char(p, ':') != 0 ||
        read_digits(p, 2, &minutes) != 0 || hours > 23 || minutes > 59)
        return -1;
    *offset = sign * (hours * 3600 + minutes * 60);
    return 0;
}

int timestamp_parse(const char *text, int64_t *ts, char *err, size_t errsize)
{
    const char *p = text;
    int year, month, day, hour, minute, second;
    int64_t micros = 0;
    int64_t offset;
    int64_t seconds;

    if (read_digits(&p, 4, &year) != 0 || expect_char(&p, '-') != 0 ||
        read_digits(&p, 2, &month) != 0 || expect_char(&p, '-') != 0 ||
        read_digits(&p, 2, &day) != 0)
        return fail(err, errsize, "cannot parse the date as YYYY-MM-DD");
    if (expect_char(&p, 'T') != 0 || read_digits(&p, 2, &hour) != 0 ||
        expect_char(&p, ':') != 0 || read_digits(&p, 2, &minute) != 0 ||
        expect_char(&p, ':') != 0 || read_digits(&p, 2, &second) != 0)
        return fail(err, errsize, "cannot parse the time as Thh:mm:ss");
    if (parse_fraction(&p, &micros) != 0)
        return fail(err, errsize, "fractional second has too many digits");
    if (parse_offset(&p, &offset) != 0)
        return fail(err, errsize,
                    "missing or invalid zone, expected Z or "
                    "+hh:mm");
    if (*p != '\0')
        return fail(err, errsize, "extra text after the zone");
    if (year < 1 || month < 1 || month > 12)
        return fail(err, errsize, "month out of range");
    if (day < 1 || day > days_in_month(year, month))
        return fail(err, errsize, "day out of range");
    if (hour > 23 || minute > 59 || second > 59)
        return fail(err, errsize, "hour, minute or second out of range");

    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 +
              minute * 60 + second - offset;
    *ts = seconds * TIMESTAMP_US_PER_SECOND + micros;
    return 0;
}
