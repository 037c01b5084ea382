/* SPDX-License-Identifier: MIT */
/* Appearance settings and autofill parameters of a user. */
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

#define TEMPLATE "7f0a1c5e-3c1d-4b8e-9d57-2f4f0c6b8a11"

static struct harness *server;
static char *owner;
static char *alice;
static char *bob;
static char *auditor;
static char *manager;

static char *seed_session(const char *username, const char *role)
{
    const char *roles[] = {role, NULL};
    struct seed_user spec = {username, roles, false};
    char email[128];

    free(seed_user(server, &spec));
    snprintf(email, sizeof(email), "%s@example.com", username);
    return harness_login(server, email, HARNESS_PASSWORD);
}

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    alice = seed_member_session(server, "alice");
    bob = seed_member_session(server, "bob");
    auditor = seed_session("auditor", "auditor");
    manager = seed_session("manager", "user-admin");
    return auditor != NULL && manager != NULL ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    free(alice);
    free(bob);
    free(auditor);
    free(manager);
    harness_free(server);
    return 0;
}

static long status_of(const char *method, const char *path, const char *token,
                      const char *body)
{
    struct response res = harness_call(server, method, path, token, body);
    long status = res.status;

    response_release(&res);
    return status;
}

/* Check the appearance of path as token sees it. */
static void assert_appearance(const char *token, const char *path,
                              const char *theme, const char *font)
{
    struct response res = harness_call(server, "GET", path, token, NULL);

    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "theme_preference"), theme);
    assert_string_equal(response_string(&res, "terminal_font"), font);
    response_release(&res);
}

static void new_user_has_empty_settings(void **state)
{
    (void)state;
    assert_appearance(bob, "/api/v2/users/me/appearance", "", "");
}

