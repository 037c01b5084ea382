/* SPDX-License-Identifier: MIT */
/*
 * GET /users: order, count, pagination and its errors, every key of the
 * search syntax and its errors, and what a plain member may see.
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

static struct harness *server;
static char *owner;
static char *member;
static char *alice_id;

/* Usernames in the order the listing must return them. */
static const char *const everyone[] = {
    "alice", "bob",     "Carol", "co-owner",      "dave",
    "erin",  "gh-user", "owner", "owner-dormant", "robot",
};
#define EVERYONE (sizeof(everyone) / sizeof(everyone[0]))

static int start_server(void **state)
{
    char *id;
    struct response res;

    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    member = support_member(server, owner, "alice", &alice_id);
    /* alice's first request marks her as seen. */
    assert_int_equal(support_me_status(server, member), 200);
    free(support_create_user(server, owner, "bob", "bob@example.com",
                             "\"user_status\":\"active\""));
    free(support_create_user(server, owner, "Carol", "carol@corp.test",
                             "\"user_status\":\"active\""));
    free(support_create_user(server, owner, "co-owner", "co@example.com",
                             "\"user_status\":\"active\""));
    free(support_create_user(server, owner, "owner-dormant",
                             "sleeper@example.com", NULL));
    id = support_create_user(server, owner, "dave", "dave@example.com",
                             "\"user_status\":\"suspended\"");
    free(id);
    id = support_create_user(server, owner, "erin", "erin@example.com",
                             "\"user_status\":\"active\"");
    support_set_roles(server, owner, id, "[\"auditor\"]");
    free(id);
    res = harness_call(server, "POST", "/api/v2/users", owner,
                       "{\"username\":\"gh-user\",\"email\":\"gh@example.com\","
                       "\"login_type\":\"github\",\"user_status\":\"active\","
                       "\"organization_ids\":"
                       "[\"00000000-0000-0000-0000-000000000000\"]}");
    assert_int_equal(res.status, 201);
    response_release(&res);
    res =
        harness_call(server, "POST", "/api/v2/users", owner,
                     "{\"username\":\"robot\",\"email\":\"robot@example.com\","
                     "\"login_type\":\"none\",\"user_status\":\"active\","
                     "\"organization_ids\":"
                     "[\"00000000-0000-0000-0000-000000000000\"]}");
    assert_int_equal(res.status, 201);
    response_release(&res);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    free(member);
    free(alice_id);
    harness_free(server);
    return 0;
}

/* GET /users with the given query string as token. */
static struct response list(const char *token, const char *query)
{
    char path[4096];

    snprintf(path, sizeof(path), "/api/v2/users%s%s", query ? "?" : "",
             query ? query : "");
    return harness_call(server, "GET", path, token, NULL);
}

static json_t *users_of(const struct response *res)
{
    return json_object_get(res->json, "users");
}

static long count_of(const struct response *res)
{
    return (long)json_integer_value(json_object_get(res->json, "count"));
}

static const char *username_at(const struct response *res, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(users_of(res), i), "username"));
}

/* Check that the listing returned exactly the given usernames, in order. */
static void expect_users(const char *query, const char *const *names, size_t n)
{
    struct response res = list(owner, query);

    print_message("q: %s\n", query);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(users_of(&res)), n);
    assert_int_equal(count_of(&res), (long)n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(username_at(&res, i), names[i]);
    response_release(&res);
}

static void list_everyone_in_order(void **state)
{
    struct response res;
    json_t *user;

    (void)state;
    expect_users(NULL, everyone, EVERYONE);
    res = list(owner, "q=");
    assert_int_equal(count_of(&res), (long)EVERYONE);
    user = json_array_get(users_of(&res), 0);
    assert_int_equal(json_array_size(json_object_get(user, "organization_ids")),
                     1);
    assert_true(json_is_array(json_object_get(user, "roles")));
    response_release(&res);
}

static void count_ignores_limit_and_offset(void **state)
{
    static const char *const page[] = {"Carol", "co-owner"};
    struct response res;

    (void)state;
    res = list(owner, "limit=2&offset=2");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(users_of(&res)), 2);
    assert_int_equal(count_of(&res), (long)EVERYONE);
    assert_string_equal(username_at(&res, 0), page[0]);
    assert_string_equal(username_at(&res, 1), page[1]);
    response_release(&res);

    /* An empty page reports a count of 0, as Coder does. */
    res = list(owner, "offset=100");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(users_of(&res)), 0);
    assert_int_equal(count_of(&res), 0);
    response_release(&res);

    res = list(owner, "offset=2147483647&limit=1");
    assert_int_equal(res.status, 200);
    assert_true(json_is_array(users_of(&res)));
    assert_int_equal(json_array_size(users_of(&res)), 0);
    response_release(&res);

    res = list(owner, "limit=0");
    assert_int_equal(json_array_size(users_of(&res)), EVERYONE);
    response_release(&res);
}

