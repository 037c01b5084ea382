/* SPDX-License-Identifier: MIT */
/* Route matching with literal segments before parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static const int first_user = 1, user = 2, keys_by_name = 3, tokenconfig = 4,
                 delete_user = 5, root = 6;

static struct router *make_router(void)
{
    struct router *r = router_new();

    assert_int_equal(router_add(r, "GET", "/api/v2/users/{user}", 0, &user), 0);
    assert_int_equal(
        router_add(r, "GET", "/api/v2/users/first", 7, &first_user), 0);
    assert_int_equal(
        router_add(r, "DELETE", "/api/v2/users/{user}", 0, &delete_user), 0);
    assert_int_equal(router_add(r, "GET",
                                "/api/v2/users/{user}/keys/tokens/{keyname}", 0,
                                &keys_by_name),
                     0);
    assert_int_equal(router_add(r, "GET",
                                "/api/v2/users/{user}/keys/tokens/tokenconfig",
                                0, &tokenconfig),
                     0);
    assert_int_equal(router_add(r, "GET", "/api/v2/", 0, &root), 0);
    return r;
}

static void literals_win_over_parameters(void **state)
{
    struct router *r = make_router();
    struct router_match m;

    (void)state;
    router_match(r, "GET", "/api/v2/users/first", &m);
    assert_ptr_equal(m.data, &first_user);
    assert_int_equal(m.flags, 7);
    router_match_release(&m);

    router_match(r, "GET", "/api/v2/users/alice", &m);
    assert_ptr_equal(m.data, &user);
    assert_string_equal(router_match_param(&m, "user"), "alice");
    assert_string_equal(m.pattern, "/api/v2/users/{user}");
    router_match_release(&m);

    router_match(r, "GET", "/api/v2/users/me/keys/tokens/tokenconfig", &m);
    assert_ptr_equal(m.data, &tokenconfig);
    router_match_release(&m);

    router_match(r, "GET", "/api/v2/users/me/keys/tokens/ci-runner", &m);
    assert_ptr_equal(m.data, &keys_by_name);
    assert_string_equal(router_match_param(&m, "user"), "me");
    assert_string_equal(router_match_param(&m, "keyname"), "ci-runner");
    router_match_release(&m);
    router_free(r);
}

static void methods_and_misses(void **state)
{
    struct router *r = make_router();
    struct router_match m;

    (void)state;
    router_match(r, "DELETE", "/api/v2/users/alice", &m);
    assert_ptr_equal(m.data, &delete_user);
    router_match_release(&m);

    router_match(r, "PUT", "/api/v2/users/alice", &m);
    assert_null(m.data);
    assert_true(m.wrong_method);
    router_match_release(&m);

    static const char *const misses[] = {
        "/api/v2/users",
        "/api/v2/users/",
        "/api/v2/users//first",
        "/api/v2/users/alice/extra",
        "/api/v3/users/alice",
        "",
        "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s",
    };
    for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
        router_match(r, "GET", misses[i], &m);
        assert_null(m.data);
        assert_false(m.wrong_method);
        router_match_release(&m);
    }

    router_match(r, "GET", "/api/v2/", &m);
    assert_ptr_equal(m.data, &root);
    router_match_release(&m);
    router_free(r);
}

static void duplicates_are_rejected(void **state)
{
    struct router *r = make_router();

    (void)state;
    assert_int_equal(router_add(r, "GET", "/api/v2/users/{other}", 0, &user),
                     -1);
    assert_int_equal(router_add(r, "POST", "/api/v2/users/{other}", 0, &user),
                     0);
    router_free(r);
}

/* Match GET path and return a copy of the "user" parameter. */
static char *user_param(struct router *r, const char *path)
{
    struct router_match m;
    const char *value;
    char *copy;

    router_match(r, "GET", path, &m);
    value = router_match_param(&m, "user");
    copy = value ? strdup(value) : NULL;
    router_match_release(&m);
    return copy;
}

static void paths_match_as_sent(void **state)
{
    static const struct {
        const char *path;
        const char *user; /* NULL: the route does not match */
    } cases[] = {
        {"/api/v2/users/alice", "alice"},
        {"/api/v2/users/a%20b", "a b"},
        {"/api/v2/users/%C3%A9", "\xc3\xa9"},
        /* Not Go's canonical form: segments stay as sent. */
        {"/api/v2/users/me%2Fkeys", "me%2Fkeys"},
        {"/api/v2/users/%61lice", "%61lice"},
        {"/api/v2/users/a%20b%2f", "a%20b%2f"},
        {"/api/v2/users/%c3%a9", "%c3%a9"},
        {"/api/v2/users/a!b%20", "a!b%20"},
        {"/api/v2/%75sers/alice", NULL},
    };
    struct router *r = make_router();

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = user_param(r, cases[i].path);

        print_message("%s\n", cases[i].path);
        if (cases[i].user == NULL)
            assert_null(got);
        else
            assert_string_equal(got, cases[i].user);
        free(got);
    }
    router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literals_win_over_parameters),
        cmocka_unit_test(methods_and_misses),
        cmocka_unit_test(duplicates_are_rejected),
        cmocka_unit_test(paths_match_as_sent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
