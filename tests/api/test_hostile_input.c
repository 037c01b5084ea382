/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the sign-in routes: every malformed body gets a 4xx in
 * Coder's error shape, and none of them writes anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
    return 0;
}

/* Check a response is a 4xx with a string message and well-formed
 * validations, and return its status. */
static long check_error_shape(const struct response *res)
{
    json_t *validations = json_object_get(res->json, "validations");
    size_t i;
    json_t *entry;

    assert_true(res->status >= 400 && res->status < 500);
    assert_true(json_is_object(res->json));
    assert_true(json_is_string(json_object_get(res->json, "message")));
    if (json_object_get(res->json, "detail") != NULL)
        assert_true(json_is_string(json_object_get(res->json, "detail")));
    json_array_foreach(validations, i, entry)
    {
        assert_true(json_is_string(json_object_get(entry, "field")));
        assert_true(json_is_string(json_object_get(entry, "detail")));
    }
    return res->status;
}

struct body_case {
    const char *name;
    const char *body;
    size_t len;        /* 0: strlen */
    long status;       /* expected status */
    const char *field; /* expected validation field, or NULL */
};

static const char *const routes[] = {
    "/api/v2/users/first",
    "/api/v2/users/login",
    "/api/v2/users/validate-password",
};

static const struct body_case cases[] = {
    {"empty body", "", 0, 400, NULL},
    {"whitespace", "  \n ", 0, 400, NULL},
    {"malformed", "{\"email\":", 0, 400, NULL},
    {"not json", "email=a@b.c&password=x", 0, 400, NULL},
    {"array", "[{\"email\":\"a@example.com\"}]", 0, 400, NULL},
    {"string", "\"hello\"", 0, 400, NULL},
    {"number", "42", 0, 400, NULL},
    {"number for string", "{\"password\":1}", 0, 400, "password"},
    {"object for string", "{\"password\":{\"a\":1}}", 0, 400, "password"},
    {"array for string", "{\"password\":[\"x\"]}", 0, 400, "password"},
    {"bool for string", "{\"password\":true}", 0, 400, "password"},
    {"invalid utf-8", "{\"email\":\"\xff\xfe@example.com\"}", 0, 400, NULL},
    {"truncated utf-8", "{\"password\":\"abc\xc3\"}", 0, 400, NULL},
    {"escaped nul", "{\"password\":\"a\\u0000b\"}", 0, 400, NULL},
    {"raw nul", "{\"password\":\"a\0b\"}", 18, 400, NULL},
    {"duplicate keys", "{\"password\":\"a\",\"password\":\"b\"}", 0, 400, NULL},
    {"keys differing in case", "{\"password\":\"a\",\"PassWord\":\"b\"}", 0,
     400, NULL},
    {"trailing data", "{\"password\":\"x\"} {\"password\":\"y\"}", 0, 400,
     NULL},
    {"huge number", "{\"password\":123456789012345678901234567890}", 0, 400,
     NULL},
    {"deep nesting", NULL, 0, 400, NULL},
};

static char *deep_nesting(void)
{
    size_t depth = 100000;
    char *body = malloc(depth * 2 + 16);

    memcpy(body, "{\"password\":", 12);
    memset(body + 12, '[', depth);
    memset(body + 12 + depth, ']', depth);
    memcpy(body + 12 + 2 * depth, "}", 2);
    return body;
}

static void malformed_bodies_get_400(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            struct request req = {0};
            struct response res;
            char *deep = NULL;

            print_message("%s: %s\n", routes[r], cases[i].name);
            req.method = "POST";
            req.path = routes[r];
            req.body = cases[i].body;
            req.body_len = cases[i].len;
            if (req.body == NULL)
                req.body = deep = deep_nesting();
            res = harness_send(server, &req);
            assert_int_equal(check_error_shape(&res), cases[i].status);
            if (cases[i].field != NULL)
                assert_true(response_has_validation(&res, cases[i].field));
            if (cases[i].status == 400 && cases[i].field == NULL)
                assert_string_equal(response_string(&res, "message"),
                                    "Request body must be valid JSON.");
            response_release(&res);
            free(deep);
        }
    }
}

/* As in Go, null decodes to a request with no fields set. */
static void null_body_is_an_empty_request(void **state)
{
    static const char *const fields[] = {"email", "email", "password"};

    (void)state;
    for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++) {
        struct response res =
            harness_call(server, "POST", routes[r], NULL, "null");

        print_message("%s\n", routes[r]);
        assert_int_equal(check_error_shape(&res), 400);
        assert_string_equal(response_string(&res, "message"),
                            "Validation failed.");
        assert_true(response_has_validation(&res, fields[r]));
        response_release(&res);
    }
}

