/* SPDX-License-Identifier: MIT */
/* Username, display name and e-mail rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/name.h"

struct name_case {
    const char *text;
    bool valid;
};

static const struct name_case usernames[] = {
    {"a", true},
    {"a-b", true},
    {"Quinn", true},
    {"user-01-x", true},
    {"abcdefghijklmnopqrstuvwxyz012345", true},
    {"abcdefghijklmnopqrstuvwxyz0123456", false},
    {"", false},
    {"-ab", false},
    {"ab-", false},
    {"a--b", false},
    {"a_b", false},
    {"a.b", false},
    {"a b", false},
    {"new", false},
    {"create", false},
    {"New", true},
    {"j\xc3\xb6rg", false},
    {"%", false},
};

static void username_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(usernames) / sizeof(usernames[0]); i++) {
        print_message("username \"%s\"\n", usernames[i].text);
        assert_int_equal(name_username_valid(usernames[i].text),
                         usernames[i].valid);
    }
}

static const struct name_case real_names[] = {
    {"", true},
    {"Ada Lovelace", true},
    {"J\xc3\xb6rg M\xc3\xbcller", true},
    {" leading", false},
    {"trailing ", false},
    {"tab\t", false},
    {"\xc2\xa0nbsp", false},
    {"ideographic\xe3\x80\x80", false},
};

static void real_name_rule(void **state)
{
    char long_name[130];

    (void)state;
    for (size_t i = 0; i < sizeof(real_names) / sizeof(real_names[0]); i++) {
        print_message("name \"%s\"\n", real_names[i].text);
        assert_int_equal(name_real_name_valid(real_names[i].text),
                         real_names[i].valid);
    }
    memset(long_name, 'x', 128);
    long_name[128] = '\0';
    assert_true(name_real_name_valid(long_name));
    long_name[128] = 'x';
    long_name[129] = '\0';
    assert_false(name_real_name_valid(long_name));
}

static const struct name_case emails[] = {
    {"user@example.com", true},
    {"Mixed.Case@Example.COM", true},
    {"first.last+tag@sub.example.org", true},
    {"o'brien@example.ie", true},
    {"\"quoted local\"@example.com", true},
    {"user@example.com.", true},
    {"us\xc3\xa9r@exampl\xc3\xa9.com", true},
    {"user@localhost", false},
    {"user", false},
    {"@example.com", false},
    {"user@", false},
    {"user@@example.com", false},
    {"us er@example.com", false},
    {".user@example.com", false},
    {"user.@example.com", false},
    {"us..er@example.com", false},
    {"user@-example.com", false},
    {"user@example.c0m0", false},
    {"user@example.123", false},
    {"user@exa mple.com", false},
    {"", false},
};

static void email_rule(void **state)
{
    char huge[400];

    (void)state;
    for (size_t i = 0; i < sizeof(emails) / sizeof(emails[0]); i++) {
        print_message("email \"%s\"\n", emails[i].text);
        assert_int_equal(name_email_valid(emails[i].text), emails[i].valid);
    }
    memset(huge, 'a', sizeof(huge));
    memcpy(huge + sizeof(huge) - 13, "@example.com", 13);
    assert_false(name_email_valid(huge));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(username_rule),
        cmocka_unit_test(real_name_rule),
        cmocka_unit_test(email_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
