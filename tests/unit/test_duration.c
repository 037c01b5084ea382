/* SPDX-License-Identifier: MIT */
/* Go-style durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/duration.h"

#define S 1000000000LL
#define H (3600LL * S)

struct duration_case {
    const char *text;
    int64_t ns;
};

static const struct duration_case parses[] = {
    {"0", 0},
    {"24h", 24 * H},
    {"168h0m0s", 168 * H},
    {"1h30m", H + 30 * 60 * S},
    {"1.5s", 1500000000LL},
    {"300ms", 300000000LL},
    {"10us", 10000LL},
    {"10\xc2\xb5s", 10000LL},
    {"7ns", 7},
    {"-2m", -120 * S},
    {"876600h", 876600 * H},
    {".5h", 1800 * S},
};

static void parse_accepts_go_syntax(void **state)
{
    int64_t ns;

    (void)state;
    for (size_t i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
        print_message("duration \"%s\"\n", parses[i].text);
        assert_int_equal(duration_parse(parses[i].text, &ns), 0);
        assert_int_equal(ns, parses[i].ns);
    }
}

static void parse_rejects_bad_text(void **state)
{
    static const char *const bad[] = {
        "",         "24",          "h",     "1x", "1h1", "abc",
        "3000000h", "9223372037s", "1..5s", "-",  "+",
    };
    int64_t ns;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("duration \"%s\"\n", bad[i]);
        assert_int_equal(duration_parse(bad[i], &ns), -1);
    }
}

static void format_like_go(void **state)
{
    static const struct duration_case formats[] = {
        {"0s", 0},
        {"168h0m0s", 168 * H},
        {"876600h0m0s", 876600 * H},
        {"1h30m0s", H + 30 * 60 * S},
        {"1.5s", 1500000000LL},
        {"300ms", 300000000LL},
        {"10\xc2\xb5s", 10000LL},
        {"7ns", 7},
        {"-2m0s", -120 * S},
        {"59m59.999999999s", H - 1},
    };
    char out[DURATION_STR_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        duration_format(formats[i].ns, out, sizeof(out));
        assert_string_equal(out, formats[i].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_go_syntax),
        cmocka_unit_test(parse_rejects_bad_text),
        cmocka_unit_test(format_like_go),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
