/* SPDX-License-Identifier: MIT */
/*
 * Site roles: reading and replacing a user's roles, who may grant which
 * role, and the list of assignable roles.
 */
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
    member = support_member(server, owner, "mia", &member_id);
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

static struct response get_roles(const char *token, const char *user)
{
    char path[256];

    snprintf(path, sizeof(path), "/api/v2/users/%s/roles", user);
    return harness_call(server, "GET", path, token, NULL);
}

static struct response put_roles(const char *token, const char *user,
                                 const char *body)
{
    char path[256];

    snprintf(path, sizeof(path), "/api/v2/users/%s/roles", user);
    return harness_call(server, "PUT", path, token, body);
}

static void expect(struct response res, long status, const char *message)
{
    assert_int_equal(res.status, status);
    if (message != NULL)
        assert_string_equal(response_string(&res, "message"), message);
    response_release(&res);
}

/* Return the site role names in a User response, joined by commas. */
static void role_names(const struct response *res, char *out, size_t size)
{
    json_t *roles = json_object_get(res->json, "roles");
    size_t i;
    json_t *role;

    out[0] = '\0';
    json_array_foreach(roles, i, role)
    {
        size_t len = strlen(out);

        snprintf(out + len, size - len, "%s%s", i ? "," : "",
                 json_string_value(json_object_get(role, "name")));
    }
}

static void read_user_roles(void **state)
{
    struct response res;
    json_t *by_org;
    char *auditor_id;
    char *auditor = support_member(server, owner, "ravi", &auditor_id);
    char *admin_id;
    char *admin = support_member(server, owner, "uma", &admin_id);

    (void)state;
    res = get_roles(owner, "me");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(json_object_get(res.json, "roles")), 1);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(res.json, "roles"), 0)),
                        "owner");
    by_org = json_object_get(res.json, "organization_roles");
    assert_int_equal(json_object_size(by_org), 1);
    response_release(&res);

    res = get_roles(member, "me");
    assert_int_equal(res.status, 200);
    assert_int_equal(json_array_size(json_object_get(res.json, "roles")), 0);
    assert_true(json_is_array(json_object_get(res.json, "roles")));
    by_org = json_object_get(res.json, "organization_roles");
    assert_int_equal(json_object_size(by_org), 1);
    response_release(&res);

    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");
    expect(get_roles(auditor, "mia"), 404,
           "Resource not found or you do not have access to this resource");
    expect(get_roles(admin, "mia"), 200, NULL);
    expect(get_roles(member, "ravi"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(get_roles(NULL, "mia"), 401, NULL);
    free(auditor);
    free(auditor_id);
    free(admin);
    free(admin_id);
}

static void owner_replaces_roles(void **state)
{
    struct response res;
    char names[256];

    (void)state;
    res =
        put_roles(owner, "mia", "{\"roles\":[\"auditor\",\"template-admin\"]}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "username"), "mia");
    role_names(&res, names, sizeof(names));
    assert_string_equal(names, "auditor,template-admin");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(res.json, "roles"), 0),
            "display_name")),
        "Auditor");
    response_release(&res);

    /* The new role counts at once: an auditor lists everyone. */
    res = harness_call(server, "GET", "/api/v2/users", member, NULL);
    assert_true(json_integer_value(json_object_get(res.json, "count")) > 1);
    response_release(&res);

    res = put_roles(owner, "mia",
                    "{\"roles\":[\"member\",\"auditor\",\"auditor\"]}");
    assert_int_equal(res.status, 200);
    role_names(&res, names, sizeof(names));
    assert_string_equal(names, "auditor");
    response_release(&res);

    res = put_roles(owner, "mia", "{\"roles\":[]}");
    assert_int_equal(res.status, 200);
    role_names(&res, names, sizeof(names));
    assert_string_equal(names, "");
    response_release(&res);
    res = harness_call(server, "GET", "/api/v2/users", member, NULL);
    assert_int_equal(json_integer_value(json_object_get(res.json, "count")), 1);
    response_release(&res);

    res = put_roles(owner, "mia", "{}");
    assert_int_equal(res.status, 200);
    response_release(&res);
}

static void own_roles_unchanged(void **state)
{
    struct response res;

    (void)state;
    expect(put_roles(owner, "me", "{\"roles\":[]}"), 400,
           "You cannot change your own roles.");
    expect(put_roles(owner, "owner", "{\"roles\":[\"auditor\"]}"), 400,
           "You cannot change your own roles.");
    expect(put_roles(member, "me", "{\"roles\":[\"owner\"]}"), 400,
           "You cannot change your own roles.");
    res = get_roles(owner, "me");
    assert_int_equal(json_array_size(json_object_get(res.json, "roles")), 1);
    response_release(&res);
    res = get_roles(member, "me");
    assert_int_equal(json_array_size(json_object_get(res.json, "roles")), 0);
    response_release(&res);
}

