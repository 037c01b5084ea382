/* SPDX-License-Identifier: MIT */
/*
 * CSRF protection of browser sessions: the csrf_token cookie, the
 * X-CSRF-TOKEN header that state-changing cookie requests must carry, in
 * plain and masked form, and the requests that need none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "support.h"

static const char failure[] =
    "Something is wrong with your CSRF token. Please refresh the page. If "
    "this error persists, try clearing your cookies.\n";

static struct harness *server;
static char *owner;
static char *csrf;

/* Return the value of cookie name set by res (malloc'd). */
static char *cookie_value(const struct response *res, const char *name)
{
    char *header = response_cookie(res, name);
    char *value;
    char *end;

    assert_non_null(header);
    value = strdup(header + strlen(name) + 1);
    end = strchr(value, ';');
    if (end != NULL)
        *end = '\0';
    free(header);
    return value;
}

static int start_server(void **state)
{
    struct response res;

    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    res = harness_call(server, "GET", "/api/v2/users/me", owner, NULL);
    csrf = cookie_value(&res, "csrf_token");
    response_release(&res);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(csrf);
    free(owner);
    harness_free(server);
    return 0;
}

/* Send method path with the session in the cookie only, the given CSRF
 * cookie and header (either may be NULL), and body. */
static struct response cookie_call(const char *method, const char *path,
                                   const char *csrf_cookie,
                                   const char *csrf_header, const char *body)
{
    struct request req = {0};
    char cookie[512];
    char header[256];

    snprintf(cookie, sizeof(cookie), "coder_session_token=%s%s%s", owner,
             csrf_cookie ? "; csrf_token=" : "",
             csrf_cookie ? csrf_cookie : "");
    req.method = method;
    req.path = path;
    req.cookie = cookie;
    req.body = body;
    if (csrf_header != NULL) {
        snprintf(header, sizeof(header), "X-CSRF-TOKEN: %s", csrf_header);
        req.headers[0] = header;
    }
    return harness_send(server, &req);
}

static long token_count(void)
{
    struct response res = harness_call(
        server, "GET", "/api/v2/users/me/keys/tokens", owner, NULL);
    long count = (long)json_array_size(res.json);

    assert_int_equal(res.status, 200);
    response_release(&res);
    return count;
}

static void expect_failure(struct response res)
{
    char *type = response_header(&res, "Content-Type");

    assert_int_equal(res.status, 400);
    assert_string_equal(res.body, failure);
    assert_non_null(type);
    assert_string_equal(type, "text/plain; charset=utf-8");
    free(type);
    response_release(&res);
}

