/* SPDX-License-Identifier: MIT */
/* UUIDs, unpadded base64 and UTF-8 handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"
#include "util/utf8.h"
#include "util/uuid.h"

static void uuid_generate_is_version_4(void **state)
{
    char a[UUID_STR_LEN + 1];
    char b[UUID_STR_LEN + 1];

    (void)state;
    assert_int_equal(uuid_generate(a), 0);
    assert_int_equal(uuid_generate(b), 0);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
    assert_true(uuid_valid(a));
}

static void uuid_parse_accepts_go_forms(void **state)
{
    static const char *const forms[] = {
        "7F1C1D2E-3A4B-4C5D-8E6F-0123456789AB",
        "{7f1c1d2e-3a4b-4c5d-8e6f-0123456789ab}",
        "urn:uuid:7f1c1d2e-3a4b-4c5d-8e6f-0123456789ab",
        "7f1c1d2e3a4b4c5d8e6f0123456789ab",
    };
    static const char *const bad[] = {
        "",
        "not-a-uuid",
        "7f1c1d2e-3a4b-4c5d-8e6f-0123456789a",
        "7f1c1d2e-3a4b-4c5d-8e6f-0123456789abc",
        "7f1c1d2e_3a4b-4c5d-8e6f-0123456789ab",
        "7f1c1d2e-3a4b-4c5d-8e6f-0123456789ag",
    };
    char out[UUID_STR_LEN + 1];

    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        assert_int_equal(uuid_parse(forms[i], out), 0);
        assert_string_equal(out, "7f1c1d2e-3a4b-4c5d-8e6f-0123456789ab");
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(uuid_parse(bad[i], out), -1);
}

static void base64_round_trip(void **state)
{
    static const char *const inputs[] = {"",     "f",     "fo",    "foo",
                                         "foob", "fooba", "foobar"};
    static const char *const encoded[] = {
        "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char text[16];
    unsigned char back[16];
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        base64_raw_encode((const unsigned char *)inputs[i], strlen(inputs[i]),
                          text);
        assert_string_equal(text, encoded[i]);
        assert_int_equal(
            base64_raw_decode(encoded[i], back, sizeof(back), &len), 0);
        assert_int_equal(len, strlen(inputs[i]));
        assert_memory_equal(back, inputs[i], len);
    }
}

static void base64_rejects_non_canonical(void **state)
{
    static const char *const bad[] = {"Zg==",  "Z",     "Zh",
                                      "Zm9v!", "Zm 9v", "Zm9=v"};
    unsigned char out[16];
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(base64_raw_decode(bad[i], out, sizeof(out), &len), -1);
    assert_int_equal(base64_raw_decode("Zm9vYmFy", out, 3, &len), -1);
}

static void utf8_validity(void **state)
{
    (void)state;
    assert_true(utf8_valid("plain", 5));
    assert_true(utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x91\x8b", 9));
    assert_true(utf8_valid("\xef\xbf\xbd", 3));
    assert_false(utf8_valid("\xff", 1));
    assert_false(utf8_valid("\xc3", 1));
    assert_false(utf8_valid("\xc0\xaf", 2));     /* overlong "/" */
    assert_false(utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4));
}

static void utf8_sanitize_replaces_bad_bytes(void **state)
{
    char *fixed = utf8_sanitize("a\xff"
                                "b\xc3",
                                4);

    (void)state;
    assert_string_equal(fixed, "a\xef\xbf\xbd"
                               "b\xef\xbf\xbd");
    free(fixed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuid_generate_is_version_4),
        cmocka_unit_test(uuid_parse_accepts_go_forms),
        cmocka_unit_test(base64_round_trip),
        cmocka_unit_test(base64_rejects_non_canonical),
        cmocka_unit_test(utf8_validity),
        cmocka_unit_test(utf8_sanitize_replaces_bad_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
