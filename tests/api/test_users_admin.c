/* SPDX-License-Identifier: MIT */
/*
 * Managing accounts: deletion and reuse of names, suspension and
 * activation with every kind of credential, dormancy, self-protection and
 * profile changes.
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
static char *owner_id;

static const char not_active[] =
    "User is not active (status = \"suspended\"). Contact an admin to "
    "reactivate your account.";

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    owner_id = support_user_field(server, owner, "me", "id");
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    free(owner_id);
    harness_free(server);
    return 0;
}

static struct response put(const char *token, const char *user,
                           const char *what, const char *body)
{
    char path[512];

    snprintf(path, sizeof(path), "/api/v2/users/%s/%s", user, what);
    return harness_call(server, "PUT", path, token, body);
}

static struct response delete_user(const char *token, const char *user)
{
    char path[512];

    snprintf(path, sizeof(path), "/api/v2/users/%s", user);
    return harness_call(server, "DELETE", path, token, NULL);
}

static void expect_status(struct response res, long status, const char *message)
{
    assert_int_equal(res.status, status);
    if (message != NULL)
        assert_string_equal(response_string(&res, "message"), message);
    response_release(&res);
}

static void expect_unresolved(struct response res, const char *param)
{
    char detail[256];

    snprintf(detail, sizeof(detail), "queried user=\"%s\"", param);
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "\"user\" must be an existing uuid or username.");
    assert_string_equal(response_string(&res, "detail"), detail);
    response_release(&res);
}

static long login_status(const char *email, const char *password, char *message,
                         size_t size)
{
    char body[512];
    struct response res;
    long status;

    snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}",
             email, password);
    res = harness_call(server, "POST", "/api/v2/users/login", NULL, body);
    status = res.status;
    snprintf(message, size, "%s",
             response_string(&res, "message") ? response_string(&res, "message")
                                              : "");
    response_release(&res);
    return status;
}

/* ----- deletion ----------------------------------------------------------- */