static void settings_read_back(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(server, "PUT", "/api/v2/users/me/appearance", alice,
                       "{\"theme_preference\":\"dark\","
                       "\"terminal_font\":\"fira-code\"}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "theme_preference"), "dark");
    assert_string_equal(response_string(&res, "terminal_font"), "fira-code");
    response_release(&res);
    assert_appearance(alice, "/api/v2/users/me/appearance", "dark",
                      "fira-code");

    /* A body without the font, as older clients send, keeps the font. */
    res = harness_call(server, "PUT", "/api/v2/users/me/appearance", alice,
                       "{\"theme_preference\":\"light\"}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "theme_preference"), "light");
    assert_string_equal(response_string(&res, "terminal_font"), "fira-code");
    response_release(&res);
    assert_appearance(alice, "/api/v2/users/alice/appearance", "light",
                      "fira-code");

    /* An empty font is a valid choice: the client's default. */
    assert_int_equal(status_of("PUT", "/api/v2/users/me/appearance", alice,
                               "{\"theme_preference\":\"light\","
                               "\"terminal_font\":\"\"}"),
                     200);
    assert_appearance(alice, "/api/v2/users/me/appearance", "light", "");
    assert_int_equal(status_of("PUT", "/api/v2/users/me/appearance", alice,
                               "{\"theme_preference\":\"light\","
                               "\"terminal_font\":\"jetbrains-mono\"}"),
                     200);
}

static void bad_bodies_change_nothing(void **state)
{
    static const char *const bodies[] = {
        "{}",
        "{\"theme_preference\":\"\"}",
        "{\"theme_preference\":null,\"terminal_font\":\"fira-code\"}",
        "{\"theme_preference\":5}",
        "{\"theme_preference\":\"dark\",\"terminal_font\":7}",
        "{\"theme_preference\":\"dark\",\"terminal_font\":\"comic-sans\"}",
        "{\"theme_preference\":\"dark\",\"terminal_font\":\"FIRA-CODE\"}",
        "[]",
        "{",
        "",
    };
    struct response res;

    (void)state;
    assert_int_equal(status_of("PUT", "/api/v2/users/me/appearance", bob,
                               "{\"theme_preference\":\"auto\","
                               "\"terminal_font\":\"ibm-plex-mono\"}"),
                     200);
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        print_message("body %s\n", bodies[i]);
        assert_int_equal(
            status_of("PUT", "/api/v2/users/me/appearance", bob, bodies[i]),
            400);
        assert_appearance(bob, "/api/v2/users/me/appearance", "auto",
                          "ibm-plex-mono");
    }

    res = harness_call(server, "PUT", "/api/v2/users/me/appearance", bob,
                       "{\"theme_preference\":\"\"}");
    assert_string_equal(response_string(&res, "message"), "Validation failed.");
    assert_true(response_has_validation(&res, "theme_preference"));
    response_release(&res);

    res = harness_call(server, "PUT", "/api/v2/users/me/appearance", bob,
                       "{\"theme_preference\":\"dark\","
                       "\"terminal_font\":\"comic-sans\"}");
    assert_string_equal(response_string(&res, "message"),
                        "Unsupported font family.");
    response_release(&res);
}

static void appearance_access(void **state)
{
    const char *body = "{\"theme_preference\":\"dark\"}";

    (void)state;
    assert_int_equal(
        status_of("GET", "/api/v2/users/alice/appearance", bob, NULL), 400);
    assert_int_equal(
        status_of("PUT", "/api/v2/users/alice/appearance", bob, body), 400);
    assert_int_equal(
        status_of("GET", "/api/v2/users/alice/appearance", auditor, NULL), 404);
    assert_int_equal(
        status_of("PUT", "/api/v2/users/alice/appearance", auditor, body), 403);
    assert_int_equal(
        status_of("GET", "/api/v2/users/alice/appearance", manager, NULL), 200);
    assert_int_equal(
        status_of("PUT", "/api/v2/users/alice/appearance", manager, body), 200);
    assert_appearance(owner, "/api/v2/users/alice/appearance", "dark",
                      "jetbrains-mono");
    assert_int_equal(
        status_of("GET", "/api/v2/users/me/appearance", NULL, NULL), 401);
    assert_int_equal(
        status_of("PUT", "/api/v2/users/me/appearance", NULL, body), 401);
}

/* Check that path answers 400 with one template_id validation whose
 * detail is detail. */
static void assert_bad_query(const char *path, const char *field,
                             const char *detail)
{
    struct response res = harness_call(server, "GET", path, alice, NULL);
    json_t *entry;

    print_message("GET %s\n", path);
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Invalid query parameters.");
    entry = json_array_get(json_object_get(res.json, "validations"), 0);
    assert_non_null(entry);
    assert_string_equal(json_string_value(json_object_get(entry, "field")),
                        field);
    assert_string_equal(json_string_value(json_object_get(entry, "detail")),
                        detail);
    response_release(&res);
}

static void autofill_query_checks(void **state)
{
    (void)state;
    assert_bad_query("/api/v2/users/me/autofill-parameters", "template_id",
                     "Query param \"template_id\" is required and cannot be "
                     "empty");
    assert_bad_query(
        "/api/v2/users/me/autofill-parameters?template_id=", "template_id",
        "Query param \"template_id\" is required and cannot be "
        "empty");
    assert_bad_query("/api/v2/users/me/autofill-parameters?template_id=abc",
                     "template_id",
                     "Query param \"template_id\" must be a valid uuid");
    assert_bad_query(
        "/api/v2/users/me/autofill-parameters?template_id=" TEMPLATE "&extra=1",
        "extra", "Query param \"extra\" is not a valid query param");
}

static void autofill_empty_list(void **state)
{
    struct response res;

    (void)state;
    res = harness_call(
        server, "GET",
        "/api/v2/users/me/autofill-parameters?template_id=" TEMPLATE, alice,
        NULL);
    assert_int_equal(res.status, 200);
    assert_true(json_is_array(res.json));
    assert_int_equal(json_array_size(res.json), 0);
    response_release(&res);

    /* Go's UUID parser also takes the braced and upper-case forms. */
    assert_int_equal(status_of("GET",
                               "/api/v2/users/me/autofill-parameters?"
                               "template_id=%7B7F0A1C5E-3C1D-4B8E-9D57-"
                               "2F4F0C6B8A11%7D",
                               alice, NULL),
                     200);
}

static void autofill_access(void **state)
{
    const char *path =
        "/api/v2/users/alice/autofill-parameters?template_id=" TEMPLATE;

    (void)state;
    assert_int_equal(status_of("GET", path, bob, NULL), 400);
    assert_int_equal(status_of("GET", path, auditor, NULL), 404);
    assert_int_equal(status_of("GET", path, manager, NULL), 200);
    assert_int_equal(status_of("GET", path, owner, NULL), 200);
    assert_int_equal(status_of("GET", path, NULL, NULL), 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_user_has_empty_settings),
        cmocka_unit_test(settings_read_back),
        cmocka_unit_test(bad_bodies_change_nothing),
        cmocka_unit_test(appearance_access),
        cmocka_unit_test(autofill_query_checks),
        cmocka_unit_test(autofill_empty_list),
        cmocka_unit_test(autofill_access),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
