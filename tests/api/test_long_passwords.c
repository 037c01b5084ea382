/* SPDX-License-Identifier: MIT */
/*
 * Passwords as long as the largest body the server reads, sent to the two
 * routes that check strength without a login. Both respond with the same
 * verdicts and texts as for short passwords, and the server keeps serving.
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

/* The largest request body the server accepts. */
#define BODY_MAX (1024 * 1024)

#define WEAK_REASON                                                            \
    "insecure password, try including more special characters, using "         \
    "uppercase letters, using numbers or using a longer password"
#define LONG_REASON "password must be no more than 64 characters"

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

/* Write the UTF-8 form of c (at least U+0080, not a surrogate) at out and
 * return the number of bytes written. */
static size_t put_rune(char *out, uint32_t c)
{
    if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* Return a password of up to len bytes (malloc'd): one letter over and
 * over when weak, else every character from U+0080 up in turn. */
static char *long_password(size_t len, bool weak)
{
    char *p = malloc(len + 1);
    size_t n = 0;
    uint32_t c = 0x80;

    assert_non_null(p);
    if (weak) {
        memset(p, 'a', len);
        n = len;
    }
    while (!weak && n + 4 <= len) {
        n += put_rune(p + n, c);
        c = c == 0xd7ff ? 0xe000 : c + 1;
    }
    p[n] = '\0';
    return p;
}

/*
 * Return a JSON object (malloc'd) of the members in fields and a
 * "password" that fills the rest of the largest body. fields contains
 * JSON text ending in a comma, or "".
 */
static char *body_with_password(const char *fields, bool weak)
{
    size_t overhead = strlen("{\"password\":\"\"}") + strlen(fields);
    char *password = long_password(BODY_MAX - overhead, weak);
    size_t len = overhead + strlen(password);
    char *body = malloc(len + 1);
    int n;

    assert_non_null(body);
    n = snprintf(body, len + 1, "{%s\"password\":\"%s\"}", fields, password);
    assert_int_equal(n, (int)len);
    assert_true(len <= BODY_MAX && len + 4 > BODY_MAX);
    free(password);
    return body;
}

static void expect_verdict(bool weak, const char *reason)
{
    char *body = body_with_password("", weak);
    struct response res = harness_call(
        server, "POST", "/api/v2/users/validate-password", NULL, body);

    assert_int_equal(res.status, 200);
    assert_true(json_is_false(json_object_get(res.json, "valid")));
    assert_string_equal(response_string(&res, "details"), reason);
    response_release(&res);
    free(body);
}

static void validate_password_rejects_long_password(void **state)
{
    (void)state;
    expect_verdict(true, WEAK_REASON);
    expect_verdict(false, LONG_REASON);
}

static void expect_rejection(bool weak, const char *reason)
{
    char *body = body_with_password(
        "\"email\":\"nobody@example.com\",\"one_time_passcode\":\"123456\",",
        weak);
    struct response res = harness_call(
        server, "POST", "/api/v2/users/otp/change-password", NULL, body);
    json_t *first;

    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"), "Invalid password.");
    first = json_array_get(json_object_get(res.json, "validations"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "field")),
                        "password");
    assert_string_equal(json_string_value(json_object_get(first, "detail")),
                        reason);
    response_release(&res);
    free(body);
}

static void otp_change_rejects_long_password(void **state)
{
    (void)state;
    expect_rejection(true, WEAK_REASON);
    expect_rejection(false, LONG_REASON);
}

static void server_still_serves(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "GET", "/api/v2/buildinfo", NULL, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validate_password_rejects_long_password),
        cmocka_unit_test(otp_change_rejects_long_password),
        cmocka_unit_test(server_still_serves),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