/* A parse error names its place, never the text around it, which may be
 * a password. */
static void parse_errors_quote_no_values(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"a@example.com\",\"password\":"
                       "\"hunter2-secret\" x}");
    assert_int_equal(check_error_shape(&res), 400);
    assert_null(strstr(res.body, "hunter2"));
    assert_non_null(strstr(response_string(&res, "detail"), "line 1"));
    response_release(&res);

    /* A duplicate key's name is no secret and helps the caller. */
    res = harness_call(server, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"a@example.com\",\"Email\":\"b\"}");
    assert_int_equal(check_error_shape(&res), 400);
    assert_non_null(strstr(response_string(&res, "detail"), "\"Email\""));
    response_release(&res);
}

static void empty_body_detail_is_eof(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "POST", "/api/v2/users/login", NULL, "");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "detail"), "EOF");
    response_release(&res);
}

static void oversized_body_gets_413(void **state)
{
    size_t len = 2 * 1024 * 1024;
    char *body = malloc(len + 1);
    struct request req = {0};
    struct response res;

    (void)state;
    memset(body, ' ', len);
    body[0] = '{';
    body[len - 1] = '}';
    body[len] = '\0';
    for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++) {
        req.method = "POST";
        req.path = routes[r];
        req.body = body;
        res = harness_send(server, &req);
        assert_int_equal(check_error_shape(&res), 413);
        response_release(&res);
    }
    free(body);
}

static void oversized_chunked_body_gets_413(void **state)
{
    size_t len = 1024 * 1024 + 10;
    char *body = malloc(len + 1);
    struct request req = {0};
    struct response res;

    (void)state;
    memset(body, ' ', len);
    body[len] = '\0';
    req.method = "POST";
    req.path = "/api/v2/users/login";
    req.body = body;
    req.headers[0] = "Transfer-Encoding: chunked";
    res = harness_send(server, &req);
    assert_int_equal(check_error_shape(&res), 413);
    response_release(&res);
    free(body);
}

static void long_email_is_rejected(void **state)
{
    size_t len = 10000;
    char *email = malloc(len + 1);
    json_t *doc;
    char *body;
    struct response res;

    (void)state;
    memset(email, 'a', len);
    memcpy(email + len - 12, "@example.com", 12);
    email[len] = '\0';
    doc = json_pack("{ssssss}", "email", email, "username", "owner", "password",
                    HARNESS_PASSWORD);
    body = json_dumps(doc, JSON_COMPACT);
    res = harness_call(server, "POST", "/api/v2/users/first", NULL, body);
    assert_int_equal(check_error_shape(&res), 400);
    assert_true(response_has_validation(&res, "email"));
    response_release(&res);

    res = harness_call(server, "POST", "/api/v2/users/login", NULL, body);
    assert_true(check_error_shape(&res) == 400 || res.status == 401);
    response_release(&res);
    free(body);
    json_decref(doc);
    free(email);
}

static void keys_match_ignoring_case(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "POST", "/api/v2/users/validate-password", NULL,
                       "{\"PASSWORD\":\"MyS3cure!Passw0rd\",\"extra\":1}");
    assert_int_equal(res.status, 200);
    assert_true(json_is_true(json_object_get(res.json, "valid")));
    response_release(&res);
}

static void hostile_paths(void **state)
{
    static const char *const paths[] = {
        "/api/v2/users/%00",
        "/api/v2/users/a%00b",
        "/api/v2/users/%ff%fe",
        "/api/v2/users/..%2f..%2fetc%2fpasswd",
        "/api/v2/users/me/../../buildinfo",
        "/api/v2/organizations/%27%20OR%201=1--",
    };
    char *token = NULL;
    struct harness *h = harness_start(NULL);

    (void)state;
    token =
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct response res = harness_call(h, "GET", paths[i], token, NULL);

        print_message("path %s -> %ld\n", paths[i], res.status);
        check_error_shape(&res);
        response_release(&res);
    }
    free(token);
    harness_free(h);
}

/* After all of the above the server still has no user: nothing was
 * partly written. */
static void nothing_was_written(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 404);
    response_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_bodies_get_400),
        cmocka_unit_test(empty_body_detail_is_eof),
        cmocka_unit_test(null_body_is_an_empty_request),
        cmocka_unit_test(parse_errors_quote_no_values),
        cmocka_unit_test(oversized_body_gets_413),
        cmocka_unit_test(oversized_chunked_body_gets_413),
        cmocka_unit_test(long_email_is_rejected),
        cmocka_unit_test(keys_match_ignoring_case),
        cmocka_unit_test(hostile_paths),
        cmocka_unit_test(nothing_was_written),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
