/* SPDX-License-Identifier: MIT */
/* PostgreSQL backend: API keys and the authentication lookup. */
#include "store/postgres_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define KEY_COLUMNS                                                            \
    "k.id, encode(k.hashed_secret, 'hex'), k.user_id, "                        \
    "time_to_micros(k.last_used), time_to_micros(k.expires_at), "              \
    "time_to_micros(k.created_at), time_to_micros(k.updated_at), "             \
    "k.login_type, k.lifetime_seconds, k.ip_address, k.scope, k.token_name"
#define KEY_COLUMN_COUNT 12

static void read_key(const PGresult *res, int row, int first,
                     struct apikey *out)
{
    int c = first;

    memset(out, 0, sizeof(*out));
    store_pg_copy(res, row, c++, out->id, sizeof(out->id));
    if (store_pg_hex(res, row, c++, out->hashed_secret, APIKEY_HASH_LEN) != 0)
        memset(out->hashed_secret, 0, APIKEY_HASH_LEN);
    store_pg_copy(res, row, c++, out->user_id, sizeof(out->user_id));
    out->last_used = store_pg_int(res, row, c++);
    out->expires_at = store_pg_int(res, row, c++);
    out->created_at = store_pg_int(res, row, c++);
    out->updated_at = store_pg_int(res, row, c++);
    if (login_type_parse(store_pg_text(res, row, c++), &out->login_type) != 0)
        out->login_type = LOGIN_TYPE_NONE;
    out->lifetime_seconds = store_pg_int(res, row, c++);
    store_pg_copy(res, row, c++, out->ip_address, sizeof(out->ip_address));
    if (apikey_scope_parse(store_pg_text(res, row, c++), &out->scope) != 0)
        out->scope = APIKEY_SCOPE_APPLICATION_CONNECT;
    out->token_name = store_pg_dup(res, row, c++);
}

/*
 * Lock the key's user against changes until the insert commits. A password
 * change or deletion in flight is waited for, and the row it leaves is
 * checked again, so a hash it replaced no longer matches.
 */
static const char sql_lock_key_user[] =
    "SELECT 1 FROM users WHERE id = $1 AND NOT deleted "
    "AND ($2::text IS NULL OR hashed_password = $2) FOR SHARE";

/* The key, stored only while the presented key ($13, NULL when unchecked)
 * exists. This statement's snapshot is taken after the lock above, so it
 * includes the deletions of a change that committed meanwhile. */
static const char sql_insert_key[] =
    "INSERT INTO api_keys (id, hashed_secret, user_id, last_used, expires_at, "
    "created_at, updated_at, login_type, lifetime_seconds, ip_address, scope, "
    "token_name) SELECT $1::text, decode($2, 'hex'), $3::uuid, "
    "micros_to_time($4), micros_to_time($5), micros_to_time($6), "
    "micros_to_time($7), $8::text, $9::bigint, $10::text, $11::text, "
    "$12::text WHERE $13::text IS NULL "
    "OR EXISTS (SELECT 1 FROM api_keys WHERE id = $13)";

static void add_optional(struct store_pg_params *p, const char *text)
{
    if (text == NULL)
        store_pg_add_null(p);
    else
        store_pg_add_text(p, text);
}

static enum store_result lock_key_user(struct store_pg_conn *conn,
                                       const struct apikey *key,
                                       const struct store_key_guard *guard)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, key->user_id);
    add_optional(&p, guard->password_hash);
    result = store_pg_change(conn, sql_lock_key_user, &p, "lock key's user");
    store_pg_params_release(&p);
    return result;
}

static enum store_result insert_key_row(struct store_pg_conn *conn,
                                        const struct apikey *key,
                                        const struct store_key_guard *guard)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_text(&p, key->id);
    store_pg_add_hex(&p, key->hashed_secret, APIKEY_HASH_LEN);
    store_pg_add_uuid(&p, key->user_id);
    store_pg_add_int(&p, key->last_used);
    store_pg_add_int(&p, key->expires_at);
    store_pg_add_int(&p, key->created_at);
    store_pg_add_int(&p, key->updated_at);
    store_pg_add_text(&p, login_type_name(key->login_type));
    store_pg_add_int(&p, key->lifetime_seconds);
    store_pg_add_text(&p, key->ip_address);
    store_pg_add_text(&p, apikey_scope_name(key->scope));
    store_pg_add_text(&p, key->token_name);
    add_optional(&p, guard->presented_key_id);
    result = store_pg_change(conn, sql_insert_key, &p, "insert API key");
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_apikey_insert(struct store *store,
                                         const struct apikey *key,
                                         const struct store_key_guard *guard)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_begin(conn);
    if (result == STORE_OK)
        result = lock_key_user(conn, key, guard);
    if (result == STORE_OK)
        result = insert_key_row(conn, key, guard);
    return store_pg_end(conn, result);
}

