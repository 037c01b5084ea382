/* SPDX-License-Identifier: MIT */
/* What the store has acknowledged survives a kill -9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void user_and_session_survive_sigkill(void **state)
{
    struct harness *h = harness_start(NULL);
    char *token;
    struct response res;

    (void)state;
    res = harness_call(h, "POST", "/api/v2/users/first", NULL,
                       "{\"email\":\"owner@example.com\",\"username\":"
                       "\"owner\",\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 201);
    response_release(&res);
    harness_kill(h);
    harness_restart(h);

    res = harness_call(h, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    token = harness_login(h, "owner@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    harness_kill(h);
    harness_restart(h);

    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "username"), "owner");
    response_release(&res);

    /* A logout acknowledged before the kill stays a logout. */
    res = harness_call(h, "POST", "/api/v2/users/logout", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    harness_kill(h);
    harness_restart(h);
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 401);
    response_release(&res);
    free(token);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(user_and_session_survive_sigkill),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