static void every_response_offers_a_token(void **state)
{
    struct response res;
    char *header;
    char *vary;
    unsigned char raw[64];

    (void)state;
    res = harness_call(server, "GET", "/api/v2/buildinfo", NULL, NULL);
    assert_int_equal(res.status, 200);
    header = response_cookie(&res, "csrf_token");
    assert_non_null(header);
    assert_non_null(strstr(header, "; Path=/"));
    assert_non_null(strstr(header, "; Max-Age=31536000"));
    assert_non_null(strstr(header, "; HttpOnly"));
    assert_non_null(strstr(header, "; SameSite=Lax"));
    /* 32 random bytes in standard base64. */
    assert_int_equal(strcspn(header, ";"), strlen("csrf_token=") + 44);
    assert_int_equal(
        EVP_DecodeBlock(
            raw, (const unsigned char *)header + strlen("csrf_token="), 44),
        33);
    free(header);
    vary = response_header(&res, "Vary");
    assert_non_null(vary);
    assert_string_equal(vary, "Cookie");
    free(vary);
    response_release(&res);

    /* A client that has the cookie gets no new one. */
    res = cookie_call("GET", "/api/v2/users/me", csrf, NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_null(response_cookie(&res, "csrf_token"));
    response_release(&res);
}

static void cookie_session_needs_token(void **state)
{
    long before = token_count();

    (void)state;
    expect_failure(
        cookie_call("POST", "/api/v2/users/me/keys/tokens", csrf, NULL, "{}"));
    expect_failure(
        cookie_call("POST", "/api/v2/users/me/keys/tokens", NULL, csrf, "{}"));
    expect_failure(cookie_call("POST", "/api/v2/users/me/keys/tokens", csrf,
                               "bm90LXRoZS10b2tlbg==", "{}"));
    expect_failure(
        cookie_call("POST", "/api/v2/users/me/keys/tokens", csrf,
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "{}"));
    expect_failure(cookie_call("PUT", "/api/v2/users/me/appearance", csrf, NULL,
                               "{\"theme_preference\":\"dark\"}"));
    expect_failure(
        cookie_call("POST", "/api/v2/users/logout", csrf, NULL, NULL));
    /* A login that carries a session cookie is a cookie request too. */
    expect_failure(cookie_call("POST", "/api/v2/users/login", csrf, NULL,
                               "{\"email\":\"owner@example.com\",\"password\":"
                               "\"" HARNESS_PASSWORD "\"}"));
    assert_int_equal(token_count(), before);
    assert_int_equal(support_me_status(server, owner), 200);
}

/* The token as Coder's pages hand it out: a pad, then token XOR pad. */
static void mask(const char *token, char *out)
{
    unsigned char real[33];
    unsigned char masked[64];

    assert_int_equal(
        EVP_DecodeBlock(real, (const unsigned char *)token, (int)strlen(token)),
        33);
    for (int i = 0; i < 32; i++) {
        masked[i] = (unsigned char)(7 * i + 3);
        masked[32 + i] = real[i] ^ masked[i];
    }
    EVP_EncodeBlock((unsigned char *)out, masked, sizeof(masked));
}

static void matching_token_passes(void **state)
{
    long before = token_count();
    char masked[89];
    struct response res;

    (void)state;
    res = cookie_call("POST", "/api/v2/users/me/keys/tokens", csrf, csrf, "{}");
    assert_int_equal(res.status, 201);
    response_release(&res);
    mask(csrf, masked);
    res =
        cookie_call("POST", "/api/v2/users/me/keys/tokens", csrf, masked, "{}");
    assert_int_equal(res.status, 201);
    response_release(&res);
    assert_int_equal(token_count(), before + 2);
}

static void header_credentials_need_no_token(void **state)
{
    struct request req = {0};
    char cookie[256];
    char path[256];
    struct response res;

    (void)state;
    /* The session token also in the header, as the CLI sends it. */
    snprintf(cookie, sizeof(cookie), "coder_session_token=%s", owner);
    req.method = "PUT";
    req.path = "/api/v2/users/me/appearance";
    req.token = owner;
    req.cookie = cookie;
    req.body = "{\"theme_preference\":\"dark\"}";
    res = harness_send(server, &req);
    assert_int_equal(res.status, 200);
    response_release(&res);

    /* Or in the query. */
    snprintf(path, sizeof(path),
             "/api/v2/users/me/appearance?coder_session_token=%s", owner);
    req.path = path;
    req.token = NULL;
    res = harness_send(server, &req);
    assert_int_equal(res.status, 200);
    response_release(&res);

    /* Without a session cookie there is nothing to forge. */
    res = harness_call(server, "POST", "/api/v2/users/me/keys/tokens", owner,
                       "{}");
    assert_int_equal(res.status, 201);
    response_release(&res);

    /* The first user's creation is exempt; here it exists already. */
    res = cookie_call("POST", "/api/v2/users/first", csrf, NULL,
                      "{\"email\":\"x@example.com\",\"username\":\"x\","
                      "\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 409);
    response_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_response_offers_a_token),
        cmocka_unit_test(cookie_session_needs_token),
        cmocka_unit_test(matching_token_passes),
        cmocka_unit_test(header_credentials_need_no_token),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
