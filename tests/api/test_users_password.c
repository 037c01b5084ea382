/* SPDX-License-Identifier: MIT */
/*
 * PUT /users/{user}/password: the checks on old and new password, key
 * revocation on success, resets by administrators and who may do what.
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

#define NEW_PASSWORD "Another-Horse-Battery-7"

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

static struct response change(const char *token, const char *user,
                              const char *body)
{
    char path[256];

    snprintf(path, sizeof(path), "/api/v2/users/%s/password", user);
    return harness_call(server, "PUT", path, token, body);
}

static void expect(struct response res, long status, const char *message)
{
    assert_int_equal(res.status, status);
    if (message != NULL)
        assert_string_equal(response_string(&res, "message"), message);
    response_release(&res);
}

static long login_status(const char *email, const char *password)
{
    char body[256];
    struct response res;
    long status;

    snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}",
             email, password);
    res = harness_call(server, "POST", "/api/v2/users/login", NULL, body);
    status = res.status;
    response_release(&res);
    return status;
}

static void own_change_checks(void **state)
{
    char *token = support_member(server, owner, "alice", NULL);
    struct response res;

    (void)state;
    expect(change(token, "me", "{\"password\":\"" NEW_PASSWORD "\"}"), 400,
           "Old password is required.");

    res = change(token, "me",
                 "{\"old_password\":\"Not-The-Password-1\","
                 "\"password\":\"" NEW_PASSWORD "\"}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Old password is incorrect.");
    assert_true(response_has_validation(&res, "old_password"));
    response_release(&res);

    expect(change(token, "me",
                  "{\"old_password\":\"" HARNESS_PASSWORD
                  "\",\"password\":\"" HARNESS_PASSWORD "\"}"),
           400, "New password cannot match old password.");

    res = change(token, "me",
                 "{\"old_password\":\"" HARNESS_PASSWORD
                 "\",\"password\":\"password\"}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"), "Invalid password.");
    assert_true(response_has_validation(&res, "password"));
    response_release(&res);

    res = change(token, "me", "{\"old_password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"), "Validation failed.");
    assert_true(response_has_validation(&res, "password"));
    response_release(&res);

    expect(change(token, "me", "nope"), 400,
           "Request body must be valid JSON.");

    /* None of these changed anything. */
    assert_int_equal(support_me_status(server, token), 200);
    free(token);
}

static void own_change_revokes_keys(void **state)
{
    char *id;
    char *session = support_member(server, owner, "bob", &id);
    char *other = harness_login(server, "bob@example.com", HARNESS_PASSWORD);
    char *token = support_mint_key(server, owner, id, "token");
    char *fresh;
    struct response res;

    (void)state;
    assert_int_equal(support_me_status(server, token), 200);
    res = change(session, "me",
                 "{\"old_password\":\"" HARNESS_PASSWORD
                 "\",\"password\":\"" NEW_PASSWORD "\"}");
    assert_int_equal(res.status, 204);
    assert_string_equal(res.body, "");
    response_release(&res);

    assert_int_equal(support_me_status(server, session), 401);
    assert_int_equal(support_me_status(server, other), 401);
    assert_int_equal(support_me_status(server, token), 401);
    assert_int_equal(login_status("bob@example.com", HARNESS_PASSWORD), 401);
    assert_int_equal(login_status("bob@example.com", NEW_PASSWORD), 201);
    fresh = harness_login(server, "bob@example.com", NEW_PASSWORD);
    assert_non_null(fresh);
    assert_int_equal(support_me_status(server, fresh), 200);
    free(fresh);
    free(token);
    free(other);
    free(session);
    free(id);
}

