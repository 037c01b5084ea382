/* SPDX-License-Identifier: MIT */
/*
 * The store contract for users, driven through store.h against the
 * database of a running server, so that both backends are held to the
 * same answers and the server sees every change at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "store/store.h"
#include "util/timestamp.h"
#include "util/uuid.h"

static struct harness *server;
static struct store *store;
static char org_id[UUID_STR_LEN + 1];

/* A time with every microsecond digit in use. */
#define T0 1700000000123456LL

static int open_store(void **state)
{
    struct store_config config = {0};
    struct organization org = {0};
    char err[512];

    (void)state;
    server = harness_start(NULL);
    config.postgres_url = harness_postgres_url(server);
    config.sqlite_path = harness_sqlite_path(server);
    config.max_connections = 4;
    store = store_open(&config, err, sizeof(err));
    if (store == NULL)
        fail_msg("store_open: %s", err);
    assert_int_equal(store_org_get_default(store, &org), STORE_OK);
    snprintf(org_id, sizeof(org_id), "%s", org.id);
    organization_release(&org);
    return 0;
}

static int close_store(void **state)
{
    (void)state;
    store_free(store);
    harness_free(server);
    return 0;
}

/* Fill u with a fresh id and the given names; the caller releases it. */
static void draft_user(struct user *u, const char *username, const char *email)
{
    memset(u, 0, sizeof(*u));
    assert_int_equal(uuid_generate(u->id), 0);
    u->username = strdup(username);
    u->email = strdup(email);
    u->name = strdup("A Name");
    u->avatar_url = strdup("");
    u->hashed_password = strdup("$pbkdf2-sha256$hash");
    u->hashed_one_time_passcode = strdup("");
    u->created_at = T0;
    u->updated_at = T0;
    u->last_seen_at = TIMESTAMP_ZERO;
    u->status = USER_STATUS_ACTIVE;
    u->login_type = LOGIN_TYPE_PASSWORD;
    strlist_push(&u->organization_ids, org_id);
}

static enum store_result insert(const struct user *u)
{
    struct store_new_user nu = {.user = u};

    return store_user_insert(store, &nu);
}

/* Insert a user and return its id in id. */
static void add_user(const char *username, const char *email,
                     char id[UUID_STR_LEN + 1])
{
    struct user u;

    draft_user(&u, username, email);
    assert_int_equal(insert(&u), STORE_OK);
    snprintf(id, UUID_STR_LEN + 1, "%s", u.id);
    user_release(&u);
}

static void insert_round_trips_every_field(void **state)
{
    struct user u;
    struct user got = {0};
    struct gitsshkey key = {0};
    struct gitsshkey stored = {0};
    struct store_new_user nu = {0};

    (void)state;
    draft_user(&u, "Round-Trip", "Round.Trip@Example.com");
    strlist_push(&u.roles, "owner");
    strlist_push(&u.roles, "quote\"and\\slash");
    u.github_com_user_id = 4242;
    u.status = USER_STATUS_DORMANT;
    u.updated_at = T0 + 1;
    snprintf(key.user_id, sizeof(key.user_id), "%s", u.id);
    key.created_at = T0;
    key.updated_at = T0;
    key.private_key = "private";
    key.public_key = "ssh-ed25519 AAAA\n";
    nu.user = &u;
    nu.gitsshkey = &key;
    assert_int_equal(store_user_insert(store, &nu), STORE_OK);

    assert_int_equal(store_user_get_by_id(store, u.id, &got), STORE_OK);
    assert_string_equal(got.id, u.id);
    assert_string_equal(got.username, "Round-Trip");
    assert_string_equal(got.email, "Round.Trip@Example.com");
    assert_string_equal(got.name, "A Name");
    assert_string_equal(got.hashed_password, "$pbkdf2-sha256$hash");
    assert_true(got.created_at == T0);
    assert_true(got.updated_at == T0 + 1);
    assert_true(got.last_seen_at == TIMESTAMP_ZERO);
    assert_int_equal(got.status, USER_STATUS_DORMANT);
    assert_int_equal(got.login_type, LOGIN_TYPE_PASSWORD);
    assert_int_equal(got.roles.len, 2);
    assert_string_equal(got.roles.items[0], "owner");
    assert_string_equal(got.roles.items[1], "quote\"and\\slash");
    assert_int_equal(got.organization_ids.len, 1);
    assert_string_equal(got.organization_ids.items[0], org_id);
    assert_false(got.deleted);
    assert_true(got.github_com_user_id == 4242);
    user_release(&got);

    assert_int_equal(store_user_get_by_username(store, "round-TRIP", &got),
                     STORE_OK);
    assert_string_equal(got.id, u.id);
    user_release(&got);
    assert_int_equal(
        store_user_get_by_email(store, "round.trip@example.COM", &got),
        STORE_OK);
    assert_string_equal(got.id, u.id);
    user_release(&got);

    assert_int_equal(store_gitsshkey_get(store, u.id, &stored), STORE_OK);
    assert_string_equal(stored.public_key, "ssh-ed25519 AAAA\n");
    assert_string_equal(stored.private_key, "private");
    assert_true(stored.created_at == T0);
    gitsshkey_release(&stored);
    user_release(&u);
}

