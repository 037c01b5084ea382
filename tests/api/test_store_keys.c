/* SPDX-License-Identifier: MIT */
/*
 * The store contract for organizations, API keys, git SSH keys and
 * per-user settings, on both backends.
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

#define T0 1700000000123456LL
#define HOUR (3600 * TIMESTAMP_US_PER_SECOND)

static struct harness *server;
static struct store *store;
static struct organization org;
static char owner_id[UUID_STR_LEN + 1];
static char other_id[UUID_STR_LEN + 1];

static void add_user(const char *username, char id[UUID_STR_LEN + 1])
{
    struct user u = {0};
    struct store_new_user nu = {.user = &u};
    char email[64];

    assert_int_equal(uuid_generate(u.id), 0);
    snprintf(email, sizeof(email), "%s@example.com", username);
    u.username = (char *)username;
    u.email = email;
    u.name = u.avatar_url = u.hashed_password = "";
    u.hashed_one_time_passcode = "";
    u.created_at = u.updated_at = T0;
    u.last_seen_at = TIMESTAMP_ZERO;
    strlist_push(&u.organization_ids, org.id);
    assert_int_equal(store_user_insert(store, &nu), STORE_OK);
    strlist_release(&u.organization_ids);
    snprintf(id, UUID_STR_LEN + 1, "%s", u.id);
}

static int open_store(void **state)
{
    struct store_config config = {0};
    char err[512];

    (void)state;
    server = harness_start(NULL);
    config.postgres_url = harness_postgres_url(server);
    config.sqlite_path = harness_sqlite_path(server);
    config.max_connections = 2;
    store = store_open(&config, err, sizeof(err));
    if (store == NULL)
        fail_msg("store_open: %s", err);
    assert_int_equal(store_org_get_default(store, &org), STORE_OK);
    add_user("key-owner", owner_id);
    add_user("key-other", other_id);
    return 0;
}

static int close_store(void **state)
{
    (void)state;
    organization_release(&org);
    store_free(store);
    harness_free(server);
    return 0;
}

static void default_organization_and_deployment(void **state)
{
    struct organization got = {0};
    struct organization *orgs = NULL;
    size_t count = 0;
    struct strlist ids = {0};
    struct strlist *roles = NULL;
    char first[UUID_STR_LEN + 1];
    char second[UUID_STR_LEN + 1];

    (void)state;
    assert_string_equal(org.name, "coder");
    assert_string_equal(org.display_name, "Coder");
    assert_string_equal(org.description, "Builtin default organization.");
    assert_true(org.is_default);
    assert_int_equal(store_org_get_by_id(store, org.id, &got), STORE_OK);
    assert_string_equal(got.name, "coder");
    assert_true(got.created_at == org.created_at);
    organization_release(&got);
    assert_int_equal(store_org_get_by_name(store, "CODER", &got), STORE_OK);
    assert_string_equal(got.id, org.id);
    organization_release(&got);
    assert_int_equal(store_org_get_by_name(store, "other", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_org_get_by_id(store, UUID_NIL, &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_org_get_by_id(store, "coder", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_org_get_by_name(store,
                                           "co\xff"
                                           "der",
                                           &got),
                     STORE_NOT_FOUND);

    assert_int_equal(store_org_list_for_user(store, owner_id, &orgs, &count),
                     STORE_OK);
    assert_int_equal(count, 1);
    assert_string_equal(orgs[0].id, org.id);
    organization_free_array(orgs, count);
    assert_int_equal(store_org_membership_roles(store, owner_id, &ids, &roles),
                     STORE_OK);
    assert_int_equal(ids.len, 1);
    assert_string_equal(ids.items[0], org.id);
    assert_int_equal(roles[0].len, 0);
    store_free_membership_roles(&ids, roles);

    assert_int_equal(store_deployment_id(store, first), STORE_OK);
    assert_int_equal(store_deployment_id(store, second), STORE_OK);
    assert_true(uuid_valid(first));
    assert_string_equal(first, second);
}

/* Store a key and return it (the caller releases it). */
static void add_key(const char *user_id, enum login_type type,
                    enum apikey_scope scope, const char *name,
                    struct apikey *key)
{
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];

    memset(key, 0, sizeof(*key));
    assert_int_equal(apikey_generate(key->id, secret, token), 0);
    assert_int_equal(apikey_hash_secret(secret, key->hashed_secret), 0);
    snprintf(key->user_id, sizeof(key->user_id), "%s", user_id);
    key->created_at = key->updated_at = key->last_used = T0;
    key->expires_at = T0 + HOUR;
    key->lifetime_seconds = 3600;
    key->login_type = type;
    key->scope = scope;
    key->token_name = strdup(name);
    snprintf(key->ip_address, sizeof(key->ip_address), "127.0.0.1");
    assert_int_equal(store_apikey_insert(store, key, NULL), STORE_OK);
}

