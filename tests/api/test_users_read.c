/* SPDX-License-Identifier: MIT */
/*
 * Reading one user: lookups by name, id and "me", the login type, and the
 * user's organizations.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"

static struct harness *server;
static char *owner;
static char *member;
static char *member_id;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    member = support_member(server, owner, "Nina", &member_id);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    free(member);
    free(member_id);
    harness_free(server);
    return 0;
}

static struct response get(const char *token, const char *path)
{
    char full[512];

    snprintf(full, sizeof(full), "/api/v2/users/%s", path);
    return harness_call(server, "GET", full, token, NULL);
}

static void expect(struct response res, long status, const char *message)
{
    assert_int_equal(res.status, status);
    if (message != NULL)
        assert_string_equal(response_string(&res, "message"), message);
    response_release(&res);
}

static void lookup_forms(void **state)
{
    /* NULL stands for the member's id. */
    static const char *const names[] = {"nina", "NINA", "Nina", NULL};
    char upper[64];
    char *id;

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *name = names[i] ? names[i] : member_id;

        id = support_user_field(server, owner, name, "id");
        print_message("%s\n", name);
        assert_non_null(id);
        assert_string_equal(id, member_id);
        free(id);
    }
    snprintf(upper, sizeof(upper), "%s", member_id);
    for (char *p = upper; *p != '\0'; p++)
        *p = (char)toupper((unsigned char)*p);
    id = support_user_field(server, owner, upper, "id");
    assert_non_null(id);
    assert_string_equal(id, member_id);
    free(id);
    id = support_user_field(server, member, "me", "username");
    assert_string_equal(id, "Nina");
    free(id);

    expect(get(member, "owner"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(get(owner, "6ba7b810-9dad-11d1-80b4-00c04fd430c8"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(get(NULL, "me"), 401, NULL);
}

static void login_type_only_for_self(void **state)
{
    struct response res;
    char *id;
    char *token;

    (void)state;
    res = get(member, "me/login-type");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "login_type"), "password");
    response_release(&res);
    expect(get(member, "nina/login-type"), 200, NULL);
    expect(get(owner, "nina/login-type"), 403,
           "You are not authorized to view this user's login type.");
    expect(get(member, "owner/login-type"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(get(NULL, "me/login-type"), 401, NULL);

    res = harness_call(server, "POST", "/api/v2/users", owner,
                       "{\"username\":\"octo\",\"email\":\"octo@example.com\","
                       "\"login_type\":\"github\",\"organization_ids\":"
                       "[\"00000000-0000-0000-0000-000000000000\"]}");
    assert_int_equal(res.status, 201);
    id = strdup(response_string(&res, "id"));
    response_release(&res);
    token = support_mint_key(server, owner, id, "password");
    res = get(token, "me/login-type");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "login_type"), "github");
    response_release(&res);
    free(token);
    free(id);
}

static void organizations_of_user(void **state)
{
    struct response res;
    json_t *org;
    char *auditor_id;
    char *auditor = support_member(server, owner, "olaf", &auditor_id);

    (void)state;
    res = get(member, "me/organizations");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(res.json), 1);
    org = json_array_get(res.json, 0);
    assert_true(json_is_true(json_object_get(org, "is_default")));
    assert_string_equal(json_string_value(json_object_get(org, "name")),
                        "coder");
    assert_non_null(json_string_value(json_object_get(org, "id")));
    assert_non_null(json_object_get(org, "display_name"));
    assert_non_null(json_object_get(org, "created_at"));
    response_release(&res);

    res = get(owner, "nina/organizations");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(res.json), 1);
    response_release(&res);

    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    res = get(auditor, "nina/organizations");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(res.json), 1);
    response_release(&res);

    expect(get(member, "owner/organizations"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(get(NULL, "me/organizations"), 401, NULL);
    free(auditor);
    free(auditor_id);
}

static void organization_by_name(void **state)
{
    struct response res;

    (void)state;
    res = get(member, "me/organizations/coder");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "name"), "coder");
    assert_true(json_is_true(json_object_get(res.json, "is_default")));
    response_release(&res);
    expect(get(member, "me/organizations/CODER"), 200, NULL);
    /* The {user} segment is resolved, but membership is not checked. */
    expect(get(owner, "nina/organizations/coder"), 200, NULL);
    expect(get(member, "me/organizations/nowhere"), 404,
           "Resource not found or you do not have access to this resource");
    expect(get(member, "owner/organizations/coder"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(get(NULL, "me/organizations/coder"), 401, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookup_forms),
        cmocka_unit_test(login_type_only_for_self),
        cmocka_unit_test(organizations_of_user),
        cmocka_unit_test(organization_by_name),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
