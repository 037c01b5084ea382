/* SPDX-License-Identifier: MIT */
/*
 * POST /users: defaults, login types, organizations, uniqueness of names
 * and e-mail addresses, validation and who may create accounts.
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

#define DEFAULT_ORG                                                            \
    "\"organization_ids\":[\"00000000-0000-0000-0000-000000000000\"]"

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

static struct response create(const char *token, const char *body)
{
    return harness_call(server, "POST", "/api/v2/users", token, body);
}

/* Return the id of the default organization, as the owner sees it. */
static char *default_org_id(void)
{
    struct response res = harness_call(
        server, "GET", "/api/v2/organizations/default", owner, NULL);
    char *id;

    assert_int_equal(res.status, 200);
    id = strdup(response_string(&res, "id"));
    response_release(&res);
    return id;
}

static void create_defaults_to_dormant(void **state)
{
    struct response res;
    char *org = default_org_id();
    json_t *orgs;
    char *token;

    (void)state;
    res = create(owner, "{\"username\":\"dora\",\"email\":\"dora@example.com\","
                        "\"name\":\"Dora D\",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "status"), "dormant");
    assert_string_equal(response_string(&res, "username"), "dora");
    assert_string_equal(response_string(&res, "name"), "Dora D");
    assert_string_equal(response_string(&res, "login_type"), "password");
    assert_string_equal(response_string(&res, "last_seen_at"),
                        "0001-01-01T00:00:00Z");
    assert_int_equal(json_array_size(json_object_get(res.json, "roles")), 0);
    orgs = json_object_get(res.json, "organization_ids");
    assert_int_equal(json_array_size(orgs), 1);
    assert_string_equal(json_string_value(json_array_get(orgs, 0)), org);
    response_release(&res);

    res = harness_call(server, "GET", "/api/v2/users?q=status:dormant", owner,
                       NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_integer_value(json_object_get(res.json, "count")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(res.json, "users"), 0), "username")),
        "dora");
    response_release(&res);

    /* The first login makes the account active. */
    token = harness_login(server, "dora@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    res = harness_call(server, "GET", "/api/v2/users/dora", owner, NULL);
    assert_string_equal(response_string(&res, "status"), "active");
    response_release(&res);
    free(token);
    free(org);
}

static void create_with_status_active(void **state)
{
    struct response res;

    (void)state;
    res = create(owner, "{\"username\":\"awake\",\"email\":\"awake@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD "\","
                        "\"user_status\":\"active\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "status"), "active");
    response_release(&res);

    res = create(owner, "{\"username\":\"nullstatus\",\"email\":\"nullstatus@"
                        "example.com\",\"password\":\"" HARNESS_PASSWORD "\","
                        "\"user_status\":null," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "status"), "dormant");
    response_release(&res);

    res = create(owner, "{\"username\":\"frozen\",\"email\":\"frozen@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD "\","
                        "\"user_status\":\"suspended\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "status"), "suspended");
    response_release(&res);
}

static void create_rejects_unknown_status(void **state)
{
    struct response res;

    (void)state;
    res = create(owner, "{\"username\":\"sleepy\",\"email\":\"sleepy@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD "\","
                        "\"user_status\":\"asleep\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"), "Validation failed.");
    assert_true(response_has_validation(&res, "user_status"));
    response_release(&res);
}