/* Try to store a new key for user_id under guard; on STORE_OK the key is
 * deleted again, otherwise it must not have been stored. */
static enum store_result insert_guarded(const char *user_id,
                                        const struct store_key_guard *guard)
{
    struct apikey key = {0};
    struct apikey got = {0};
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];
    enum store_result result;

    assert_int_equal(apikey_generate(key.id, secret, token), 0);
    assert_int_equal(apikey_hash_secret(secret, key.hashed_secret), 0);
    snprintf(key.user_id, sizeof(key.user_id), "%s", user_id);
    key.created_at = key.updated_at = key.last_used = T0;
    key.expires_at = T0 + HOUR;
    key.lifetime_seconds = 3600;
    key.login_type = LOGIN_TYPE_PASSWORD;
    key.scope = APIKEY_SCOPE_ALL;
    key.token_name = "";
    result = store_apikey_insert(store, &key, guard);
    if (result == STORE_OK) {
        assert_int_equal(store_apikey_delete(store, key.id), STORE_OK);
    } else {
        assert_int_equal(store_apikey_get(store, key.id, &got),
                         STORE_NOT_FOUND);
    }
    return result;
}

static void key_insert_checks_its_guard(void **state)
{
    struct store_key_guard guard = {0};
    struct apikey presented;
    char unused_id[APIKEY_ID_LEN + 1];
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];
    char leaver_id[UUID_STR_LEN + 1];

    (void)state;
    assert_int_equal(insert_guarded(owner_id, NULL), STORE_OK);

    /* The password hash the caller verified must still be stored. */
    guard.password_hash = "";
    assert_int_equal(insert_guarded(owner_id, &guard), STORE_OK);
    guard.password_hash = "$pbkdf2-sha256$65535$replaced$hash";
    assert_int_equal(insert_guarded(owner_id, &guard), STORE_NOT_FOUND);

    /* The key that authorized the request must still exist. */
    guard.password_hash = NULL;
    add_key(owner_id, LOGIN_TYPE_PASSWORD, APIKEY_SCOPE_ALL, "", &presented);
    guard.presented_key_id = presented.id;
    assert_int_equal(insert_guarded(other_id, &guard), STORE_OK);
    assert_int_equal(store_apikey_delete(store, presented.id), STORE_OK);
    assert_int_equal(insert_guarded(other_id, &guard), STORE_NOT_FOUND);
    assert_int_equal(apikey_generate(unused_id, secret, token), 0);
    guard.presented_key_id = unused_id;
    assert_int_equal(insert_guarded(other_id, &guard), STORE_NOT_FOUND);
    apikey_release(&presented);

    /* Deleted and unknown users get no keys. */
    add_user("leaver", leaver_id);
    assert_int_equal(store_user_delete(store, leaver_id, T0 + 1), STORE_OK);
    assert_int_equal(insert_guarded(leaver_id, NULL), STORE_NOT_FOUND);
    assert_int_equal(
        insert_guarded("00000000-0000-0000-0000-00000000abcd", NULL),
        STORE_NOT_FOUND);
}

