/* SPDX-License-Identifier: MIT */
/* The first owner, password login and the account name rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static struct harness *server;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    harness_free(server);
    server = NULL;
    return 0;
}

static struct response post_json(const char *path, const char *body)
{
    return harness_call(server, "POST", path, NULL, body);
}

static void first_user_lifecycle(void **state)
{
    struct response res;
    char *build;
    char *token;
    json_t *roles;

    (void)state;
    res = harness_call(server, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 404);
    assert_string_equal(response_string(&res, "message"),
                        "The initial user has not been created!");
    build = response_header(&res, "X-Coder-Build-Version");
    assert_non_null(build);
    assert_true(build[0] == 'v');
    free(build);
    response_release(&res);

    res = post_json(
        "/api/v2/users/login",
        "{\"email\":\"owner@example.com\",\"password\":\"" HARNESS_PASSWORD
        "\"}");
    assert_int_equal(res.status, 401);
    response_release(&res);

    res = post_json("/api/v2/users/first",
                    "{\"email\":\"owner@example.com\",\"username\":\"owner\","
                    "\"password\":\"password\"}");
    assert_int_equal(res.status, 400);
    assert_true(response_has_validation(&res, "password"));
    response_release(&res);

    res = harness_call(server, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 404);
    response_release(&res);

    res = post_json("/api/v2/users/first",
                    "{\"email\":\"owner@example.com\",\"username\":\"owner\","
                    "\"name\":\"The Owner\",\"password\":\"" HARNESS_PASSWORD
                    "\"}");
    assert_int_equal(res.status, 201);
    assert_non_null(response_string(&res, "user_id"));
    assert_non_null(response_string(&res, "organization_id"));
    assert_int_equal(strlen(response_string(&res, "user_id")), 36);
    response_release(&res);

    res = harness_call(server, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "message"),
                        "The initial user has already been created!");
    response_release(&res);

    res = post_json("/api/v2/users/first",
                    "{\"email\":\"second@example.com\",\"username\":\"second\","
                    "\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 409);
    response_release(&res);

    token = harness_login(server, "owner@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    res = harness_call(server, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "status"), "active");
    assert_string_equal(response_string(&res, "username"), "owner");
    assert_string_equal(response_string(&res, "name"), "The Owner");
    assert_string_equal(response_string(&res, "login_type"), "password");
    roles = json_object_get(res.json, "roles");
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(roles, 0), "name")),
        "owner");
    assert_int_equal(
        json_array_size(json_object_get(res.json, "organization_ids")), 1);
    response_release(&res);
    free(token);
}

static void email_case_is_ignored_and_kept(void **state)
{
    struct harness *h = harness_start(NULL);
    char *token;
    struct response res;

    (void)state;
    token = harness_setup_owner(h, "Mixed.Case@Example.com", "mixed",
                                HARNESS_PASSWORD);
    free(token);
    token = harness_login(h, "mixed.case@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    free(token);
    token = harness_login(h, "MIXED.CASE@EXAMPLE.COM", HARNESS_PASSWORD);
    assert_non_null(token);
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "email"),
                        "Mixed.Case@Example.com");
    response_release(&res);
    free(token);

    res = harness_call(h, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"mixed\",\"password\":\"" HARNESS_PASSWORD
                       "\"}");
    assert_int_equal(res.status, 400);
    assert_true(response_has_validation(&res, "email"));
    response_release(&res);
    harness_free(h);
}

static void login_failures_look_alike(void **state)
{
    struct response wrong;
    struct response unknown;

    (void)state;
    wrong = post_json("/api/v2/users/login",
                      "{\"email\":\"owner@example.com\","
                      "\"password\":\"Not-The-Password-99\"}");
    unknown = post_json("/api/v2/users/login",
                        "{\"email\":\"nobody@example.com\","
                        "\"password\":\"Not-The-Password-99\"}");
    assert_int_equal(wrong.status, 401);
    assert_int_equal(unknown.status, 401);
    assert_string_equal(wrong.body, unknown.body);
    assert_string_equal(response_string(&wrong, "message"),
                        "Incorrect email or password.");
    response_release(&wrong);
    response_release(&unknown);
}

/* Try a username on a fresh server's first-user route and return the
 * status; only the valid name creates the user. */
static long first_user_status(const char *username_json)
{
    struct harness *h = harness_start(NULL);
    char body[512];
    struct response res;
    long status;

    snprintf(body, sizeof(body),
             "{\"email\":\"u@example.com\",\"username\":%s,"
             "\"password\":\"" HARNESS_PASSWORD "\"}",
             username_json);
    res = harness_call(h, "POST", "/api/v2/users/first", NULL, body);
    status = res.status;
    if (status == 400)
        assert_true(response_has_validation(&res, "username"));
    response_release(&res);
    harness_free(h);
    return status;
}

static void username_rules(void **state)
{
    static const char *const invalid[] = {
        "\"-ab\"",
        "\"a--b\"",
        "\"ab-\"",
        "\"abcdefghijklmnopqrstuvwxyz0123456\"", /* 33 characters */
        "\"new\"",
        "\"create\"",
        "\"j\\u00f6rg\"",
        "\"\"",
        "\"a_b\"",
        "\"a.b\"",
    };

    (void)state;
    assert_int_equal(first_user_status("\"a-b\""), 201);
    assert_int_equal(first_user_status("\"abcdefghijklmnopqrstuvwxyz012345\""),
                     201);
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        print_message("username %s\n", invalid[i]);
        assert_int_equal(first_user_status(invalid[i]), 400);
    }
}

static void validate_password_route(void **state)
{
    struct response res;

    (void)state;
    res = post_json("/api/v2/users/validate-password",
                    "{\"password\":\"password\"}");
    assert_int_equal(res.status, 200);
    assert_false(json_is_true(json_object_get(res.json, "valid")));
    assert_non_null(strstr(response_string(&res, "details"), "insecure"));
    response_release(&res);

    res = post_json("/api/v2/users/validate-password",
                    "{\"password\":\"MyS3cure!Passw0rd\"}");
    assert_int_equal(res.status, 200);
    assert_true(json_is_true(json_object_get(res.json, "valid")));
    assert_string_equal(response_string(&res, "details"), "");
    response_release(&res);

    res = post_json("/api/v2/users/validate-password", "{}");
    assert_int_equal(res.status, 400);
    assert_true(response_has_validation(&res, "password"));
    response_release(&res);
}

static void authmethods_without_session(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "GET", "/api/v2/users/authmethods",
                       "not-a-token", NULL);
    assert_int_equal(res.status, 200);
    assert_true(json_is_true(
        json_object_get(json_object_get(res.json, "password"), "enabled")));
    assert_false(json_is_true(
        json_object_get(json_object_get(res.json, "github"), "enabled")));
    assert_false(json_is_true(
        json_object_get(json_object_get(res.json, "oidc"), "enabled")));
    response_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_user_lifecycle),
        cmocka_unit_test(login_failures_look_alike),
        cmocka_unit_test(validate_password_route),
        cmocka_unit_test(authmethods_without_session),
        cmocka_unit_test(email_case_is_ignored_and_kept),
        cmocka_unit_test(username_rules),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
