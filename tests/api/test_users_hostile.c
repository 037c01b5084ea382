/* SPDX-License-Identifier: MIT */
/*
 * Hostile input on every user-management route: SQL and LIKE
 * metacharacters, a 64 KiB search, a thousand search terms, repeated
 * keys, NUL and invalid UTF-8 in the query and the path, and odd bodies.
 * Each request must get a 4xx with a JSON error or a correct result,
 * never a 5xx, and the server must keep running and exit cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"
#include "util/buf.h"

static struct harness *server;
static char *owner;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    free(support_create_user(server, owner, "pct", "pct%sign@example.com",
                             NULL));
    free(support_create_user(server, owner, "under", "under_score@example.com",
                             NULL));
    free(support_create_user(server, owner, "quote", "o'neil@example.com",
                             NULL));
    free(support_create_user(server, owner, "slash",
                             "\\\"back\\\\\\\\slash\\\"@example.com", NULL));
    free(
        support_create_user(server, owner, "plain", "plain@example.com", NULL));
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    harness_free(server);
    return 0;
}

/* Check a refusal: the status is the expected 4xx and the body is a JSON
 * error with a message. */
static void expect_refusal(const struct response *res, long status)
{
    assert_int_equal(res->status, status);
    assert_non_null(res->json);
    assert_non_null(response_string(res, "message"));
}

/* GET /users?<query>; checks for 200 and returns the count. */
static long listed_count(const char *query)
{
    struct buf path;
    struct response res;
    long count;

    buf_init(&path, 1 << 20);
    buf_printf(&path, "/api/v2/users?%s", query);
    res = harness_call(server, "GET", path.data, owner, NULL);
    buf_release(&path);
    assert_int_equal(res.status, 200);
    count = (long)json_integer_value(json_object_get(res.json, "count"));
    assert_int_equal(json_array_size(json_object_get(res.json, "users")),
                     (size_t)count);
    response_release(&res);
    return count;
}

static long listed_status(const char *query)
{
    struct buf path;
    struct response res;
    long status;

    buf_init(&path, 1 << 20);
    buf_printf(&path, "/api/v2/users?%s", query);
    res = harness_call(server, "GET", path.data, owner, NULL);
    buf_release(&path);
    status = res.status;
    if (status != 200)
        expect_refusal(&res, 400);
    response_release(&res);
    return status;
}

static void metacharacters_match_literally(void **state)
{
    (void)state;
    assert_int_equal(listed_count("q=%25"), 1);
    assert_int_equal(listed_count("q=pct%25sign"), 1);
    assert_int_equal(listed_count("q=_"), 1);
    assert_int_equal(listed_count("q=under_score"), 1);
    assert_int_equal(listed_count("q=%27"), 1);
    assert_int_equal(listed_count("q=o%27neil"), 1);
    assert_int_equal(listed_count("q=%5C"), 1);
    assert_int_equal(listed_count("q=k%5C%5Cs"), 1);
    assert_int_equal(listed_count("q=%25%25"), 0);
    assert_int_equal(listed_count("q=%25_"), 0);
    assert_int_equal(listed_count("q=%27+OR+%271%27%3D%271"), 0);
    assert_int_equal(listed_count("q=%27%3B+DROP+TABLE+users%3B+--"), 0);
    assert_int_equal(listed_count("q=role:%27owner%27"), 0);
    assert_int_equal(listed_count("q=role:owner%27)+OR+(1%3D1"), 0);
    assert_int_equal(listed_count("q=plain"), 1);
}

static void huge_search(void **state)
{
    struct buf query;

    (void)state;
    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=");
    for (int i = 0; i < 65536; i++)
        buf_puts(&query, "a");
    assert_int_equal(listed_count(query.data), 0);
    buf_release(&query);

    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=");
    while (query.len < 65536)
        buf_puts(&query, "%25_");
    assert_int_equal(listed_count(query.data), 0);
    buf_release(&query);

    /* A 64 KiB role list is one parameter, however many names it holds. */
    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=role:owner");
    while (query.len < 65536)
        buf_puts(&query, ",x");
    assert_int_equal(listed_count(query.data), 1);
    buf_release(&query);

    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=");
    while (query.len < 65536)
        buf_puts(&query, "status:active+");
    assert_int_equal(listed_status(query.data), 400);
    buf_release(&query);
}

static void thousand_terms(void **state)
{
    struct buf query;
    struct response res;

    (void)state;
    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=");
    for (int i = 0; i < 1000; i++)
        buf_printf(&query, "%sw%d", i ? "+" : "", i);
    assert_int_equal(listed_count(query.data), 0);
    buf_release(&query);

    buf_init(&query, 1 << 20);
    buf_puts(&query, "/api/v2/users?q=");
    for (int i = 0; i < 1000; i++)
        buf_printf(&query, "%sk%d:v", i ? "+" : "", i);
    res = harness_call(server, "GET", query.data, owner, NULL);
    expect_refusal(&res, 400);
    assert_int_equal(json_array_size(json_object_get(res.json, "validations")),
                     1000);
    response_release(&res);
    buf_release(&query);

    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=");
    for (int i = 0; i < 1000; i++)
        buf_printf(&query, "%sstatus:active", i ? "+" : "");
    assert_int_equal(listed_status(query.data), 400);
    buf_release(&query);

    buf_init(&query, 1 << 20);
    buf_puts(&query, "q=status:");
    for (int i = 0; i < 1000; i++)
        buf_printf(&query, "%sactive", i ? "," : "");
    assert_true(listed_count(query.data) >= 1);
    buf_release(&query);
}

