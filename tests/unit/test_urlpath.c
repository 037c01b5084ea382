/* SPDX-License-Identifier: MIT */
/* Percent-decoding of paths and Go's canonical path encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/urlpath.h"

static void unescape_decodes_in_place(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"", ""},         {"plain", "plain"}, {"a%20b", "a b"},
        {"%2f%2F", "//"}, {"%00", "%00"},     {"a%00b%41", "a%00bA"},
        {"%", "%"},       {"%4", "%4"},       {"%zz%4g", "%zz%4g"},
        {"100%", "100%"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[64];
        size_t len;

        memcpy(text, cases[i].in, strlen(cases[i].in) + 1);
        len = urlpath_unescape(text);
        assert_string_equal(text, cases[i].out);
        assert_int_equal(len, strlen(cases[i].out));
    }
}

static void canonical_is_what_go_writes(void **state)
{
    static const char *const canonical[] = {
        "",       "/api/v2/users/me", "/a-b_c.d~e/$&+,;=:@",
        "/a%20b", "/%C3%A9",          "/%3F%25%00%21",
    };
    static const char *const raw[] = {
        "/me%2Fkeys", /* "/" needs no escape */
        "/%6de",      /* nor does "m" */
        "/%c3%a9",    /* Go writes upper-case hex */
        "/a b",       /* a space must be escaped */
        "/a!b",       /* Go escapes "!" too */
        "/caf\xc3\xa9", "/%", "/%2", "/%zz",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
        assert_true(urlpath_is_canonical(canonical[i]));
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
        assert_false(urlpath_is_canonical(raw[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unescape_decodes_in_place),
        cmocka_unit_test(canonical_is_what_go_writes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