static void keys_round_trip_and_conflict(void **state)
{
    struct apikey key;
    struct apikey dup;
    struct apikey got = {0};
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];

    (void)state;
    add_key(owner_id, LOGIN_TYPE_TOKEN, APIKEY_SCOPE_ALL, "deploy", &key);
    assert_int_equal(store_apikey_get(store, key.id, &got), STORE_OK);
    assert_memory_equal(got.hashed_secret, key.hashed_secret, APIKEY_HASH_LEN);
    assert_string_equal(got.user_id, owner_id);
    assert_true(got.expires_at == T0 + HOUR);
    assert_true(got.last_used == T0);
    assert_int_equal(got.login_type, LOGIN_TYPE_TOKEN);
    assert_int_equal(got.scope, APIKEY_SCOPE_ALL);
    assert_true(got.lifetime_seconds == 3600);
    assert_string_equal(got.ip_address, "127.0.0.1");
    assert_string_equal(got.token_name, "deploy");
    apikey_release(&got);
    assert_int_equal(
        store_apikey_get_token_by_name(store, owner_id, "deploy", &got),
        STORE_OK);
    assert_string_equal(got.id, key.id);
    apikey_release(&got);
    assert_int_equal(
        store_apikey_get_token_by_name(store, other_id, "deploy", &got),
        STORE_NOT_FOUND);

    /* The same name is taken for tokens only, and only per user. */
    dup = key;
    assert_int_equal(apikey_generate(dup.id, secret, token), 0);
    assert_int_equal(store_apikey_insert(store, &dup, NULL), STORE_CONFLICT);
    dup.login_type = LOGIN_TYPE_PASSWORD;
    assert_int_equal(store_apikey_insert(store, &dup, NULL), STORE_OK);
    assert_int_equal(store_apikey_delete(store, dup.id), STORE_OK);
    /* An existing id conflicts too. */
    assert_int_equal(store_apikey_insert(store, &key, NULL), STORE_CONFLICT);

    assert_int_equal(
        store_apikey_touch(store, key.id, T0 + 5, T0 + 2 * HOUR, "::1"),
        STORE_OK);
    assert_int_equal(store_apikey_get(store, key.id, &got), STORE_OK);
    assert_true(got.last_used == T0 + 5);
    assert_true(got.expires_at == T0 + 2 * HOUR);
    assert_string_equal(got.ip_address, "::1");
    apikey_release(&got);

    assert_int_equal(store_apikey_delete(store, key.id), STORE_OK);
    assert_int_equal(store_apikey_delete(store, key.id), STORE_NOT_FOUND);
    assert_int_equal(store_apikey_get(store, key.id, &got), STORE_NOT_FOUND);
    assert_int_equal(store_apikey_get(store, "\xff\xfe", &got),
                     STORE_NOT_FOUND);
    assert_int_equal(store_apikey_delete(store, "\xff\xfe"), STORE_NOT_FOUND);
    assert_int_equal(
        store_apikey_get_token_by_name(store, owner_id, "\xc3", &got),
        STORE_NOT_FOUND);
    apikey_release(&key);
}

static void token_listing_and_app_keys(void **state)
{
    struct apikey mine;
    struct apikey theirs;
    struct apikey session;
    struct apikey app;
    struct apikey got = {0};
    struct store_apikey_row *rows = NULL;
    size_t count = 0;

    (void)state;
    add_key(owner_id, LOGIN_TYPE_TOKEN, APIKEY_SCOPE_ALL, "mine", &mine);
    add_key(other_id, LOGIN_TYPE_TOKEN, APIKEY_SCOPE_ALL, "theirs", &theirs);
    add_key(owner_id, LOGIN_TYPE_PASSWORD, APIKEY_SCOPE_ALL, "", &session);
    add_key(owner_id, LOGIN_TYPE_PASSWORD, APIKEY_SCOPE_APPLICATION_CONNECT, "",
            &app);

    assert_int_equal(store_apikey_list_tokens(store, owner_id, &rows, &count),
                     STORE_OK);
    assert_int_equal(count, 1);
    assert_string_equal(rows[0].key.id, mine.id);
    assert_string_equal(rows[0].username, "key-owner");
    store_free_apikey_rows(rows, count);
    assert_int_equal(store_apikey_list_tokens(store, NULL, &rows, &count),
                     STORE_OK);
    assert_int_equal(count, 2);
    store_free_apikey_rows(rows, count);

    assert_int_equal(store_apikey_delete_app_connect(store, owner_id),
                     STORE_OK);
    assert_int_equal(store_apikey_get(store, app.id, &got), STORE_NOT_FOUND);
    assert_int_equal(store_apikey_get(store, session.id, &got), STORE_OK);
    apikey_release(&got);
    apikey_release(&mine);
    apikey_release(&theirs);
    apikey_release(&session);
    apikey_release(&app);
}