static void unknown_roles_rejected(void **state)
{
    (void)state;
    expect(put_roles(owner, "mia", "{\"roles\":[\"bogus\"]}"), 400,
           "\"bogus\" is not a supported role");
    expect(put_roles(owner, "mia", "{\"roles\":[\"organization-admin\"]}"), 400,
           "\"organization-admin\" is not a supported role");
    expect(put_roles(owner, "mia", "{\"roles\":\"auditor\"}"), 400,
           "Request body must be valid JSON.");
    expect(put_roles(owner, "mia", "{\"roles\":[1]}"), 400,
           "Request body must be valid JSON.");
    expect(put_roles(owner, "mia", "not json"), 400,
           "Request body must be valid JSON.");
}

static void limited_assigners(void **state)
{
    char *admin_id;
    char *admin = support_member(server, owner, "ulla", &admin_id);
    char *tadmin_id;
    char *tadmin = support_member(server, owner, "tess", &tadmin_id);
    char *auditor_id;
    char *auditor = support_member(server, owner, "alf", &auditor_id);
    char *target_id;
    char *target = support_member(server, owner, "tom", &target_id);

    (void)state;
    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");
    support_set_roles(server, owner, tadmin_id, "[\"template-admin\"]");
    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");

    /* A user admin may grant only "member". */
    expect(put_roles(admin, "tom", "{\"roles\":[]}"), 200, NULL);
    expect(put_roles(admin, "tom", "{\"roles\":[\"member\"]}"), 200, NULL);
    expect(put_roles(admin, "tom", "{\"roles\":[\"auditor\"]}"), 403,
           "Forbidden.");
    support_set_roles(server, owner, target_id, "[\"auditor\"]");
    expect(put_roles(admin, "tom", "{\"roles\":[]}"), 403, "Forbidden.");
    expect(put_roles(admin, "tom", "{\"roles\":[\"auditor\"]}"), 200, NULL);

    expect(put_roles(tadmin, "tom", "{\"roles\":[]}"), 403, "Forbidden.");
    expect(put_roles(auditor, "tom", "{\"roles\":[]}"), 403, "Forbidden.");
    /* Unknown names are reported before the missing right. */
    expect(put_roles(auditor, "tom", "{\"roles\":[\"bogus\"]}"), 400,
           "\"bogus\" is not a supported role");
    expect(put_roles(member, "ulla", "{\"roles\":[]}"), 400,
           "\"user\" must be an existing uuid or username.");
    expect(put_roles(NULL, "tom", "{\"roles\":[]}"), 401, NULL);

    free(admin);
    free(admin_id);
    free(tadmin);
    free(tadmin_id);
    free(auditor);
    free(auditor_id);
    free(target);
    free(target_id);
}

static void assignable_roles_per_caller(void **state)
{
    static const char *const names[] = {"auditor", "owner", "template-admin",
                                        "user-admin"};
    static const char *const display[] = {"Auditor", "Owner", "Template Admin",
                                          "User Admin"};
    char *admin_id;
    char *admin = support_member(server, owner, "ursula", &admin_id);
    const char *const callers[] = {owner, admin, member};
    const bool assignable[] = {true, false, false};

    (void)state;
    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");
    for (size_t c = 0; c < 3; c++) {
        struct response res = harness_call(server, "GET", "/api/v2/users/roles",
                                           callers[c], NULL);

        print_message("caller %zu\n", c);
        assert_int_equal(res.status, 200);
        assert_int_equal(json_array_size(res.json), 4);
        for (size_t i = 0; i < 4; i++) {
            json_t *role = json_array_get(res.json, i);

            assert_string_equal(
                json_string_value(json_object_get(role, "name")), names[i]);
            assert_string_equal(
                json_string_value(json_object_get(role, "display_name")),
                display[i]);
            assert_int_equal(json_is_true(json_object_get(role, "assignable")),
                             assignable[c]);
            assert_true(json_is_true(json_object_get(role, "built_in")));
            assert_true(
                json_is_array(json_object_get(role, "site_permissions")));
        }
        response_release(&res);
    }
    expect(harness_call(server, "GET", "/api/v2/users/roles", NULL, NULL), 401,
           NULL);
    free(admin);
    free(admin_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_user_roles),
        cmocka_unit_test(owner_replaces_roles),
        cmocka_unit_test(own_roles_unchanged),
        cmocka_unit_test(unknown_roles_rejected),
        cmocka_unit_test(limited_assigners),
        cmocka_unit_test(assignable_roles_per_caller),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