static void delete_then_reuse_name(void **state)
{
    char *old_id;
    char *session = support_member(server, owner, "leaver", &old_id);
    char *token = support_mint_key(server, owner, old_id, "token");
    char *new_id;
    char *again;
    char *username;
    char path[256];
    struct response res;

    (void)state;
    assert_int_equal(support_me_status(server, session), 200);
    assert_int_equal(support_me_status(server, token), 200);

    res = delete_user(owner, "leaver");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "message"),
                        "User has been deleted!");
    response_release(&res);

    res = harness_call(server, "GET", "/api/v2/users/me", session, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"), "API key is invalid.");
    response_release(&res);
    assert_int_equal(support_me_status(server, token), 401);

    expect_unresolved(
        harness_call(server, "GET", "/api/v2/users/leaver", owner, NULL),
        "leaver");
    res = harness_call(server, "GET", "/api/v2/users?q=leaver", owner, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(json_integer_value(json_object_get(res.json, "count")), 0);
    response_release(&res);

    new_id = support_create_user(server, owner, "leaver", "leaver@example.com",
                                 NULL);
    assert_string_not_equal(new_id, old_id);
    again = harness_login(server, "leaver@example.com", HARNESS_PASSWORD);
    assert_non_null(again);
    assert_int_equal(support_me_status(server, again), 200);

    /* The deleted account stays readable by id but cannot be changed. */
    username = support_user_field(server, owner, old_id, "username");
    assert_non_null(username);
    assert_string_equal(username, "leaver");
    expect_unresolved(delete_user(owner, old_id), old_id);
    expect_unresolved(put(owner, old_id, "status/activate", NULL), old_id);
    expect_unresolved(put(owner, old_id, "gitsshkey", NULL), old_id);
    expect_unresolved(
        put(owner, old_id, "appearance", "{\"theme_preference\":\"dark\"}"),
        old_id);
    /* Nor does it get new keys. */
    snprintf(path, sizeof(path), "/api/v2/users/%s/keys", old_id);
    expect_unresolved(harness_call(server, "POST", path, owner, NULL), old_id);
    snprintf(path, sizeof(path), "/api/v2/users/%s/keys/tokens", old_id);
    expect_unresolved(harness_call(server, "POST", path, owner, "{}"), old_id);

    free(username);
    free(again);
    free(new_id);
    free(token);
    free(session);
    free(old_id);
}

static void delete_rules(void **state)
{
    char *a_id;
    char *a = support_member(server, owner, "del-a", &a_id);
    char *b = support_member(server, owner, "del-b", NULL);
    char *auditor_id;
    char *auditor = support_member(server, owner, "del-auditor", &auditor_id);
    char *admin_id;
    char *admin = support_member(server, owner, "del-admin", &admin_id);

    (void)state;
    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");

    expect_status(delete_user(owner, "me"), 403, "You cannot delete yourself!");
    expect_status(delete_user(a, "me"), 403, "You cannot delete yourself!");
    /* A member cannot even resolve another member. */
    expect_unresolved(delete_user(a, "del-b"), "del-b");
    expect_unresolved(delete_user(a, "owner"), "owner");
    expect_status(delete_user(auditor, "del-a"), 403, "Forbidden.");
    expect_status(delete_user(NULL, "del-a"), 401, NULL);
    expect_unresolved(delete_user(owner, "nobody-here"), "nobody-here");
    expect_status(delete_user(admin, "del-a"), 200, "User has been deleted!");
    assert_int_equal(support_me_status(server, a), 401);
    assert_int_equal(support_me_status(server, b), 200);

    free(a);
    free(a_id);
    free(b);
    free(auditor);
    free(auditor_id);
    free(admin);
    free(admin_id);
}

/* ----- suspension --------------------------------------------------------- */

static void suspension_stops_every_credential(void **state)
{
    char *id;
    char *session = support_member(server, owner, "sus", &id);
    char *token = support_mint_key(server, owner, id, "token");
    char cookie[256];
    char query[256];
    char message[256];
    struct request req = {0};
    struct response res;

    (void)state;
    snprintf(cookie, sizeof(cookie), "coder_session_token=%s", session);
    snprintf(query, sizeof(query), "/api/v2/users/me?coder_session_token=%s",
             token);
    assert_int_equal(support_me_status(server, session), 200);
    assert_int_equal(support_me_status(server, token), 200);

    res = put(owner, "sus", "status/suspend", NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "status"), "suspended");
    response_release(&res);

    res = harness_call(server, "GET", "/api/v2/users/me", session, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "message"), not_active);
    response_release(&res);
    assert_int_equal(support_me_status(server, token), 401);
    req.method = "GET";
    req.path = "/api/v2/users/me";
    req.cookie = cookie;
    res = harness_send(server, &req);
    assert_int_equal(res.status, 401);
    response_release(&res);
    res = harness_call(server, "GET", query, NULL, NULL);
    assert_int_equal(res.status, 401);
    response_release(&res);

    /* Nothing else works either. */
    expect_status(put(session, "me", "profile", "{\"username\":\"sus2\"}"), 401,
                  not_active);
    expect_status(put(token, "me", "password",
                      "{\"old_password\":\"" HARNESS_PASSWORD
                      "\",\"password\":\"Another-Horse-Battery-7\"}"),
                  401, not_active);
    expect_status(harness_call(server, "GET", "/api/v2/users", token, NULL),
                  401, not_active);
    expect_status(
        harness_call(server, "POST", "/api/v2/users/logout", session, NULL),
        401, not_active);

    assert_int_equal(login_status("sus@example.com", HARNESS_PASSWORD, message,
                                  sizeof(message)),
                     401);
    assert_string_equal(message, "Your account is suspended. Contact an admin "
                                 "to reactivate your account.");
    assert_int_equal(login_status("sus@example.com", "Wrong-Horse-Battery-9",
                                  message, sizeof(message)),
                     401);
    assert_string_equal(message, "Incorrect email or password.");

    res = put(owner, "sus", "status/activate", NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "status"), "active");
    response_release(&res);
    assert_int_equal(support_me_status(server, session), 200);
    assert_int_equal(support_me_status(server, token), 200);

    free(token);
    free(session);
    free(id);
}