static void admin_reset_without_old(void **state)
{
    char *id;
    char *session = support_member(server, owner, "carol", &id);
    char *admin_id;
    char *admin = support_member(server, owner, "keeper", &admin_id);
    char *fresh;
    struct response res;

    (void)state;
    expect(change(owner, "carol", "{\"password\":\"" NEW_PASSWORD "\"}"), 204,
           NULL);
    assert_int_equal(support_me_status(server, session), 401);
    fresh = harness_login(server, "carol@example.com", NEW_PASSWORD);
    assert_non_null(fresh);

    /* An old password, when an administrator gives one, must match. */
    res = change(owner, "carol",
                 "{\"old_password\":\"Wrong-Horse-Battery-1\","
                 "\"password\":\"Third-Horse-Battery-3\"}");
    assert_int_equal(res.status, 400);
    assert_true(response_has_validation(&res, "old_password"));
    response_release(&res);

    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");
    expect(change(admin, "carol", "{\"password\":\"Third-Horse-Battery-3\"}"),
           204, NULL);
    assert_int_equal(support_me_status(server, fresh), 401);
    free(fresh);
    fresh = harness_login(server, "carol@example.com", "Third-Horse-Battery-3");
    assert_non_null(fresh);
    free(fresh);
    free(admin);
    free(admin_id);
    free(session);
    free(id);
}

static void readers_may_not_change(void **state)
{
    char *auditor_id;
    char *auditor = support_member(server, owner, "dave", &auditor_id);
    char *tadmin_id;
    char *tadmin = support_member(server, owner, "erin", &tadmin_id);
    char *member = support_member(server, owner, "frank", NULL);
    char *target = support_member(server, owner, "grace", NULL);
    struct response other;
    struct response ghost;

    (void)state;
    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    support_set_roles(server, owner, tadmin_id, "[\"template-admin\"]");
    expect(change(auditor, "grace", "{\"password\":\"" NEW_PASSWORD "\"}"), 404,
           "Resource not found or you do not have access to this "
           "resource");
    expect(change(tadmin, "grace", "{\"password\":\"" NEW_PASSWORD "\"}"), 404,
           NULL);

    /* A member gets the answer of a user that does not exist. */
    other = change(member, "grace", "{\"password\":\"" NEW_PASSWORD "\"}");
    ghost = change(member, "ghost", "{\"password\":\"" NEW_PASSWORD "\"}");
    assert_int_equal(other.status, 400);
    assert_int_equal(ghost.status, 400);
    assert_string_equal(response_string(&other, "message"),
                        response_string(&ghost, "message"));
    assert_string_equal(response_string(&other, "detail"),
                        "queried user=\"grace\"");
    response_release(&other);
    response_release(&ghost);

    expect(change(NULL, "grace", "{\"password\":\"" NEW_PASSWORD "\"}"), 401,
           NULL);
    assert_int_equal(support_me_status(server, target), 200);
    free(auditor);
    free(auditor_id);
    free(tadmin);
    free(tadmin_id);
    free(member);
    free(target);
}

static void only_password_accounts(void **state)
{
    struct response res;
    char *id;
    char *token;

    (void)state;
    res = harness_call(server, "POST", "/api/v2/users", owner,
                       "{\"username\":\"octo\",\"email\":\"octo@example.com\","
                       "\"login_type\":\"github\",\"organization_ids\":"
                       "[\"00000000-0000-0000-0000-000000000000\"]}");
    assert_int_equal(res.status, 201);
    id = strdup(response_string(&res, "id"));
    response_release(&res);

    expect(change(owner, "octo", "{\"password\":\"" NEW_PASSWORD "\"}"), 400,
           "Users without password login type cannot change their password.");
    token = support_mint_key(server, owner, id, "password");
    expect(change(token, "me",
                  "{\"old_password\":\"x\",\"password\":\"" NEW_PASSWORD "\"}"),
           400,
           "Users without password login type cannot change their password.");
    free(token);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_change_checks),
        cmocka_unit_test(own_change_revokes_keys),
        cmocka_unit_test(admin_reset_without_old),
        cmocka_unit_test(readers_may_not_change),
        cmocka_unit_test(only_password_accounts),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
