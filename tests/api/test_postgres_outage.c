/* SPDX-License-Identifier: MIT */
/*
 * A database outage under a running server: while PostgreSQL is down
 * every request that needs it gets 503 in Coder's error shape, and once
 * it is back the same server process serves again, without a restart.
 * The test runs its own cluster, so that stopping it disturbs no other
 * test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cluster.h"
#include "harness.h"

/* How long the server may take to serve again once the database is up. */
#define RECOVERY_DEADLINE_SECONDS 30

static struct cluster *db;

static int start_cluster(void **state)
{
    (void)state;
    db = cluster_start(0);
    setenv("USHER_TEST_POSTGRES_ADMIN", cluster_admin(db), 1);
    setenv("USHER_TEST_BACKEND", "postgres", 1);
    return 0;
}

static int remove_cluster(void **state)
{
    (void)state;
    cluster_free(db);
    return 0;
}

/* Check a 503 in Coder's error shape. */
static void assert_unavailable(struct response *res)
{
    char *retry = response_header(res, "Retry-After");

    assert_int_equal(res->status, 503);
    assert_string_equal(response_string(res, "message"),
                        "The database is unavailable. Try again shortly.");
    assert_non_null(response_string(res, "detail"));
    assert_true(response_string(res, "detail")[0] != '\0');
    assert_non_null(retry);
    free(retry);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll GET /users/me until it returns 200 or the deadline passes. The
 * pause between tries only keeps the loop from spinning. */
static long poll_until_served(struct harness *h, const char *token)
{
    double deadline = now_seconds() + RECOVERY_DEADLINE_SECONDS;
    struct timespec pause = {0, 20 * 1000 * 1000};
    long status = 0;

    while (now_seconds() < deadline) {
        struct response res =
            harness_call(h, "GET", "/api/v2/users/me", token, NULL);

        status = res.status;
        if (status != 503 && status != 200)
            fail_msg("unexpected status %ld: %s", status, res.body);
        response_release(&res);
        if (status == 200)
            break;
        nanosleep(&pause, NULL);
    }
    return status;
}

static void outage_answers_503_then_recovers(void **state)
{
    struct harness *h = harness_start(NULL);
    char *token =
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD);
    int pid = harness_pid(h);
    struct response res;

    (void)state;
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);

    assert_int_equal(cluster_stop(db), 0);
    for (int i = 0; i < 3; i++) {
        res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
        assert_unavailable(&res);
        response_release(&res);
    }
    res = harness_call(
        h, "POST", "/api/v2/users/login", NULL,
        "{\"email\":\"owner@example.com\",\"password\":\"" HARNESS_PASSWORD
        "\"}");
    assert_unavailable(&res);
    response_release(&res);
    res = harness_call(h, "GET", "/api/v2/users/first", NULL, NULL);
    assert_unavailable(&res);
    response_release(&res);

    assert_int_equal(cluster_restart(db), 0);
    assert_int_equal(poll_until_served(h, token), 200);
    assert_int_equal(harness_pid(h), pid);
    assert_true(harness_log_contains(
        h, "msg=\"cannot connect to the database, will retry\""));
    assert_true(harness_log_contains(h, "msg=\"reconnected to the database\""));

    free(token);
    harness_free(h);
}

/* A restart between two requests leaves only dead idle connections,
 * which are noticed before use: the next request is served at once. */
static void quiet_restart_costs_no_request(void **state)
{
    struct harness *h = harness_start(NULL);
    char *token =
        harness_setup_owner(h, "quiet@example.com", "quiet", HARNESS_PASSWORD);
    struct response res;

    (void)state;
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);

    assert_int_equal(cluster_stop(db), 0);
    assert_int_equal(cluster_restart(db), 0);
    for (int i = 0; i < 4; i++) {
        res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
        assert_int_equal(res.status, 200);
        response_release(&res);
    }
    assert_true(
        harness_log_contains(h, "msg=\"closing a lost database connection\""));
    free(token);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outage_answers_503_then_recovers),
        cmocka_unit_test(quiet_restart_costs_no_request),
    };

    return cmocka_run_group_tests(tests, start_cluster, remove_cluster);
}
