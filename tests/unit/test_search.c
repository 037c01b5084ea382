/* SPDX-License-Identifier: MIT */
/* The user search syntax: splitting, keys, values and every error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/search.h"
#include "core/user.h"
#include "util/buf.h"

/* Parse q, expecting success. */
static void parse_ok(const char *q, struct search_users *out)
{
    struct validation_errors errors = {0};

    memset(out, 0, sizeof(*out));
    if (search_parse_users(q, out, &errors) != 0)
        fail_msg("q=%s: unexpected error %s: %s", q, errors.fields.items[0],
                 errors.details.items[0]);
    assert_int_equal(validation_errors_count(&errors), 0);
    validation_errors_release(&errors);
}

struct error_case {
    const char *q;
    const char *field;
    const char *detail; /* exact, or a prefix when prefix is set */
    int prefix;
};

static const struct error_case error_cases[] = {
    {"created_after:2020-01-01T00:00:00Z", "q",
     "Query element \"created_after:2020-01-01t00:00:00z\" can only contain "
     "1 ':'",
     0},
    {"status:", "q", "Query element \"status:\" cannot start or end with ':'",
     0},
    {":active", "q", "Query element \":active\" cannot start or end with ':'",
     0},
    {"a:b:c", "q", "Query element \"a:b:c\" can only contain 1 ':'", 0},
    {"created_after:\"yesterday\"", "created_after",
     "Query param \"created_after\" must be a valid date format "
     "(2006-01-02T15:04:05.999999999Z07:00): parsing time \"YESTERDAY\" as "
     "\"2006-01-02T15:04:05.999999999Z07:00\": ",
     1},
    {"created_before:\"2024-01-01\"", "created_before",
     "Query param \"created_before\" must be a valid date format", 1},
    {"last_seen_after:\"2024-02-30T00:00:00Z\"", "last_seen_after",
     "Query param \"last_seen_after\" must be a valid date format", 1},
    {"last_seen_before:x", "last_seen_before",
     "Query param \"last_seen_before\" must be a valid date format", 1},
    {"status:active,bogus,worse", "status",
     "Query param \"status\" has invalid values: bogus,worse", 0},
    {"status:active,", "status",
     "Query param \"status\" has invalid values: ", 0},
    {"login_type:saml", "login_type",
     "Query param \"login_type\" has invalid values: saml", 0},
    {"github_com_user_id:abc", "github_com_user_id",
     "Query param \"github_com_user_id\" must be a valid integer "
     "(strconv.ParseInt: parsing \"abc\": invalid syntax)",
     0},
    {"github_com_user_id:99999999999999999999", "github_com_user_id",
     "Query param \"github_com_user_id\" must be a valid integer "
     "(strconv.ParseInt: parsing \"99999999999999999999\": value out of "
     "range)",
     0},
    {"foo:bar", "foo", "Query param \"foo\" is not a valid query param", 0},
    {"a::b", "a", "Query param \"a\" is not a valid query param", 0},
    {"status:active status:dormant", "status",
     "Query param \"status\" provided more than once, use a comma-separated "
     "list instead",
     0},
    {"alice search:bob", "search",
     "Query param \"search\" provided more than once, use a comma-separated "
     "list instead",
     0},
    {"\xff:x", "\xff", "Query param \"\\xff\" is not a valid query param", 0},
    {"ta\tb:x", "ta\tb", "Query param \"ta\\tb\" is not a valid query param",
     0},
};

static void search_error_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        const struct error_case *c = &error_cases[i];
        struct search_users out = {0};
        struct validation_errors errors = {0};

        print_message("q=%s\n", c->q);
        assert_int_equal(search_parse_users(c->q, &out, &errors), -1);
        assert_int_equal(validation_errors_count(&errors), 1);
        assert_string_equal(errors.fields.items[0], c->field);
        if (c->prefix)
            assert_true(strncmp(errors.details.items[0], c->detail,
                                strlen(c->detail)) == 0);
        else
            assert_string_equal(errors.details.items[0], c->detail);
        validation_errors_release(&errors);
        search_users_release(&out);
    }
}

static void search_collects_value_errors(void **state)
{
    struct search_users out = {0};
    struct validation_errors errors = {0};

    (void)state;
    assert_int_equal(search_parse_users("zeta:1 status:bad alpha:2 "
                                        "created_before:\"x\" zeta:3",
                                        &out, &errors),
                     -1);
    assert_int_equal(validation_errors_count(&errors), 4);
    assert_string_equal(errors.fields.items[0], "status");
    assert_string_equal(errors.fields.items[1], "created_before");
    assert_string_equal(errors.fields.items[2], "alpha");
    assert_string_equal(errors.fields.items[3], "zeta");
    validation_errors_release(&errors);
    search_users_release(&out);
}

static void search_element_error_stops(void **state)
{
    struct search_users out = {0};
    struct validation_errors errors = {0};

    (void)state;
    assert_int_equal(search_parse_users("foo:bar status: x:y:z", &out, &errors),
                     -1);
    assert_int_equal(validation_errors_count(&errors), 1);
    assert_string_equal(errors.fields.items[0], "q");
    validation_errors_release(&errors);
    search_users_release(&out);
}

static void search_empty_query(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("", &out);
    assert_null(out.text);
    assert_int_equal(out.statuses, 0);
    assert_int_equal(out.login_types, 0);
    assert_int_equal(out.roles.len, 0);
    assert_false(out.has_created_after);
    search_users_release(&out);

    parse_ok("   ", &out);
    assert_null(out.text);
    search_users_release(&out);
}