struct bad_page {
    const char *query;
    const char *field;
};

static const struct bad_page bad_pages[] = {
    {"offset=-1", "offset"},          {"limit=-5", "limit"},
    {"limit=1000000000000", "limit"}, {"offset=2147483648", "offset"},
    {"limit=ten", "limit"},           {"after_id=not-a-uuid", "after_id"},
};

static void pagination_errors(void **state)
{
    struct response res;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_pages) / sizeof(bad_pages[0]); i++) {
        res = list(owner, bad_pages[i].query);
        print_message("%s\n", bad_pages[i].query);
        assert_int_equal(res.status, 400);
        assert_string_equal(response_string(&res, "message"),
                            "Query parameters have invalid values.");
        assert_int_equal(
            json_array_size(json_object_get(res.json, "validations")), 1);
        assert_true(response_has_validation(&res, bad_pages[i].field));
        response_release(&res);
    }

    res = list(owner, "offset=-1&limit=ten&after_id=x");
    assert_int_equal(res.status, 400);
    assert_int_equal(json_array_size(json_object_get(res.json, "validations")),
                     3);
    response_release(&res);

    res = list(owner, "limit=ten");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(res.json, "validations"), 0),
            "detail")),
        "Query param \"limit\" must be a valid 32-bit positive integer: "
        "strconv.ParseInt: parsing \"ten\": invalid syntax");
    response_release(&res);

    /* The search is checked first. */
    res = list(owner, "q=status:&limit=ten");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Invalid user search query.");
    response_release(&res);
}

static void after_id_cursor(void **state)
{
    char query[256];
    struct response res;

    (void)state;
    snprintf(query, sizeof(query), "after_id=%s", alice_id);
    expect_users(query, everyone + 1, EVERYONE - 1);

    snprintf(query, sizeof(query), "after_id=%s&offset=1&limit=2", alice_id);
    res = list(owner, query);
    assert_int_equal(json_array_size(users_of(&res)), 2);
    assert_string_equal(username_at(&res, 0), "Carol");
    assert_int_equal(count_of(&res), (long)EVERYONE - 1);
    response_release(&res);

    expect_users("after_id=6ba7b810-9dad-11d1-80b4-00c04fd430c8", NULL, 0);
    expect_users("after_id=00000000-0000-0000-0000-000000000000", everyone,
                 EVERYONE);
}

struct bad_query {
    const char *q;
    const char *field;
};

static const struct bad_query bad_queries[] = {
    {"created_after:2020-01-01T00:00:00Z", "q"},
    {"status:", "q"},
    {":active", "q"},
    {"created_after:%22yesterday%22", "created_after"},
    {"status:sleeping", "status"},
    {"login_type:saml", "login_type"},
    {"last_seen_before:x", "last_seen_before"},
    {"github_com_user_id:x", "github_com_user_id"},
    {"colour:blue", "colour"},
    {"status:active+status:dormant", "status"},
};

static void search_errors(void **state)
{
    char query[512];
    struct response res;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_queries) / sizeof(bad_queries[0]); i++) {
        snprintf(query, sizeof(query), "q=%s", bad_queries[i].q);
        res = list(owner, query);
        print_message("%s\n", query);
        assert_int_equal(res.status, 400);
        assert_string_equal(response_string(&res, "message"),
                            "Invalid user search query.");
        assert_true(response_has_validation(&res, bad_queries[i].field));
        response_release(&res);
    }
}

static void search_status_and_text(void **state)
{
    static const char *const active_owner[] = {"co-owner", "owner"};
    static const char *const suspended[] = {"dave"};
    static const char *const dormant[] = {"owner-dormant"};

    (void)state;
    expect_users("q=status:active+owner", active_owner, 2);
    expect_users("q=status:active%20owner", active_owner, 2);
    expect_users("q=status:suspended", suspended, 1);
    expect_users("q=status:dormant", dormant, 1);
    expect_users("q=status:%22dormant%22", dormant, 1);
    expect_users("q=STATUS:DORMANT", dormant, 1);
    expect_users("q=status:active,dormant+owner",
                 (const char *const[]){"co-owner", "owner", "owner-dormant"},
                 3);
}

