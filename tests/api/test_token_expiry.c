/* SPDX-License-Identifier: MIT */
/*
 * Token expiry over time. The server is restarted on the same database
 * with --clock-offset to move its clock forward by whole tens of minutes,
 * so that the hourly rules are exercised without waiting.
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
#include "seed.h"
#include "util/timestamp.h"

/* Two hours in nanoseconds, the lifetime of every token here. */
#define TWO_HOURS "7200000000000"

static struct harness *server;
static char *owner;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    harness_free(server);
    return 0;
}

static void move_clock(const char *offset, bool disable_refresh)
{
    const char *args[] = {
        "--clock-offset", offset,
        disable_refresh ? "--disable-session-expiry-refresh" : NULL, NULL};

    harness_restart_with(server, args);
}

static char *create_token(const char *session, const char *name)
{
    char body[128];
    struct response res;
    char *key;

    snprintf(body, sizeof(body),
             "{\"lifetime\":" TWO_HOURS ",\"token_name\":\"%s\"}", name);
    res = harness_call(server, "POST", "/api/v2/users/me/keys/tokens", session,
                       body);
    assert_int_equal(res.status, 201);
    key = strdup(response_string(&res, "key"));
    response_release(&res);
    return key;
}

/* Read a key's record with the owner's session, which does not touch it. */
static struct response read_key(const char *key)
{
    char path[128];

    snprintf(path, sizeof(path), "/api/v2/users/me/keys/%.10s", key);
    return harness_call(server, "GET", path, owner, NULL);
}

static int64_t key_time(const char *key, const char *field)
{
    struct response res = read_key(key);
    const char *text;
    int64_t ts = 0;
    char err[64];

    assert_int_equal(res.status, 200);
    text = response_string(&res, field);
    assert_non_null(text);
    assert_int_equal(timestamp_parse(text, &ts, err, sizeof(err)), 0);
    response_release(&res);
    return ts;
}

static long use_key(const char *key)
{
    struct response res =
        harness_call(server, "GET", "/api/v2/users/me", key, NULL);
    long status = res.status;

    if (status == 401)
        assert_non_null(
            strstr(response_string(&res, "detail"), "API key expired at \""));
    response_release(&res);
    return status;
}

static void token_slides_while_used(void **state)
{
    char *used;
    char *idle;
    struct response res;
    int64_t first_expiry;
    int64_t last_used;

    (void)state;
    move_clock("0s", false);
    used = create_token(owner, "used-hourly");
    idle = create_token(owner, "never-used");
    first_expiry = key_time(used, "expires_at");

    res = read_key(used);
    assert_string_equal(response_string(&res, "last_used"),
                        "1970-01-01T00:00:00Z");
    response_release(&res);

    /* The first use records last_used; an immediate second one does not
     * write again, and neither extends a key with over an hour left. */
    assert_int_equal(use_key(used), 200);
    last_used = key_time(used, "last_used");
    assert_true(last_used > 0);
    assert_int_equal(use_key(used), 200);
    assert_int_equal(key_time(used, "last_used"), last_used);
    assert_int_equal(key_time(used, "expires_at"), first_expiry);

    /* 90 minutes on, under an hour is left: the use extends the key by
     * its whole lifetime and records the use. */
    move_clock("90m", false);
    assert_true(harness_log_contains(server, "offset=1h30m0s"));
    assert_int_equal(use_key(used), 200);
    assert_true(key_time(used, "last_used") > last_used);
    assert_true(key_time(used, "expires_at") > first_expiry);

    /* Three hours on, past the original expiry, it still works; the key
     * nobody used has expired. */
    move_clock("3h", false);
    assert_int_equal(use_key(used), 200);
    assert_int_equal(use_key(idle), 401);

    /* Eight hours on, with no use for five hours, it has expired too. */
    move_clock("8h", false);
    assert_int_equal(use_key(used), 401);
    free(used);
    free(idle);
}

static void refresh_can_be_disabled(void **state)
{
    char *key;
    int64_t expiry;

    (void)state;
    move_clock("10h", false);
    key = create_token(owner, "fixed-expiry");
    expiry = key_time(key, "expires_at");

    move_clock("11h30m", true);
    assert_int_equal(use_key(key), 200);
    assert_int_equal(key_time(key, "expires_at"), expiry);

    move_clock("12h30m", true);
    assert_int_equal(use_key(key), 401);
    free(key);
}

static void session_key_slides_too(void **state)
{
    struct response res;
    char *key;
    int64_t expiry;

    (void)state;
    move_clock("20h", false);
    res = harness_call(server, "POST", "/api/v2/users/me/keys", owner, NULL);
    assert_int_equal(res.status, 201);
    key = strdup(response_string(&res, "key"));
    response_release(&res);
    expiry = key_time(key, "expires_at");

    /* A week-long key used after 167 hours gets another week. */
    move_clock("187h", false);
    free(owner);
    owner = harness_login(server, "owner@example.com", HARNESS_PASSWORD);
    assert_int_equal(use_key(key), 200);
    assert_true(key_time(key, "expires_at") > expiry);
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_slides_while_used),
        cmocka_unit_test(refresh_can_be_disabled),
        cmocka_unit_test(session_key_slides_too),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