static void repeated_parameters(void **state)
{
    struct response res;

    (void)state;
    /* As in Go, the first value of a repeated parameter counts. */
    assert_int_equal(listed_count("q=plain&q=nobody"), 1);
    res = harness_call(server, "GET", "/api/v2/users?limit=1&limit=ten", owner,
                       NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(json_object_get(res.json, "users")), 1);
    response_release(&res);
    assert_int_equal(listed_status("limit=ten&limit=1"), 400);
    assert_int_equal(listed_status("q=status:active+status:active"), 400);
    assert_int_equal(listed_status("q=search:a+search:b"), 400);
}

static void nul_and_invalid_utf8_in_query(void **state)
{
    struct response res;

    (void)state;
    assert_int_equal(listed_count("q=%00"), 0);
    assert_int_equal(listed_count("q=pl%00ain"), 0);
    assert_int_equal(listed_count("q=%FF%FE%FD"), 0);
    assert_int_equal(listed_count("q=%C3"), 0);
    assert_int_equal(listed_count("q=%ED%A0%80abc"), 0);
    assert_int_equal(listed_status("q=%FF:x"), 400);
    assert_int_equal(listed_status("q=status:%FF"), 400);
    assert_int_equal(listed_status("q=%00:x"), 400);
    assert_int_equal(listed_status("after_id=%00"), 400);
    assert_int_equal(listed_status("limit=%00"), 400);
    assert_int_equal(listed_status("limit=1%00"), 400);
    assert_int_equal(listed_status("offset=%FF"), 400);

    /* Invalid bytes echoed in an error still make valid JSON. */
    res = harness_call(server, "GET", "/api/v2/users?q=%FF:x", owner, NULL);
    assert_non_null(res.json);
    assert_non_null(strstr(res.body, "\\\\xff"));
    response_release(&res);
}

/* Every route with a {user} segment, with a valid body where one is read. */
static const struct user_route {
    const char *method;
    const char *format;
    const char *body;
} user_routes[] = {
    {"GET", "/api/v2/users/%s", NULL},
    {"DELETE", "/api/v2/users/%s", NULL},
    {"PUT", "/api/v2/users/%s/profile", "{\"username\":\"renamed\"}"},
    {"PUT", "/api/v2/users/%s/password",
     "{\"password\":\"Another-Horse-Battery-7\"}"},
    {"GET", "/api/v2/users/%s/roles", NULL},
    {"PUT", "/api/v2/users/%s/roles", "{\"roles\":[]}"},
    {"PUT", "/api/v2/users/%s/status/activate", NULL},
    {"PUT", "/api/v2/users/%s/status/suspend", NULL},
    {"GET", "/api/v2/users/%s/login-type", NULL},
    {"GET", "/api/v2/users/%s/organizations", NULL},
    {"GET", "/api/v2/users/%s/organizations/coder", NULL},
};

static void hostile_user_segments(void **state)
{
    static const char *const segments[] = {
        "%25",    "_",          "o'neil", "o%27neil", "a%5Cb",
        "%00",    "me%00",      "%FF%FE", "%C3",      "%27%20OR%201=1--",
        "pct%25", "%22%3E%3Cx", "..",     "%2E%2E",   "x%20y",
    };
    struct buf path;
    struct buf long_name;

    (void)state;
    buf_init(&long_name, 1 << 20);
    for (int i = 0; i < 100 * 1024; i++)
        buf_puts(&long_name, "q");
    for (size_t r = 0; r < sizeof(user_routes) / sizeof(user_routes[0]); r++) {
        for (size_t s = 0; s <= sizeof(segments) / sizeof(segments[0]); s++) {
            const char *segment = s < sizeof(segments) / sizeof(segments[0])
                                      ? segments[s]
                                      : long_name.data;
            struct response res;

            buf_init(&path, 1 << 20);
            buf_printf(&path, user_routes[r].format, segment);
            res = harness_call(server, user_routes[r].method, path.data, owner,
                               user_routes[r].body);
            print_message("%s %.80s\n", user_routes[r].method, path.data);
            assert_true(res.status >= 400 && res.status < 500);
            assert_non_null(res.json);
            response_release(&res);
            buf_release(&path);
        }
    }
    buf_release(&long_name);
    assert_int_equal(support_me_status(server, owner), 200);
}

static void hostile_organization_names(void **state)
{
    static const char *const names[] = {
        "%25", "_", "%27", "%00", "%FF", "c%25", "%27%20OR%201=1--"};
    char path[256];

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct response res;

        snprintf(path, sizeof(path), "/api/v2/users/me/organizations/%s",
                 names[i]);
        res = harness_call(server, "GET", path, owner, NULL);
        print_message("%s\n", path);
        expect_refusal(&res, 404);
        response_release(&res);
    }
}

