/* SPDX-License-Identifier: MIT */
/* API key tokens: format, parsing and digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/apikey.h"

static bool alnum_only(const char *s)
{
    for (; *s != '\0'; s++) {
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return false;
    }
    return true;
}

static void generate_has_coder_format(void **state)
{
    char id[APIKEY_ID_LEN + 1];
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];

    (void)state;
    assert_int_equal(apikey_generate(id, secret, token), 0);
    assert_int_equal(strlen(id), 10);
    assert_int_equal(strlen(secret), 22);
    assert_true(alnum_only(id));
    assert_true(alnum_only(secret));
    assert_int_equal(strlen(token), 33);
    assert_memory_equal(token, id, 10);
    assert_int_equal(token[10], '-');
    assert_string_equal(token + 11, secret);
}

struct parse_case {
    const char *token;
    const char *reason; /* NULL when valid */
};

static const struct parse_case parse_cases[] = {
    {"abcdefghij-abcdefghijklmnopqrstuv", NULL},
    {"abc", "incorrect amount of API key parts, expected 2 got 1"},
    {"a-b-c", "incorrect amount of API key parts, expected 2 got 3"},
    {"aaaaaaaaaa-short", "invalid API key secret length, expected 22 got 5"},
    {"short-abcdefghijklmnopqrstuv",
     "invalid API key ID length, expected 10 got 5"},
    {"-", "invalid API key ID length, expected 10 got 0"},
    {"", "incorrect amount of API key parts, expected 2 got 1"},
};

static void parse_reports_coder_reasons(void **state)
{
    char id[APIKEY_ID_LEN + 1];
    char secret[APIKEY_SECRET_LEN + 1];
    char reason[160];

    (void)state;
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        int rc = apikey_parse(parse_cases[i].token, id, secret, reason,
                              sizeof(reason));

        print_message("token \"%s\"\n", parse_cases[i].token);
        if (parse_cases[i].reason == NULL) {
            assert_int_equal(rc, 0);
            assert_string_equal(id, "abcdefghij");
            assert_string_equal(secret, "abcdefghijklmnopqrstuv");
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(reason, parse_cases[i].reason);
        }
    }
}

static void secret_digest_is_sha256(void **state)
{
    /* SHA-256("abc"), from FIPS 180-2. */
    static const unsigned char abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    unsigned char digest[APIKEY_HASH_LEN];

    (void)state;
    assert_int_equal(apikey_hash_secret("abc", digest), 0);
    assert_memory_equal(digest, abc, 32);
    assert_true(apikey_secret_matches(abc, "abc"));
    assert_false(apikey_secret_matches(abc, "abd"));
}

static void scope_names_round_trip(void **state)
{
    enum apikey_scope scope;

    (void)state;
    assert_int_equal(apikey_scope_parse("all", &scope), 0);
    assert_int_equal(scope, APIKEY_SCOPE_ALL);
    assert_int_equal(apikey_scope_parse("application_connect", &scope), 0);
    assert_int_equal(scope, APIKEY_SCOPE_APPLICATION_CONNECT);
    assert_string_equal(apikey_scope_name(scope), "application_connect");
    assert_int_equal(apikey_scope_parse("admin", &scope), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generate_has_coder_format),
        cmocka_unit_test(parse_reports_coder_reasons),
        cmocka_unit_test(secret_digest_is_sha256),
        cmocka_unit_test(scope_names_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