static void usernames_unique_ignoring_case(void **state)
{
    struct response res;
    char *upper;
    char *lower;

    (void)state;
    res = create(owner, "{\"username\":\"Quinn\",\"email\":\"quinn1@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "username"), "Quinn");
    response_release(&res);

    res = create(owner, "{\"username\":\"quinn\",\"email\":\"quinn2@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 409);
    assert_string_equal(response_string(&res, "message"),
                        "User already exists.");
    response_release(&res);

    res = create(owner, "{\"username\":\"Quinn\",\"email\":\"quinn3@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 409);
    response_release(&res);

    upper = support_user_field(server, owner, "QUINN", "id");
    lower = support_user_field(server, owner, "quinn", "id");
    assert_non_null(upper);
    assert_non_null(lower);
    assert_string_equal(upper, lower);
    free(upper);
    free(lower);
}

static void emails_unique_ignoring_case(void **state)
{
    struct response res;

    (void)state;
    res = create(owner, "{\"username\":\"mailer\",\"email\":\"Mailer@Example."
                        "com\",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "email"), "Mailer@Example.com");
    response_release(&res);
    res = create(owner, "{\"username\":\"mailer2\",\"email\":\"mailer@example."
                        "COM\",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 409);
    response_release(&res);
}

static void organization_ids_required(void **state)
{
    static const char *const bodies[] = {
        "{\"username\":\"noorg\",\"email\":\"noorg@example.com\","
        "\"password\":\"" HARNESS_PASSWORD "\"}",
        "{\"username\":\"noorg\",\"email\":\"noorg@example.com\","
        "\"password\":\"" HARNESS_PASSWORD "\",\"organization_ids\":[]}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct response res = create(owner, bodies[i]);

        assert_int_equal(res.status, 400);
        assert_string_equal(response_string(&res, "message"),
                            "No organization specified to place the user as "
                            "a member of. It is required to specify at least "
                            "one organization id to place the user in.");
        assert_string_equal(
            response_string(&res, "detail"),
            "required at least 1 value for the array 'organization_ids'");
        assert_true(response_has_validation(&res, "organization_ids"));
        response_release(&res);
    }
}

static void organization_by_real_and_legacy_id(void **state)
{
    char *org = default_org_id();
    char body[512];
    struct response res;

    (void)state;
    snprintf(body, sizeof(body),
             "{\"username\":\"realorg\",\"email\":\"realorg@example.com\","
             "\"password\":\"" HARNESS_PASSWORD "\","
             "\"organization_ids\":[\"%s\","
             "\"00000000-0000-0000-0000-000000000000\"]}",
             org);
    res = create(owner, body);
    assert_int_equal(res.status, 201);
    assert_int_equal(
        json_array_size(json_object_get(res.json, "organization_ids")), 1);
    response_release(&res);

    res = create(owner, "{\"username\":\"legacy\",\"email\":\"legacy@example."
                        "com\",\"password\":\"" HARNESS_PASSWORD "\","
                        "\"organization_id\":"
                        "\"00000000-0000-0000-0000-000000000000\"}");
    assert_int_equal(res.status, 201);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(res.json, "organization_ids"), 0)),
                        org);
    response_release(&res);
    free(org);
}

static void organization_must_exist(void **state)
{
    struct response res;

    (void)state;
    res = create(owner, "{\"username\":\"lost\",\"email\":\"lost@example.com\","
                        "\"password\":\"" HARNESS_PASSWORD "\","
                        "\"organization_ids\":"
                        "[\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"]}");
    assert_int_equal(res.status, 404);
    assert_string_equal(response_string(&res, "message"),
                        "Organization does not exist with the provided id "
                        "\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\".");
    response_release(&res);

    res = create(owner, "{\"username\":\"lost\",\"email\":\"lost@example.com\","
                        "\"password\":\"" HARNESS_PASSWORD "\","
                        "\"organization_ids\":[\"not-a-uuid\"]}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Request body must be valid JSON.");
    assert_string_equal(response_string(&res, "detail"),
                        "invalid UUID length: 10");
    response_release(&res);

    assert_null(support_user_field(server, owner, "lost", "id"));
}

static void login_types(void **state)
{
    struct response res;

    (void)state;
    res = create(owner, "{\"username\":\"octo\",\"email\":\"octo@example.com\","
                        "\"login_type\":\"github\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "login_type"), "github");
    response_release(&res);

    res = create(owner, "{\"username\":\"robot\",\"email\":\"robot@example."
                        "com\",\"login_type\":\"none\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    assert_string_equal(response_string(&res, "login_type"), "none");
    response_release(&res);

    res = create(
        owner, "{\"username\":\"robot2\",\"email\":\"robot2@example."
               "com\",\"login_type\":\"none\",\"password\":\"" HARNESS_PASSWORD
               "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Password cannot be set for non-password (\"none\") "
                        "authentication.");
    response_release(&res);

    res = create(owner, "{\"username\":\"openid\",\"email\":\"openid@example."
                        "com\",\"login_type\":\"oidc\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "You must configure OIDC before creating OIDC users.");
    response_release(&res);

    res = create(owner, "{\"username\":\"tok\",\"email\":\"tok@example.com\","
                        "\"login_type\":\"token\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Unsupported login type \"token\" for manually "
                        "creating new users.");
    response_release(&res);

    res = create(owner, "{\"username\":\"saml\",\"email\":\"saml@example.com\","
                        "\"login_type\":\"saml\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Unsupported login type \"saml\" for manually "
                        "creating new users.");
    response_release(&res);

    /* The github user cannot sign in with a password: it has none. */
    res = harness_call(server, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"octo@example.com\",\"password\":\"\"}");
    assert_int_equal(res.status, 400);
    response_release(&res);
}

static void password_strength(void **state)
{
    static const char *const bodies[] = {
        "{\"username\":\"weak\",\"email\":\"weak@example.com\","
        "\"password\":\"password\"," DEFAULT_ORG "}",
        "{\"username\":\"weak\",\"email\":\"weak@example.com\"," DEFAULT_ORG
        "}",
        "{\"username\":\"weak\",\"email\":\"weak@example.com\","
        "\"login_type\":\"password\",\"password\":\"\"," DEFAULT_ORG "}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct response res = create(owner, bodies[i]);

        print_message("body %zu\n", i);
        assert_int_equal(res.status, 400);
        assert_string_equal(response_string(&res, "message"),
                            "Password not strong enough!");
        assert_true(response_has_validation(&res, "password"));
        response_release(&res);
    }
}

static void body_validation(void **state)
{
    struct response res;

    (void)state;
    res = create(owner, "{\"username\":\"bad_name\",\"email\":\"nope\","
                        "\"name\":\" padded \",\"password\":\"" HARNESS_PASSWORD
                        "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"), "Validation failed.");
    assert_true(response_has_validation(&res, "username"));
    assert_true(response_has_validation(&res, "email"));
    assert_true(response_has_validation(&res, "name"));
    response_release(&res);

    res = create(owner, "{\"username\":\"x\"");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Request body must be valid JSON.");
    response_release(&res);

    res = create(owner, "");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "detail"), "EOF");
    response_release(&res);

    res = create(owner, "{\"username\":7}");
    assert_int_equal(res.status, 400);
    response_release(&res);
}

static void creation_needs_user_admin(void **state)
{
    char *auditor_id;
    char *auditor = support_member(server, owner, "checker", &auditor_id);
    char *tadmin_id;
    char *tadmin = support_member(server, owner, "builder", &tadmin_id);
    char *uadmin_id;
    char *uadmin = support_member(server, owner, "keeper", &uadmin_id);
    char *member = support_member(server, owner, "plain", NULL);
    const char *const denied[] = {auditor, tadmin, member};
    const char *body = "{\"username\":\"made\",\"email\":\"made@example.com\","
                       "\"password\":\"" HARNESS_PASSWORD "\"," DEFAULT_ORG "}";
    struct response res;

    (void)state;
    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    support_set_roles(server, owner, tadmin_id, "[\"template-admin\"]");
    support_set_roles(server, owner, uadmin_id, "[\"user-admin\"]");
    for (size_t i = 0; i < 3; i++) {
        res = create(denied[i], body);
        print_message("caller %zu\n", i);
        assert_int_equal(res.status, 403);
        assert_string_equal(response_string(&res, "message"),
                            "You are not authorized to create users.");
        response_release(&res);
    }
    /* Refused before the lookup, so a taken name does not show. */
    res = create(member,
                 "{\"username\":\"owner\",\"email\":\"x@example.com\","
                 "\"password\":\"" HARNESS_PASSWORD "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 403);
    response_release(&res);

    res = create(uadmin, body);
    assert_int_equal(res.status, 201);
    response_release(&res);

    res = create(NULL, body);
    assert_int_equal(res.status, 401);
    response_release(&res);
    free(auditor);
    free(auditor_id);
    free(tadmin);
    free(tadmin_id);
    free(uadmin);
    free(uadmin_id);
    free(member);
}

static void password_auth_disabled(void **state)
{
    static const char *const args[] = {"--disable-password-auth", NULL};
    struct harness *h = harness_start(args);
    struct response res;
    char *id;
    char *token;

    (void)state;
    res = harness_call(h, "POST", "/api/v2/users/first", NULL,
                       "{\"email\":\"root@example.com\",\"username\":\"root\","
                       "\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 201);
    id = strdup(response_string(&res, "user_id"));
    response_release(&res);
    token = support_store_key(h, id);

    res =
        harness_call(h, "POST", "/api/v2/users", token,
                     "{\"username\":\"pw\",\"email\":\"pw@example.com\","
                     "\"password\":\"" HARNESS_PASSWORD "\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 403);
    assert_string_equal(response_string(&res, "message"),
                        "Password based authentication is disabled! Unable to "
                        "provision new users with password authentication.");
    response_release(&res);

    res = harness_call(h, "POST", "/api/v2/users", token,
                       "{\"username\":\"gh\",\"email\":\"gh@example.com\","
                       "\"login_type\":\"github\"," DEFAULT_ORG "}");
    assert_int_equal(res.status, 201);
    response_release(&res);
    free(token);
    free(id);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_defaults_to_dormant),
        cmocka_unit_test(create_with_status_active),
        cmocka_unit_test(create_rejects_unknown_status),
        cmocka_unit_test(usernames_unique_ignoring_case),
        cmocka_unit_test(emails_unique_ignoring_case),
        cmocka_unit_test(organization_ids_required),
        cmocka_unit_test(organization_by_real_and_legacy_id),
        cmocka_unit_test(organization_must_exist),
        cmocka_unit_test(login_types),
        cmocka_unit_test(password_strength),
        cmocka_unit_test(body_validation),
        cmocka_unit_test(creation_needs_user_admin),
        cmocka_unit_test(password_auth_disabled),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