/* Run a one-row key query and read the row into out. */
static enum store_result get_key(struct store *store, const char *sql,
                                 const struct store_pg_params *p,
                                 struct apikey *out)
{
    PGresult *res = NULL;
    enum store_result result =
        store_pg_query(store, sql, p, &res, "read API key");

    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK)
        read_key(res, 0, 0, out);
    PQclear(res);
    return result;
}

static const char sql_key_by_id[] =
    "SELECT " KEY_COLUMNS " FROM api_keys k WHERE k.id = $1";
static const char sql_token_by_name[] =
    "SELECT " KEY_COLUMNS " FROM api_keys k WHERE k.user_id = $1 "
    "AND k.token_name = $2 AND k.login_type = 'token'";

enum store_result store_pg_apikey_get(struct store *store, const char *id,
                                      struct apikey *out)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_key(&p, id);
    result = get_key(store, sql_key_by_id, &p, out);
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_apikey_get_token_by_name(struct store *store,
                                                    const char *user_id,
                                                    const char *name,
                                                    struct apikey *out)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    store_pg_add_key(&p, name);
    result = get_key(store, sql_token_by_name, &p, out);
    store_pg_params_release(&p);
    return result;
}

static const char sql_tokens_of_user[] =
    "SELECT " KEY_COLUMNS ", coalesce(u.username, '') FROM api_keys k "
    "LEFT JOIN users u ON u.id = k.user_id "
    "WHERE k.login_type = 'token' AND k.user_id = $1 "
    "ORDER BY k.created_at, k.id";
static const char sql_tokens_of_all[] =
    "SELECT " KEY_COLUMNS ", coalesce(u.username, '') FROM api_keys k "
    "LEFT JOIN users u ON u.id = k.user_id "
    "WHERE k.login_type = 'token' ORDER BY k.created_at, k.id";

enum store_result store_pg_apikey_list_tokens(struct store *store,
                                              const char *user_id,
                                              struct store_apikey_row **out,
                                              size_t *count)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    struct store_apikey_row *rows = NULL;
    enum store_result result;
    int n;

    store_pg_params_init(&p);
    if (user_id != NULL)
        store_pg_add_uuid(&p, user_id);
    result =
        store_pg_query(store, user_id ? sql_tokens_of_user : sql_tokens_of_all,
                       &p, &res, "list tokens");
    store_pg_params_release(&p);
    if (result != STORE_OK)
        return result;
    n = PQntuples(res);
    if (n > 0)
        rows = xcalloc((size_t)n, sizeof(*rows));
    for (int i = 0; i < n; i++) {
        read_key(res, i, 0, &rows[i].key);
        rows[i].username = store_pg_dup(res, i, KEY_COLUMN_COUNT);
    }
    PQclear(res);
    *out = rows;
    *count = (size_t)n;
    return STORE_OK;
}

static const char sql_delete_key[] = "DELETE FROM api_keys WHERE id = $1";
static const char sql_delete_app_keys[] =
    "DELETE FROM api_keys WHERE user_id = $1 "
    "AND scope = 'application_connect'";

enum store_result store_pg_apikey_delete(struct store *store, const char *id)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_key(&p, id);
    result = store_pg_query_change(store, sql_delete_key, &p, "delete API key");
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_apikey_delete_app_connect(struct store *store,
                                                     const char *user_id)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    result =
        store_pg_query(store, sql_delete_app_keys, &p, NULL, "delete app keys");
    store_pg_params_release(&p);
    return result;
}

static const char sql_touch_key[] =
    "UPDATE api_keys SET last_used = micros_to_time($2), "
    "expires_at = micros_to_time($3), ip_address = $4, "
    "updated_at = micros_to_time($2) WHERE id = $1";

enum store_result store_pg_apikey_touch(struct store *store, const char *id,
                                        int64_t last_used, int64_t expires_at,
                                        const char *ip_address)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_text(&p, id);
    store_pg_add_int(&p, last_used);
    store_pg_add_int(&p, expires_at);
    store_pg_add_text(&p, ip_address);
    result =
        store_pg_query(store, sql_touch_key, &p, NULL, "update API key use");
    store_pg_params_release(&p);
    return result;
}

/* The key, its user and the user's link, by the key's primary key. */
static const char sql_auth_lookup[] =
    "SELECT " KEY_COLUMNS ", " STORE_PG_USER_COLUMNS ", "
    "EXISTS (SELECT 1 FROM user_links l WHERE l.user_id = u.id "
    "AND l.login_type = k.login_type) "
    "FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1";

enum store_result store_pg_auth_lookup(struct store *store, const char *key_id,
                                       struct store_auth *out)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_key(&p, key_id);
    result =
        store_pg_query(store, sql_auth_lookup, &p, &res, "look up API key");
    store_pg_params_release(&p);
    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK) {
        read_key(res, 0, 0, &out->key);
        store_pg_read_user(res, 0, KEY_COLUMN_COUNT, &out->user);
        out->link_present = store_pg_bool(
            res, 0, KEY_COLUMN_COUNT + STORE_PG_USER_COLUMN_COUNT);
    }
    PQclear(res);
    return result;
}
