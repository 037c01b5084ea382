/* SPDX-License-Identifier: MIT */
/* The strict integer parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/number.h"

static void parses_in_range(void **state)
{
    int64_t v = 0;

    (void)state;
    assert_int_equal(number_parse_i64("0", 0, 10, &v), NUMBER_OK);
    assert_int_equal(v, 0);
    assert_int_equal(number_parse_i64("+7", 0, 10, &v), NUMBER_OK);
    assert_int_equal(v, 7);
    assert_int_equal(
        number_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v),
        NUMBER_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(
        number_parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v),
        NUMBER_OK);
    assert_true(v == INT64_MAX);
}

static void rejects_syntax_and_range(void **state)
{
    static const char *const syntax[] = {"",   "-",    "ten", "1.5", " 1",
                                         "1 ", "0x10", "1e3", "--1"};
    int64_t v = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
        assert_int_equal(number_parse_i64(syntax[i], INT64_MIN, INT64_MAX, &v),
                         NUMBER_SYNTAX);
    assert_int_equal(
        number_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
        NUMBER_RANGE);
    assert_int_equal(number_parse_i64("2147483648", 0, INT32_MAX, &v),
                     NUMBER_RANGE);
    assert_int_equal(number_parse_i64("-1", 0, 10, &v), NUMBER_RANGE);
    assert_int_equal(v, 42);
}

static void error_text_like_strconv(void **state)
{
    char out[128];

    (void)state;
    number_error_text(NUMBER_SYNTAX, "abc", out, sizeof(out));
    assert_string_equal(out,
                        "strconv.ParseInt: parsing \"abc\": invalid syntax");
    number_error_text(NUMBER_RANGE, "99999999999", out, sizeof(out));
    assert_string_equal(
        out, "strconv.ParseInt: parsing \"99999999999\": value out of range");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_in_range),
        cmocka_unit_test(rejects_syntax_and_range),
        cmocka_unit_test(error_text_like_strconv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