static void search_free_text(void **state)
{
    (void)state;
    expect_users("q=ALICE", (const char *const[]){"alice"}, 1);
    expect_users("q=carol", (const char *const[]){"Carol"}, 1);
    expect_users("q=corp.test", (const char *const[]){"Carol"}, 1);
    expect_users("q=search:corp", (const char *const[]){"Carol"}, 1);
    expect_users("q=ob", (const char *const[]){"bob", "robot"}, 2);
    expect_users("q=nobody", NULL, 0);
    /* Free words join into one term: "co owner" is not in any name. */
    expect_users("q=co+owner", NULL, 0);
}

static void search_roles(void **state)
{
    (void)state;
    expect_users("q=role:member", everyone, EVERYONE);
    expect_users("q=role:auditor", (const char *const[]){"erin"}, 1);
    expect_users("q=role:member,auditor", (const char *const[]){"erin"}, 1);
    expect_users("q=role:owner,auditor", (const char *const[]){"erin", "owner"},
                 2);
    expect_users("q=role:template-admin", NULL, 0);
}

static void search_login_types(void **state)
{
    (void)state;
    expect_users("q=login_type:github", (const char *const[]){"gh-user"}, 1);
    expect_users("q=login_type:github,none",
                 (const char *const[]){"gh-user", "robot"}, 2);
    expect_users("q=login_type:oidc", NULL, 0);
}

static void search_times(void **state)
{
    (void)state;
    expect_users("q=created_after:%222020-01-01T00:00:00Z%22", everyone,
                 EVERYONE);
    expect_users("q=created_after:%229999-01-01T00:00:00Z%22", NULL, 0);
    expect_users("q=created_before:%229999-01-01T00:00:00Z%22", everyone,
                 EVERYONE);
    expect_users("q=created_before:%222020-01-01T00:00:00Z%22", NULL, 0);
    /* Only users who made an authenticated request have been seen. */
    expect_users("q=last_seen_after:%222020-01-01T00:00:00Z%22",
                 (const char *const[]){"alice", "owner"}, 2);
    expect_users("q=last_seen_before:%222020-01-01T00:00:00Z%22+status:active"
                 "+ob",
                 (const char *const[]){"bob", "robot"}, 2);
    expect_users("q=github_com_user_id:1", NULL, 0);
}

static void member_sees_only_self(void **state)
{
    struct response res;

    (void)state;
    res = list(member, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(users_of(&res)), 1);
    assert_int_equal(count_of(&res), 1);
    assert_string_equal(username_at(&res, 0), "alice");
    response_release(&res);

    res = list(member, "q=owner");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(users_of(&res)), 0);
    assert_int_equal(count_of(&res), 0);
    response_release(&res);

    res = list(member, "q=status:active+ali");
    assert_int_equal(count_of(&res), 1);
    response_release(&res);
}

static void auditor_sees_everyone(void **state)
{
    char *id;
    char *token = support_member(server, owner, "zed", &id);
    struct response res;

    (void)state;
    support_set_roles(server, owner, id, "[\"auditor\"]");
    res = list(token, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(count_of(&res), (long)EVERYONE + 1);
    response_release(&res);
    support_set_roles(server, owner, id, "[\"template-admin\"]");
    res = list(token, "q=zed");
    assert_int_equal(count_of(&res), 1);
    response_release(&res);
    res = harness_call(server, "DELETE", "/api/v2/users/zed", owner, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    free(token);
    free(id);
}

static void listing_needs_session(void **state)
{
    struct response res;

    (void)state;
    res = list(NULL, NULL);
    assert_int_equal(res.status, 401);
    response_release(&res);
    res = list("abcdefghij-abcdefghijklmnopqrstuv", NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"), "API key is invalid.");
    response_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_everyone_in_order),
        cmocka_unit_test(count_ignores_limit_and_offset),
        cmocka_unit_test(pagination_errors),
        cmocka_unit_test(after_id_cursor),
        cmocka_unit_test(search_errors),
        cmocka_unit_test(search_status_and_text),
        cmocka_unit_test(search_free_text),
        cmocka_unit_test(search_roles),
        cmocka_unit_test(search_login_types),
        cmocka_unit_test(search_times),
        cmocka_unit_test(member_sees_only_self),
        cmocka_unit_test(auditor_sees_everyone),
        cmocka_unit_test(listing_needs_session),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