static void dormant_until_first_use(void **state)
{
    char *id = support_create_user(server, owner, "sleeper",
                                   "sleeper@example.com", NULL);
    char *token;
    char *status;
    struct response res;

    (void)state;
    status = support_user_field(server, owner, "sleeper", "status");
    assert_string_equal(status, "dormant");
    free(status);

    /* A key minted for the dormant user wakes it on first use. */
    token = support_mint_key(server, owner, id, "token");
    res = harness_call(server, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "status"), "active");
    response_release(&res);
    status = support_user_field(server, owner, "sleeper", "status");
    assert_string_equal(status, "active");
    free(status);
    free(token);
    free(id);

    /* Suspending and activating never returns to dormant. */
    free(support_create_user(server, owner, "napper", "napper@example.com",
                             NULL));
    res = put(owner, "napper", "status/suspend", NULL);
    assert_string_equal(response_string(&res, "status"), "suspended");
    response_release(&res);
    res = put(owner, "napper", "status/activate", NULL);
    assert_string_equal(response_string(&res, "status"), "active");
    response_release(&res);

    free(
        support_create_user(server, owner, "dozer", "dozer@example.com", NULL));
    res = put(owner, "dozer", "status/activate", NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "status"), "active");
    response_release(&res);
}

static void suspension_self_protection(void **state)
{
    char *id;
    char *token = support_member(server, owner, "second-owner", &id);

    (void)state;
    expect_status(put(owner, "me", "status/suspend", NULL), 400,
                  "You cannot suspend yourself.");
    expect_status(put(owner, owner_id, "status/suspend", NULL), 400,
                  "You cannot suspend yourself.");
    support_set_roles(server, owner, id, "[\"owner\"]");
    expect_status(put(owner, "second-owner", "status/suspend", NULL), 400,
                  "You cannot suspend a user with the \"owner\" role. You "
                  "must remove the role first.");
    assert_int_equal(support_me_status(server, token), 200);
    support_set_roles(server, owner, id, "[]");
    expect_status(put(owner, "second-owner", "status/suspend", NULL), 200,
                  NULL);
    free(token);
    free(id);
}

static void status_needs_user_admin(void **state)
{
    char *auditor_id;
    char *auditor = support_member(server, owner, "st-auditor", &auditor_id);
    char *tadmin_id;
    char *tadmin = support_member(server, owner, "st-tadmin", &tadmin_id);
    char *admin_id;
    char *admin = support_member(server, owner, "st-admin", &admin_id);
    char *member = support_member(server, owner, "st-member", NULL);

    (void)state;
    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    support_set_roles(server, owner, tadmin_id, "[\"template-admin\"]");
    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");

    expect_status(put(auditor, "st-member", "status/suspend", NULL), 403,
                  "Forbidden.");
    expect_status(put(tadmin, "st-member", "status/suspend", NULL), 403,
                  "Forbidden.");
    expect_status(put(member, "me", "status/activate", NULL), 403,
                  "Forbidden.");
    expect_unresolved(put(member, "st-admin", "status/suspend", NULL),
                      "st-admin");
    expect_status(put(NULL, "st-member", "status/suspend", NULL), 401, NULL);
    expect_unresolved(put(owner, "ghost", "status/suspend", NULL), "ghost");
    expect_status(put(admin, "st-member", "status/suspend", NULL), 200, NULL);
    expect_status(put(admin, "st-member", "status/activate", NULL), 200, NULL);
    assert_int_equal(support_me_status(server, member), 200);

    free(auditor);
    free(auditor_id);
    free(tadmin);
    free(tadmin_id);
    free(admin);
    free(admin_id);
    free(member);
}

/* ----- profile ------------------------------------------------------------ */