struct body_case {
    const char *method;
    const char *path;
    const char *body;
    size_t len;
    long status;
};

static const struct body_case body_cases[] = {
    {"POST", "/api/v2/users",
     "{\"username\":\"o'neil\",\"email\":\"x@example.com\"}", 0, 400},
    {"POST", "/api/v2/users",
     "{\"username\":\"a%b\",\"email\":\"x@example.com\"}", 0, 400},
    {"POST", "/api/v2/users", "{\"username\":\"a\xff\",\"email\":\"x\"}", 0,
     400},
    {"POST", "/api/v2/users", "{\"username\":\"a\\u0000b\"}", 0, 400},
    {"POST", "/api/v2/users", "{\"username\":\"a\",\"username\":\"b\"}", 0,
     400},
    {"POST", "/api/v2/users", "{\"organization_ids\":[\"%00\"]}", 0, 400},
    {"POST", "/api/v2/users", "{\"organization_ids\":{}}", 0, 400},
    {"POST", "/api/v2/users",
     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]]",
     0, 400},
    {"POST", "/api/v2/users", "{\"username\":\"nul\0\"}", 17, 400},
    {"PUT", "/api/v2/users/plain/profile", "{\"username\":\"%\"}", 0, 400},
    {"PUT", "/api/v2/users/plain/profile",
     "{\"username\":\"plain\",\"name\":\"\xc3\"}", 0, 400},
    {"PUT", "/api/v2/users/plain/roles", "{\"roles\":[\"owner'--\"]}", 0, 400},
    {"PUT", "/api/v2/users/plain/roles", "{\"roles\":[\"%\",\"_\"]}", 0, 400},
    {"PUT", "/api/v2/users/plain/roles", "{\"roles\":[],\"roles\":[]}", 0, 400},
    {"PUT", "/api/v2/users/plain/password", "{\"password\":7}", 0, 400},
    {"PUT", "/api/v2/users/plain/password",
     "{\"password\":\"'; DROP TABLE users; --\"}", 0, 204},
};

/* Each case gets the status of the table: a 4xx refusal, or 204 where the
 * hostile-looking text is a valid password. */
static void hostile_bodies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
        struct request req = {0};
        struct response res;

        req.method = body_cases[i].method;
        req.path = body_cases[i].path;
        req.token = owner;
        req.body = body_cases[i].body;
        req.body_len = body_cases[i].len;
        res = harness_send(server, &req);
        print_message("case %zu\n", i);
        if (body_cases[i].status < 300)
            assert_int_equal(res.status, body_cases[i].status);
        else
            expect_refusal(&res, body_cases[i].status);
        response_release(&res);
    }
    /* The target is unchanged. */
    assert_int_equal(listed_count("q=plain"), 1);
}

static void large_role_list(void **state)
{
    struct buf body;
    struct response res;

    (void)state;
    buf_init(&body, 1 << 20);
    buf_puts(&body, "{\"roles\":[\"auditor\"");
    for (int i = 0; i < 20000; i++)
        buf_puts(&body, ",\"auditor\"");
    buf_puts(&body, "]}");
    res = harness_call(server, "PUT", "/api/v2/users/plain/roles", owner,
                       body.data);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(json_object_get(res.json, "roles")), 1);
    response_release(&res);
    buf_release(&body);

    buf_init(&body, 1 << 20);
    buf_puts(&body, "{\"roles\":[\"auditor\"");
    for (int i = 0; i < 20000; i++)
        buf_printf(&body, ",\"r%d\"", i);
    buf_puts(&body, "]}");
    res = harness_call(server, "PUT", "/api/v2/users/plain/roles", owner,
                       body.data);
    expect_refusal(&res, 400);
    assert_string_equal(response_string(&res, "message"),
                        "\"r0\" is not a supported role");
    response_release(&res);
    buf_release(&body);
}

static void metacharacter_accounts_work(void **state)
{
    char *token;
    struct response res;

    (void)state;
    token = harness_login(server, "o'neil@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    res = harness_call(server, "GET", "/api/v2/users?q=%27", token, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_integer_value(json_object_get(res.json, "count")), 1);
    response_release(&res);
    res = harness_call(server, "PUT", "/api/v2/users/me/profile", token,
                       "{\"username\":\"quote\",\"name\":\"O'Neil %_\\\\\"}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "name"), "O'Neil %_\\");
    response_release(&res);
    free(token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metacharacters_match_literally),
        cmocka_unit_test(huge_search),
        cmocka_unit_test(thousand_terms),
        cmocka_unit_test(repeated_parameters),
        cmocka_unit_test(nul_and_invalid_utf8_in_query),
        cmocka_unit_test(hostile_user_segments),
        cmocka_unit_test(hostile_organization_names),
        cmocka_unit_test(hostile_bodies),
        cmocka_unit_test(large_role_list),
        cmocka_unit_test(metacharacter_accounts_work),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