static void search_status_and_free_text(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("status:active owner", &out);
    assert_int_equal(out.statuses, SEARCH_BIT(USER_STATUS_ACTIVE));
    assert_string_equal(out.text, "owner");
    search_users_release(&out);

    parse_ok("status:active,DORMANT", &out);
    assert_int_equal(out.statuses, SEARCH_BIT(USER_STATUS_ACTIVE) |
                                       SEARCH_BIT(USER_STATUS_DORMANT));
    search_users_release(&out);

    parse_ok("status:\"suspended\"", &out);
    assert_int_equal(out.statuses, SEARCH_BIT(USER_STATUS_SUSPENDED));
    search_users_release(&out);
}

static void search_free_text_joined(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("  Alice   status:active  BOB ", &out);
    assert_string_equal(out.text, "alice bob");
    search_users_release(&out);

    parse_ok("\"john doe\"", &out);
    assert_string_equal(out.text, "\"john doe\"");
    search_users_release(&out);

    parse_ok("search:carol", &out);
    assert_string_equal(out.text, "carol");
    search_users_release(&out);

    parse_ok("%_'\\", &out);
    assert_string_equal(out.text, "%_'\\");
    search_users_release(&out);
}

static void search_quoted_colon_is_text(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("\"a:b\"", &out);
    assert_string_equal(out.text, "\"a:b\"");
    search_users_release(&out);
}

static void search_empty_value_ignored(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("status:\"\" role:\"\"", &out);
    assert_int_equal(out.statuses, 0);
    assert_int_equal(out.roles.len, 0);
    search_users_release(&out);
}

static void search_role_member_only(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("role:member", &out);
    assert_int_equal(out.roles.len, 0);
    search_users_release(&out);

    parse_ok("role:member,member", &out);
    assert_int_equal(out.roles.len, 0);
    search_users_release(&out);

    parse_ok("role:member,auditor", &out);
    assert_int_equal(out.roles.len, 2);
    assert_string_equal(out.roles.items[0], "member");
    assert_string_equal(out.roles.items[1], "auditor");
    search_users_release(&out);

    parse_ok("role:Owner", &out);
    assert_int_equal(out.roles.len, 1);
    assert_string_equal(out.roles.items[0], "owner");
    search_users_release(&out);
}

static void search_login_types(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("login_type:password,github,oidc,token,none", &out);
    assert_int_equal(out.login_types, SEARCH_BIT(LOGIN_TYPE_PASSWORD) |
                                          SEARCH_BIT(LOGIN_TYPE_GITHUB) |
                                          SEARCH_BIT(LOGIN_TYPE_OIDC) |
                                          SEARCH_BIT(LOGIN_TYPE_TOKEN) |
                                          SEARCH_BIT(LOGIN_TYPE_NONE));
    search_users_release(&out);
}

static void search_times(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("created_after:\"2020-01-01T00:00:00Z\" "
             "created_before:\"2020-01-02t00:00:00.5z\" "
             "last_seen_after:\"2020-01-01T01:00:00+01:00\" "
             "last_seen_before:\"2021-01-01T00:00:00.123456789Z\"",
             &out);
    assert_true(out.has_created_after);
    assert_true(out.created_after == 1577836800LL * 1000000);
    assert_true(out.has_created_before);
    assert_true(out.created_before == 1577923200LL * 1000000 + 500000);
    assert_true(out.has_last_seen_after);
    assert_true(out.last_seen_after == 1577836800LL * 1000000);
    assert_true(out.has_last_seen_before);
    assert_true(out.last_seen_before == 1609459200LL * 1000000 + 123456);
    search_users_release(&out);
}

static void search_github_user_id(void **state)
{
    struct search_users out;

    (void)state;
    parse_ok("github_com_user_id:12345", &out);
    assert_true(out.has_github_com_user_id);
    assert_true(out.github_com_user_id == 12345);
    search_users_release(&out);
}

static void search_many_terms(void **state)
{
    struct buf q;
    struct search_users out;

    (void)state;
    buf_init(&q, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_printf(&q, "%sw%d", i ? " " : "", i);
    parse_ok(q.data, &out);
    assert_int_equal(strlen(out.text), q.len);
    search_users_release(&out);
    buf_release(&q);
}

static void search_many_unknown_keys(void **state)
{
    struct buf q;
    struct search_users out = {0};
    struct validation_errors errors = {0};

    (void)state;
    buf_init(&q, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_printf(&q, "k%d:v k%d:w ", i % 500, i % 500);
    assert_int_equal(search_parse_users(q.data, &out, &errors), -1);
    /* Each unknown key is reported once. */
    assert_int_equal(validation_errors_count(&errors), 500);
    validation_errors_release(&errors);
    search_users_release(&out);
    buf_release(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_error_texts),
        cmocka_unit_test(search_collects_value_errors),
        cmocka_unit_test(search_element_error_stops),
        cmocka_unit_test(search_empty_query),
        cmocka_unit_test(search_status_and_free_text),
        cmocka_unit_test(search_free_text_joined),
        cmocka_unit_test(search_quoted_colon_is_text),
        cmocka_unit_test(search_empty_value_ignored),
        cmocka_unit_test(search_role_member_only),
        cmocka_unit_test(search_login_types),
        cmocka_unit_test(search_times),
        cmocka_unit_test(search_github_user_id),
        cmocka_unit_test(search_many_terms),
        cmocka_unit_test(search_many_unknown_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