static void lookups_of_missing_users(void **state)
{
    char id[UUID_STR_LEN + 1];
    struct user got = {0};

    (void)state;
    assert_int_equal(uuid_generate(id), 0);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_NOT_FOUND);
    assert_int_equal(store_user_get_by_id(store, "not-a-uuid", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_get_by_username(store, "nobody", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_get_by_email(store, "nobody@example.com", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(
        store_user_update_status(store, id, USER_STATUS_SUSPENDED, T0),
        STORE_NOT_FOUND);
    assert_int_equal(store_user_update_profile(store, id, "x", "", T0),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_update_password(store, id, "h", NULL, T0),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_delete(store, id, T0), STORE_NOT_FOUND);
    assert_int_equal(store_user_delete(store, "not-a-uuid", T0),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_activate_if_dormant(store, id, T0),
                     STORE_NOT_FOUND);
    /* Bytes that are not UTF-8 name nothing, and are no failure. */
    assert_int_equal(store_user_get_by_username(store, "bad\xff\xfe", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_get_by_email(store, "\xc3@example.com", &got),
                     STORE_NOT_FOUND);
}

static void duplicates_conflict_ignoring_case(void **state)
{
    char id[UUID_STR_LEN + 1];
    struct user u;
    struct user got = {0};
    struct store_new_user nu = {0};

    (void)state;
    add_user("dup-name", "dup@example.com", id);

    draft_user(&u, "DUP-NAME", "other@example.com");
    assert_int_equal(insert(&u), STORE_CONFLICT);
    user_release(&u);
    draft_user(&u, "other-name", "DUP@EXAMPLE.COM");
    assert_int_equal(insert(&u), STORE_CONFLICT);
    user_release(&u);

    draft_user(&u, "first-only", "first-only@example.com");
    nu.user = &u;
    nu.only_if_first = true;
    assert_int_equal(store_user_insert(store, &nu), STORE_CONFLICT);
    assert_int_equal(store_user_get_by_username(store, "first-only", &got),
                     STORE_NOT_FOUND);
    user_release(&u);

    /* A missing organization undoes the user row too. */
    draft_user(&u, "orphan", "orphan@example.com");
    strlist_release(&u.organization_ids);
    strlist_push(&u.organization_ids, org_id);
    strlist_push(&u.organization_ids, "11111111-2222-4333-8444-555555555555");
    assert_int_equal(insert(&u), STORE_NOT_FOUND);
    assert_int_equal(store_user_get_by_username(store, "orphan", &got),
                     STORE_NOT_FOUND);
    user_release(&u);

    assert_int_equal(store_user_update_profile(store, id, "Round-trip", "", T0),
                     STORE_CONFLICT);
    assert_int_equal(
        store_user_update_profile(store, id, "DUP-name", "Renamed", T0 + 5),
        STORE_OK);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_string_equal(got.username, "DUP-name");
    assert_string_equal(got.name, "Renamed");
    assert_true(got.updated_at == T0 + 5);
    user_release(&got);
}

static void delete_frees_the_names(void **state)
{
    char id[UUID_STR_LEN + 1];
    char again[UUID_STR_LEN + 1];
    struct user got = {0};
    int64_t before = 0;
    int64_t after = 0;

    (void)state;
    add_user("short-lived", "short@example.com", id);
    assert_int_equal(store_user_count(store, &before), STORE_OK);
    assert_int_equal(store_user_delete(store, id, T0 + 9), STORE_OK);
    assert_int_equal(store_user_count(store, &after), STORE_OK);
    assert_true(after == before - 1);
    assert_int_equal(store_user_delete(store, id, T0 + 9), STORE_NOT_FOUND);

    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_true(got.deleted);
    user_release(&got);
    assert_int_equal(store_user_get_by_username(store, "short-lived", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_user_update_profile(store, id, "zombie", "", T0),
                     STORE_NOT_FOUND);

    add_user("SHORT-LIVED", "SHORT@example.com", again);
    assert_int_equal(store_user_get_by_username(store, "short-lived", &got),
                     STORE_OK);
    assert_string_equal(got.id, again);
    user_release(&got);
}

static void status_roles_and_passcodes(void **state)
{
    char id[UUID_STR_LEN + 1];
    struct user got = {0};
    struct strlist roles = {0};

    (void)state;
    add_user("changing", "changing@example.com", id);
    assert_int_equal(
        store_user_update_status(store, id, USER_STATUS_DORMANT, T0 + 1),
        STORE_OK);
    assert_int_equal(store_user_activate_if_dormant(store, id, T0 + 2),
                     STORE_OK);
    assert_int_equal(store_user_activate_if_dormant(store, id, T0 + 3),
                     STORE_OK);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_int_equal(got.status, USER_STATUS_ACTIVE);
    assert_true(got.updated_at == T0 + 2);
    user_release(&got);

    strlist_push(&roles, "user-admin");
    strlist_push(&roles, "auditor");
    assert_int_equal(store_user_update_roles(store, id, &roles, T0 + 4),
                     STORE_OK);
    strlist_release(&roles);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_int_equal(got.roles.len, 2);
    assert_true(strlist_contains(&got.roles, "auditor"));
    user_release(&got);
    assert_int_equal(store_user_update_roles(store, id, &roles, T0 + 5),
                     STORE_OK);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_int_equal(got.roles.len, 0);
    user_release(&got);

    assert_int_equal(
        store_user_set_one_time_passcode(store, id, "otp-hash", T0 + 60),
        STORE_OK);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_string_equal(got.hashed_one_time_passcode, "otp-hash");
    assert_true(got.one_time_passcode_expires_at == T0 + 60);
    user_release(&got);

    assert_int_equal(store_user_touch(store, id, T0 + 7), STORE_OK);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_true(got.last_seen_at == T0 + 7);
    user_release(&got);
}

/* Store a key of login type and name for user_id; the id comes back. */
static void add_key(const char *user_id, enum login_type type, const char *name,
                    char id[APIKEY_ID_LEN + 1])
{
    struct apikey key = {0};
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];

    assert_int_equal(apikey_generate(key.id, secret, token), 0);
    assert_int_equal(apikey_hash_secret(secret, key.hashed_secret), 0);
    snprintf(key.user_id, sizeof(key.user_id), "%s", user_id);
    key.created_at = key.updated_at = key.last_used = T0;
    key.expires_at = T0 + 3600 * TIMESTAMP_US_PER_SECOND;
    key.lifetime_seconds = 3600;
    key.login_type = type;
    key.scope = APIKEY_SCOPE_ALL;
    key.token_name = (char *)name;
    assert_int_equal(store_apikey_insert(store, &key, NULL), STORE_OK);
    snprintf(id, APIKEY_ID_LEN + 1, "%s", key.id);
}

static void password_change_revokes_keys(void **state)
{
    char id[UUID_STR_LEN + 1];
    char session[APIKEY_ID_LEN + 1];
    char token[APIKEY_ID_LEN + 1];
    struct apikey key = {0};
    struct user got = {0};

    (void)state;
    add_user("rotating", "rotating@example.com", id);
    add_key(id, LOGIN_TYPE_PASSWORD, "", session);
    add_key(id, LOGIN_TYPE_TOKEN, "ci", token);
    assert_int_equal(
        store_user_set_one_time_passcode(store, id, "otp", T0 + 60), STORE_OK);
    /* A passcode that is not the stored one changes nothing. */
    assert_int_equal(store_user_update_password(store, id, "other-hash",
                                                "not-the-otp", T0 + 8),
                     STORE_NOT_FOUND);
    assert_int_equal(store_apikey_get(store, session, &key), STORE_OK);
    apikey_release(&key);
    assert_int_equal(
        store_user_update_password(store, id, "new-hash", "otp", T0 + 8),
        STORE_OK);
    /* The code is used up: redeeming it again changes nothing. */
    assert_int_equal(
        store_user_update_password(store, id, "third-hash", "otp", T0 + 9),
        STORE_NOT_FOUND);
    assert_int_equal(store_apikey_get(store, session, &key), STORE_NOT_FOUND);
    assert_int_equal(store_apikey_get(store, token, &key), STORE_NOT_FOUND);
    assert_int_equal(store_user_get_by_id(store, id, &got), STORE_OK);
    assert_string_equal(got.hashed_password, "new-hash");
    assert_string_equal(got.hashed_one_time_passcode, "");
    assert_true(got.updated_at == T0 + 8);
    user_release(&got);

    add_key(id, LOGIN_TYPE_PASSWORD, "", session);
    assert_int_equal(store_user_delete(store, id, T0 + 9), STORE_OK);
    assert_int_equal(store_apikey_get(store, session, &key), STORE_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(insert_round_trips_every_field),
        cmocka_unit_test(lookups_of_missing_users),
        cmocka_unit_test(duplicates_conflict_ignoring_case),
        cmocka_unit_test(delete_frees_the_names),
        cmocka_unit_test(status_roles_and_passcodes),
        cmocka_unit_test(password_change_revokes_keys),
    };

    return cmocka_run_group_tests(tests, open_store, close_store);
}
