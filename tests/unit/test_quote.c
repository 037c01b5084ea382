/* SPDX-License-Identifier: MIT */
/* Quoting text the way Go's strconv.Quote does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/quote.h"

struct quote_case {
    const char *in;
    size_t len;
    const char *out;
};

static const struct quote_case cases[] = {
    {"", 0, "\"\""},
    {"plain", 5, "\"plain\""},
    {"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
    {"\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\""},
    {"\x01\x1f\x7f", 3, "\"\\x01\\x1f\\x7f\""},
    {"nul\0byte", 8, "\"nul\\x00byte\""},
    {"\xff\xfe", 2, "\"\\xff\\xfe\""},
    {"\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\""},
    {"\xc2\x85", 2, "\"\\u0085\""},
    {"\xe2\x80\xa8", 3, "\"\\u2028\""},
    {"\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\""},
    {"\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""},
};

static void quote_go_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = quote_go(cases[i].in, cases[i].len);

        print_message("case %zu\n", i);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void quote_go_str_stops_at_nul(void **state)
{
    char *out = quote_go_str("a'b");

    (void)state;
    assert_string_equal(out, "\"a'b\"");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quote_go_cases),
        cmocka_unit_test(quote_go_str_stops_at_nul),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
