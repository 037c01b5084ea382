/* SPDX-License-Identifier: MIT */
/* Sliding-window rate limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "http/ratelimit.h"

#define MINUTE (60LL * 1000000LL)

static void limit_applies_per_key(void **state)
{
    struct ratelimit *limiter = ratelimit_new(3, MINUTE);
    int64_t t = 10 * MINUTE;

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_true(ratelimit_allow(limiter, "alice", t + i));
    assert_false(ratelimit_allow(limiter, "alice", t + 10));
    assert_true(ratelimit_allow(limiter, "bob", t + 10));
    ratelimit_free(limiter);
}

static void previous_window_fades_out(void **state)
{
    struct ratelimit *limiter = ratelimit_new(4, MINUTE);
    int64_t t = 10 * MINUTE;

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_true(ratelimit_allow(limiter, "k", t));
    /* At the start of the next window the previous count weighs fully. */
    assert_false(ratelimit_allow(limiter, "k", t + MINUTE));
    /* Three quarters through, it weighs 1: three more fit. */
    assert_true(ratelimit_allow(limiter, "k", t + MINUTE + 3 * MINUTE / 4));
    assert_true(ratelimit_allow(limiter, "k", t + MINUTE + 3 * MINUTE / 4));
    assert_true(ratelimit_allow(limiter, "k", t + MINUTE + 3 * MINUTE / 4));
    assert_false(ratelimit_allow(limiter, "k", t + MINUTE + 3 * MINUTE / 4));
    /* Two windows later nothing is left. */
    for (int i = 0; i < 4; i++)
        assert_true(ratelimit_allow(limiter, "k", t + 4 * MINUTE));
    ratelimit_free(limiter);
}

static void many_keys_stay_bounded(void **state)
{
    struct ratelimit *limiter = ratelimit_new(1, MINUTE);
    char key[32];

    (void)state;
    /* Keys from long ago are swept as the table grows; every new key is
     * still allowed once. */
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "client-%d", i);
        assert_true(ratelimit_allow(limiter, key, (int64_t)i * MINUTE / 100));
    }
    snprintf(key, sizeof(key), "client-%d", 19999);
    assert_false(ratelimit_allow(limiter, key, 19999LL * MINUTE / 100));
    ratelimit_free(limiter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limit_applies_per_key),
        cmocka_unit_test(previous_window_fades_out),
        cmocka_unit_test(many_keys_stay_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
