/* SPDX-License-Identifier: MIT */
/* Session tokens: where they are read from, their format, logout, expiry,
 * cookies and what the log never shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"

#define OWNER_EMAIL "owner@example.com"

static struct harness *server;
static char *owner_token;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner_token =
        harness_setup_owner(server, OWNER_EMAIL, "owner", HARNESS_PASSWORD);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner_token);
    harness_free(server);
    return 0;
}

static long status_of_me(const char *token)
{
    struct response res =
        harness_call(server, "GET", "/api/v2/users/me", token, NULL);
    long status = res.status;

    response_release(&res);
    return status;
}

static const char signed_out[] = "You are signed out or your session has "
                                 "expired. Please sign in again to continue.";

static void logout_deletes_only_presenting_key(void **state)
{
    char *s1 = harness_login(server, OWNER_EMAIL, HARNESS_PASSWORD);
    char *s2 = harness_login(server, OWNER_EMAIL, HARNESS_PASSWORD);
    struct response res;
    char *cookie;

    (void)state;
    assert_non_null(s1);
    assert_non_null(s2);
    assert_string_not_equal(s1, s2);
    assert_int_equal(status_of_me(s1), 200);
    assert_int_equal(status_of_me(s2), 200);

    res = harness_call(server, "POST", "/api/v2/users/logout", s1, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "message"), "Logged out!");
    cookie = response_cookie(&res, "coder_session_token");
    assert_non_null(cookie);
    assert_non_null(strstr(cookie, "coder_session_token=;"));
    assert_non_null(strstr(cookie, "Max-Age=0"));
    free(cookie);
    response_release(&res);

    res = harness_call(server, "GET", "/api/v2/users/me", s1, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"), "API key is invalid.");
    response_release(&res);
    assert_int_equal(status_of_me(s2), 200);
    free(s1);
    free(s2);
}

static void token_sources(void **state)
{
    char *token = harness_login(server, OWNER_EMAIL, HARNESS_PASSWORD);
    struct request req = {0};
    struct response res;
    char line[128];
    char path[128];

    (void)state;
    req.method = "GET";
    req.path = "/api/v2/users/me";

    snprintf(line, sizeof(line), "coder_session_token=%s", token);
    req.cookie = line;
    res = harness_send(server, &req);
    assert_int_equal(res.status, 200);
    response_release(&res);

    req.cookie = NULL;
    snprintf(path, sizeof(path), "/api/v2/users/me?coder_session_token=%s",
             token);
    req.path = path;
    res = harness_send(server, &req);
    assert_int_equal(res.status, 200);
    response_release(&res);

    req.path = "/api/v2/users/me";
    snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
    req.headers[0] = line;
    res = harness_send(server, &req);
    assert_int_equal(res.status, 200);
    response_release(&res);

    /* The cookie is read first: a stale cookie wins over a valid header. */
    req.headers[0] = NULL;
    req.token = token;
    req.cookie = "coder_session_token=aaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb";
    res = harness_send(server, &req);
    assert_int_equal(res.status, 401);
    response_release(&res);
    free(token);
}

struct bad_token {
    const char *token;
    const char *detail;
};

static void malformed_tokens_get_format_detail(void **state)
{
    static const struct bad_token cases[] = {
        {"abc", "Invalid API key format: incorrect amount of API key parts, "
                "expected 2 got 1"},
        {"aaaaaaaaaa-short", "Invalid API key format: invalid API key secret "
                             "length, expected 22 got 5"},
        {"a-b-c", "Invalid API key format: incorrect amount of API key parts, "
                  "expected 2 got 3"},
        {"abcdefghijkl-abcdefghijklmnopqrstuv",
         "Invalid API key format: invalid API key ID length, expected 10 got "
         "12"},
        {"abcdefghij-abcdefghijklmnopqrstuv", "API key is invalid."},
    };
    struct response res;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        res = harness_call(server, "GET", "/api/v2/users/me", cases[i].token,
                           NULL);
        assert_int_equal(res.status, 401);
        assert_string_equal(response_string(&res, "message"), signed_out);
        assert_string_equal(response_string(&res, "detail"), cases[i].detail);
        response_release(&res);
    }

    res = harness_call(server, "GET", "/api/v2/users/me", NULL, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"),
                        "Cookie \"coder_session_token\" or query parameter "
                        "must be provided.");
    response_release(&res);
}

static void wrong_secret_is_refused(void **state)
{
    char *token = harness_login(server, OWNER_EMAIL, HARNESS_PASSWORD);
    char forged[64];
    struct response res;

    (void)state;
    snprintf(forged, sizeof(forged), "%.*s-%s", 10, token,
             "0000000000000000000000");
    res = harness_call(server, "GET", "/api/v2/users/me", forged, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"),
                        "API key secret is invalid.");
    response_release(&res);
    assert_int_equal(status_of_me(token), 200);
    free(token);
}

