/* SPDX-License-Identifier: MIT */
/* RFC 3339 formatting and parsing of microsecond timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/timestamp.h"

struct format_case {
    int64_t ts;
    const char *text;
};

static const struct format_case formats[] = {
    {0, "1970-01-01T00:00:00Z"},
    {TIMESTAMP_ZERO, "0001-01-01T00:00:00Z"},
    {1751373296123456LL, "2025-07-01T12:34:56.123456Z"},
    {1751373296120000LL, "2025-07-01T12:34:56.12Z"},
    {1751373296000001LL, "2025-07-01T12:34:56.000001Z"},
    {951782400000000LL, "2000-02-29T00:00:00Z"},
    {-1, "1969-12-31T23:59:59.999999Z"},
    {253402300799999999LL, "9999-12-31T23:59:59.999999Z"},
};

static void format_like_go(void **state)
{
    char out[TIMESTAMP_STR_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        timestamp_format(formats[i].ts, out, sizeof(out));
        assert_string_equal(out, formats[i].text);
    }
    timestamp_format(253402300800000000LL, out, sizeof(out));
    assert_string_equal(out, "");
}

static void parse_round_trips(void **state)
{
    int64_t ts;
    char err[128];

    (void)state;
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        assert_int_equal(
            timestamp_parse(formats[i].text, &ts, err, sizeof(err)), 0);
        assert_int_equal(ts, formats[i].ts);
    }
}

static void parse_offsets_and_nanoseconds(void **state)
{
    int64_t ts;
    char err[128];

    (void)state;
    assert_int_equal(timestamp_parse("2025-07-01T14:34:56.123456789+02:00", &ts,
                                     err, sizeof(err)),
                     0);
    assert_int_equal(ts, 1751373296123456LL);
    assert_int_equal(
        timestamp_parse("2025-07-01T12:34:56-00:30", &ts, err, sizeof(err)), 0);
    assert_int_equal(ts, 1751375096000000LL);
}

static void parse_rejects_bad_text(void **state)
{
    static const char *const bad[] = {
        "",
        "yesterday",
        "2023-01-01",
        "2023-01-01T00:00:00",
        "2023-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2023-01-01T24:00:00Z",
        "2023-01-01T00:00:00.Z",
        "2023-01-01T00:00:00.1234567890Z",
        "2023-01-01T00:00:00Zjunk",
        "2023-01-01t00:00:00z",
        "0000-01-01T00:00:00Z",
    };
    int64_t ts;
    char err[128];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("text \"%s\"\n", bad[i]);
        assert_int_equal(timestamp_parse(bad[i], &ts, err, sizeof(err)), -1);
        assert_true(err[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_like_go),
        cmocka_unit_test(parse_round_trips),
        cmocka_unit_test(parse_offsets_and_nanoseconds),
        cmocka_unit_test(parse_rejects_bad_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