static void auth_lookup_joins_the_user(void **state)
{
    struct apikey key;
    struct store_auth auth = {0};

    (void)state;
    add_key(owner_id, LOGIN_TYPE_PASSWORD, APIKEY_SCOPE_ALL, "", &key);
    assert_int_equal(store_auth_lookup(store, key.id, &auth), STORE_OK);
    assert_string_equal(auth.key.id, key.id);
    assert_memory_equal(auth.key.hashed_secret, key.hashed_secret,
                        APIKEY_HASH_LEN);
    assert_string_equal(auth.user.id, owner_id);
    assert_string_equal(auth.user.username, "key-owner");
    assert_int_equal(auth.user.organization_ids.len, 1);
    assert_false(auth.link_present);
    store_auth_release(&auth);
    assert_int_equal(store_auth_lookup(store, "nosuchkey0", &auth),
                     STORE_NOT_FOUND);
    apikey_release(&key);
}

static void gitsshkey_put_keeps_created_at(void **state)
{
    struct gitsshkey key = {0};
    struct gitsshkey got = {0};

    (void)state;
    assert_int_equal(store_gitsshkey_get(store, other_id, &got),
                     STORE_NOT_FOUND);
    snprintf(key.user_id, sizeof(key.user_id), "%s", other_id);
    key.created_at = key.updated_at = T0;
    key.private_key = "first-private";
    key.public_key = "first-public\n";
    assert_int_equal(store_gitsshkey_put(store, &key, true), STORE_OK);
    key.created_at = key.updated_at = T0 + HOUR;
    key.private_key = "second-private";
    key.public_key = "second-public\n";
    assert_int_equal(store_gitsshkey_put(store, &key, true), STORE_OK);
    assert_int_equal(store_gitsshkey_get(store, other_id, &got), STORE_OK);
    assert_true(got.created_at == T0);
    assert_true(got.updated_at == T0 + HOUR);
    assert_string_equal(got.private_key, "second-private");
    assert_string_equal(got.public_key, "second-public\n");
    gitsshkey_release(&got);

    /* Without replace an existing pair stays as it is. */
    key.private_key = "third-private";
    key.public_key = "third-public\n";
    assert_int_equal(store_gitsshkey_put(store, &key, false), STORE_CONFLICT);
    assert_int_equal(store_gitsshkey_get(store, other_id, &got), STORE_OK);
    assert_string_equal(got.public_key, "second-public\n");
    gitsshkey_release(&got);
}

static void settings_are_stored_per_user(void **state)
{
    static const char *const keys[] = {"theme_preference", "terminal_font"};
    static const char *const first[] = {"dark", "fira-code"};
    static const char *const second[] = {"light"};
    char *value = NULL;

    (void)state;
    assert_int_equal(
        store_user_config_get(store, owner_id, "theme_preference", &value),
        STORE_NOT_FOUND);
    assert_int_equal(store_user_config_set(store, owner_id, keys, first, 2),
                     STORE_OK);
    assert_int_equal(store_user_config_set(store, owner_id, keys, second, 1),
                     STORE_OK);
    assert_int_equal(
        store_user_config_get(store, owner_id, "theme_preference", &value),
        STORE_OK);
    assert_string_equal(value, "light");
    free(value);
    assert_int_equal(
        store_user_config_get(store, owner_id, "terminal_font", &value),
        STORE_OK);
    assert_string_equal(value, "fira-code");
    free(value);
    assert_int_equal(
        store_user_config_get(store, other_id, "terminal_font", &value),
        STORE_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_organization_and_deployment),
        cmocka_unit_test(keys_round_trip_and_conflict),
        cmocka_unit_test(key_insert_checks_its_guard),
        cmocka_unit_test(token_listing_and_app_keys),
        cmocka_unit_test(auth_lookup_joins_the_user),
        cmocka_unit_test(gitsshkey_put_keeps_created_at),
        cmocka_unit_test(settings_are_stored_per_user),
    };

    return cmocka_run_group_tests(tests, open_store, close_store);
}