static void profile_update_own(void **state)
{
    char *id;
    char *token = support_member(server, owner, "pat", &id);
    struct response res;
    char *name;

    (void)state;
    res = put(token, "me", "profile",
              "{\"username\":\"Patricia\",\"name\":\"Pat P\"}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "username"), "Patricia");
    assert_string_equal(response_string(&res, "name"), "Pat P");
    assert_string_equal(response_string(&res, "email"), "pat@example.com");
    assert_string_equal(response_string(&res, "id"), id);
    response_release(&res);

    /* The old name is free; the new one resolves and is found. */
    expect_unresolved(
        harness_call(server, "GET", "/api/v2/users/pat", owner, NULL), "pat");
    name = support_user_field(server, owner, "patricia", "id");
    assert_string_equal(name, id);
    free(name);
    res = harness_call(server, "GET", "/api/v2/users?q=patricia", owner, NULL);
    assert_int_equal(json_integer_value(json_object_get(res.json, "count")), 1);
    response_release(&res);

    /* Another case of one's own name is allowed; no name clears it. */
    res = put(token, "me", "profile", "{\"username\":\"patricia\"}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "username"), "patricia");
    assert_null(response_string(&res, "name"));
    response_release(&res);
    free(token);
    free(id);
}

static void profile_conflicts_and_validation(void **state)
{
    char *token = support_member(server, owner, "ren", NULL);
    char *other = support_member(server, owner, "taken", NULL);
    struct response res;

    (void)state;
    res = put(token, "me", "profile", "{\"username\":\"TAKEN\"}");
    assert_int_equal(res.status, 409);
    assert_string_equal(response_string(&res, "message"),
                        "A user with this username already exists.");
    assert_true(response_has_validation(&res, "username"));
    response_release(&res);
    res = put(owner, "ren", "profile", "{\"username\":\"owner\"}");
    assert_int_equal(res.status, 409);
    response_release(&res);

    res = put(token, "me", "profile", "{\"name\":\"No Username\"}");
    assert_int_equal(res.status, 400);
    assert_true(response_has_validation(&res, "username"));
    response_release(&res);
    res = put(token, "me", "profile",
              "{\"username\":\"bad--name\",\"name\":\" padded\"}");
    assert_int_equal(res.status, 400);
    assert_true(response_has_validation(&res, "username"));
    assert_true(response_has_validation(&res, "name"));
    response_release(&res);
    res = put(token, "me", "profile", "[]");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Request body must be valid JSON.");
    response_release(&res);
    free(token);
    free(other);
}

static void profile_of_others(void **state)
{
    char *member = support_member(server, owner, "prof-member", NULL);
    char *auditor_id;
    char *auditor = support_member(server, owner, "prof-auditor", &auditor_id);
    char *admin_id;
    char *admin = support_member(server, owner, "prof-admin", &admin_id);
    struct response res;

    (void)state;
    support_set_roles(server, owner, auditor_id, "[\"auditor\"]");
    support_set_roles(server, owner, admin_id, "[\"user-admin\"]");
    expect_unresolved(
        put(member, "prof-admin", "profile", "{\"username\":\"x1\"}"),
        "prof-admin");
    expect_status(
        put(auditor, "prof-member", "profile", "{\"username\":\"x2\"}"), 403,
        "Forbidden.");
    expect_status(put(NULL, "prof-member", "profile", "{\"username\":\"x3\"}"),
                  401, NULL);
    res = put(admin, "prof-member", "profile",
              "{\"username\":\"prof-renamed\",\"name\":\"Renamed\"}");
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "username"), "prof-renamed");
    response_release(&res);
    res =
        put(owner, "prof-renamed", "profile", "{\"username\":\"prof-member\"}");
    assert_int_equal(res.status, 200);
    response_release(&res);
    free(member);
    free(auditor);
    free(auditor_id);
    free(admin);
    free(admin_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delete_then_reuse_name),
        cmocka_unit_test(delete_rules),
        cmocka_unit_test(suspension_stops_every_credential),
        cmocka_unit_test(dormant_until_first_use),
        cmocka_unit_test(suspension_self_protection),
        cmocka_unit_test(status_needs_user_admin),
        cmocka_unit_test(profile_update_own),
        cmocka_unit_test(profile_conflicts_and_validation),
        cmocka_unit_test(profile_of_others),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