static void login_sets_session_cookie(void **state)
{
    struct response res;
    char *cookie;
    char expected[128];

    (void)state;
    res = harness_call(server, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"" OWNER_EMAIL
                       "\",\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 201);
    cookie = response_cookie(&res, "coder_session_token");
    assert_non_null(cookie);
    snprintf(expected, sizeof(expected), "coder_session_token=%s;",
             response_string(&res, "session_token"));
    assert_non_null(strstr(cookie, expected));
    assert_non_null(strstr(cookie, "Path=/"));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Lax"));
    assert_null(strstr(cookie, "Secure"));
    assert_null(strstr(cookie, "Expires"));
    free(cookie);
    response_release(&res);
}

static void secure_cookie_option(void **state)
{
    const char *const args[] = {"--secure-auth-cookie", NULL};
    struct harness *h = harness_start(args);
    char *token =
        harness_setup_owner(h, OWNER_EMAIL, "owner", HARNESS_PASSWORD);
    struct response res;
    char *cookie;

    (void)state;
    res = harness_call(h, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"" OWNER_EMAIL
                       "\",\"password\":\"" HARNESS_PASSWORD "\"}");
    cookie = response_cookie(&res, "coder_session_token");
    assert_non_null(cookie);
    assert_non_null(strstr(cookie, "; Secure"));
    free(cookie);
    response_release(&res);
    free(token);
    harness_free(h);
}

/* Return the current time as seconds since the epoch with fractions. */
static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void session_expires_after_duration(void **state)
{
    const char *const args[] = {"--session-duration", "2s", NULL};
    struct harness *h = harness_start(args);
    char *token =
        harness_setup_owner(h, OWNER_EMAIL, "owner", HARNESS_PASSWORD);
    double deadline = now_seconds() + 30;
    struct response res = {0};

    (void)state;
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    /* Poll until the key has expired; a refresh must not keep it alive,
     * since the lifetime is shorter than the refresh threshold. */
    for (;;) {
        res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
        if (res.status != 200 || now_seconds() > deadline)
            break;
        response_release(&res);
    }
    assert_int_equal(res.status, 401);
    assert_non_null(response_string(&res, "detail"));
    assert_true(strncmp(response_string(&res, "detail"),
                        "API key expired at \"", 20) == 0);
    assert_non_null(strstr(response_string(&res, "detail"), " +0000 UTC\"."));
    response_release(&res);
    free(token);
    harness_free(h);
}

static void last_seen_written_on_first_use(void **state)
{
    char *token = harness_login(server, OWNER_EMAIL, HARNESS_PASSWORD);
    struct response first;
    struct response second;
    const char *seen;

    (void)state;
    first = harness_call(server, "GET", "/api/v2/users/me", token, NULL);
    second = harness_call(server, "GET", "/api/v2/users/me", token, NULL);
    seen = response_string(&first, "last_seen_at");
    assert_non_null(seen);
    assert_string_not_equal(seen, "0001-01-01T00:00:00Z");
    /* Within the hour the second request writes nothing. */
    assert_string_equal(seen, response_string(&second, "last_seen_at"));
    response_release(&first);
    response_release(&second);
    free(token);
}

static void log_never_shows_secrets(void **state)
{
    char *token = harness_login(server, OWNER_EMAIL, HARNESS_PASSWORD);
    char path[128];
    struct response res;
    char *log;

    (void)state;
    snprintf(path, sizeof(path), "/api/v2/users/me?coder_session_token=%s",
             token);
    res = harness_call(server, "GET", path, NULL, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    res = harness_call(server, "POST", "/api/v2/users/logout", token, NULL);
    response_release(&res);

    log = harness_log(server);
    assert_null(strstr(log, token + 11));
    assert_null(strstr(log, HARNESS_PASSWORD));
    assert_null(strstr(log, "$pbkdf2"));
    /* The access log names the user, the status and the request id. */
    assert_non_null(strstr(log, "msg=\"request\""));
    assert_non_null(strstr(log, "path=/api/v2/users/me status=200"));
    assert_non_null(strstr(log, "request_id="));
    assert_non_null(strstr(log, "user_id="));
    free(log);
    free(token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logout_deletes_only_presenting_key),
        cmocka_unit_test(token_sources),
        cmocka_unit_test(malformed_tokens_get_format_detail),
        cmocka_unit_test(wrong_secret_is_refused),
        cmocka_unit_test(login_sets_session_cookie),
        cmocka_unit_test(secure_cookie_option),
        cmocka_unit_test(session_expires_after_duration),
        cmocka_unit_test(last_seen_written_on_first_use),
        cmocka_unit_test(log_never_shows_secrets),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
