/* SPDX-License-Identifier: MIT */
/* SQLite backend: API keys and the authentication lookup. */
#include "store/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define KEY_COLUMNS                                                            \
    "k.id, k.hashed_secret, k.user_id, k.last_used, k.expires_at, "            \
    "k.created_at, k.updated_at, k.login_type, k.lifetime_seconds, "           \
    "k.ip_address, k.scope, k.token_name"
#define KEY_COLUMN_COUNT 12

static void read_key(sqlite3_stmt *stmt, int first, struct apikey *out)
{
    int c = first;
    const void *hash;

    memset(out, 0, sizeof(*out));
    store_sqlite_column_copy(stmt, c++, out->id, sizeof(out->id));
    hash = sqlite3_column_blob(stmt, c);
    if (hash != NULL && sqlite3_column_bytes(stmt, c) == APIKEY_HASH_LEN)
        memcpy(out->hashed_secret, hash, APIKEY_HASH_LEN);
    c++;
    store_sqlite_column_copy(stmt, c++, out->user_id, sizeof(out->user_id));
    out->last_used = sqlite3_column_int64(stmt, c++);
    out->expires_at = sqlite3_column_int64(stmt, c++);
    out->created_at = sqlite3_column_int64(stmt, c++);
    out->updated_at = sqlite3_column_int64(stmt, c++);
    if (login_type_parse((const char *)sqlite3_column_text(stmt, c++),
                         &out->login_type) != 0)
        out->login_type = LOGIN_TYPE_NONE;
    out->lifetime_seconds = sqlite3_column_int64(stmt, c++);
    store_sqlite_column_copy(stmt, c++, out->ip_address,
                             sizeof(out->ip_address));
    if (apikey_scope_parse((const char *)sqlite3_column_text(stmt, c++),
                           &out->scope) != 0)
        out->scope = APIKEY_SCOPE_APPLICATION_CONNECT;
    out->token_name = store_sqlite_column_dup(stmt, c++);
}

/* The key, stored only while its user exists undeleted and the guard's
 * conditions (?13 and ?14, NULL when unchecked) hold. */
static const char sql_insert_key[] =
    "INSERT INTO api_keys (id, hashed_secret, user_id, last_used, expires_at, "
    "created_at, updated_at, login_type, lifetime_seconds, ip_address, scope, "
    "token_name) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 "
    "WHERE EXISTS (SELECT 1 FROM users WHERE id = ?3 AND deleted = 0 "
    "AND (?13 IS NULL OR hashed_password = ?13)) "
    "AND (?14 IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE id = ?14))";

static void bind_optional(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text == NULL)
        sqlite3_bind_null(stmt, index);
    else
        store_sqlite_bind_text(stmt, index, text);
}

/* Run the bound insert in a write transaction: the write lock taken at
 * BEGIN IMMEDIATE keeps any other change out between check and insert. */
static enum store_result insert_guarded(struct store_sqlite_conn *conn,
                                        sqlite3_stmt *stmt)
{
    enum store_result result = store_sqlite_begin(conn);

    if (result != STORE_OK) {
        store_sqlite_done(stmt);
        return result;
    }
    result = store_sqlite_exec_stmt(conn, stmt, "insert API key");
    if (result == STORE_OK && sqlite3_changes(store_sqlite_db(conn)) == 0) {
        store_set_error("insert API key: the user or the presented key is "
                        "gone, or the password changed");
        result = STORE_NOT_FOUND;
    }
    if (result != STORE_OK) {
        store_sqlite_rollback(conn);
        return result;
    }
    return store_sqlite_commit(conn);
}

enum store_result
store_sqlite_apikey_insert(struct store *base, const struct apikey *key,
                           const struct store_key_guard *guard)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_insert_key);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, key->id);
    sqlite3_bind_blob(stmt, 2, key->hashed_secret, APIKEY_HASH_LEN,
                      SQLITE_TRANSIENT);
    store_sqlite_bind_text(stmt, 3, key->user_id);
    sqlite3_bind_int64(stmt, 4, key->last_used);
    sqlite3_bind_int64(stmt, 5, key->expires_at);
    sqlite3_bind_int64(stmt, 6, key->created_at);
    sqlite3_bind_int64(stmt, 7, key->updated_at);
    store_sqlite_bind_text(stmt, 8, login_type_name(key->login_type));
    sqlite3_bind_int64(stmt, 9, key->lifetime_seconds);
    store_sqlite_bind_text(stmt, 10, key->ip_address);
    store_sqlite_bind_text(stmt, 11, apikey_scope_name(key->scope));
    store_sqlite_bind_text(stmt, 12, key->token_name);
    bind_optional(stmt, 13, guard->password_hash);
    bind_optional(stmt, 14, guard->presented_key_id);
    return insert_guarded(conn, stmt);
}

/* Run a one-row key query with up to two text parameters. */
static enum store_result get_key(struct store *base, const char *sql,
                                 const char *first, const char *second,
                                 struct apikey *out)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result = STORE_NOT_FOUND;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, first);
    if (second != NULL)
        store_sqlite_bind_text(stmt, 2, second);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_key(stmt, 0, out);
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = store_sqlite_fail(conn, rc, "read API key");
    }
    store_sqlite_done(stmt);
    return result;
}

static const char sql_key_by_id[] =
    "SELECT " KEY_COLUMNS " FROM api_keys k WHERE k.id = ?1";
static const char sql_token_by_name[] =
    "SELECT " KEY_COLUMNS " FROM api_keys k WHERE k.user_id = ?1 "
    "AND k.token_name = ?2 AND k.login_type = 'token'";

enum store_result store_sqlite_apikey_get(struct store *base, const char *id,
                                          struct apikey *out)
{
    return get_key(base, sql_key_by_id, id, NULL, out);
}

enum store_result store_sqlite_apikey_get_token_by_name(struct store *base,
                                                        const char *user_id,
                                                        const char *name,
                                                        struct apikey *out)
{
    return get_key(base, sql_token_by_name, user_id, name, out);
}

static const char sql_tokens_of_user[] =
    "SELECT " KEY_COLUMNS ", coalesce(u.username, '') FROM api_keys k "
    "LEFT JOIN users u ON u.id = k.user_id "
    "WHERE k.login_type = 'token' AND k.user_id = ?1 ORDER BY k.created_at";
static const char sql_tokens_of_all[] =
    "SELECT " KEY_COLUMNS ", coalesce(u.username, '') FROM api_keys k "
    "LEFT JOIN users u ON u.id = k.user_id "
    "WHERE k.login_type = 'token' ORDER BY k.created_at";

enum store_result store_sqlite_apikey_list_tokens(struct store *base,
                                                  const char *user_id,
                                                  struct store_apikey_row **out,
                                                  size_t *count)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    struct store_apikey_row *rows = NULL;
    size_t n = 0;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn,
                             user_id ? sql_tokens_of_user : sql_tokens_of_all);
    if (stmt == NULL)
        return STORE_ERROR;
    if (user_id != NULL)
        store_sqlite_bind_text(stmt, 1, user_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        rows = xrealloc(rows, (n + 1) * sizeof(*rows));
        read_key(stmt, 0, &rows[n].key);
        rows[n].username = store_sqlite_column_dup(stmt, KEY_COLUMN_COUNT);
        n++;
    }
    store_sqlite_done(stmt);
    if (rc != SQLITE_DONE) {
        store_free_apikey_rows(rows, n);
        return store_sqlite_fail(conn, rc, "list tokens");
    }
    *out = rows;
    *count = n;
    return STORE_OK;
}

static const char sql_delete_key[] = "DELETE FROM api_keys WHERE id = ?1";
static const char sql_delete_app_keys[] =
    "DELETE FROM api_keys WHERE user_id = ?1 "
    "AND scope = 'application_connect'";

enum store_result store_sqlite_apikey_delete(struct store *base, const char *id)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_delete_key);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, id);
    result = store_sqlite_exec_stmt(conn, stmt, "delete API key");
    if (result == STORE_OK && sqlite3_changes(store_sqlite_db(conn)) == 0)
        result = STORE_NOT_FOUND;
    return result;
}

enum store_result store_sqlite_apikey_delete_app_connect(struct store *base,
                                                         const char *user_id)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_delete_app_keys);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, user_id);
    return store_sqlite_exec_stmt(conn, stmt, "delete app keys");
}

static const char sql_touch_key[] =
    "UPDATE api_keys SET last_used = ?2, expires_at = ?3, ip_address = ?4, "
    "updated_at = ?2 WHERE id = ?1";

enum store_result store_sqlite_apikey_touch(struct store *base, const char *id,
                                            int64_t last_used,
                                            int64_t expires_at,
                                            const char *ip_address)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_touch_key);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, last_used);
    sqlite3_bind_int64(stmt, 3, expires_at);
    store_sqlite_bind_text(stmt, 4, ip_address);
    return store_sqlite_exec_stmt(conn, stmt, "update API key use");
}

/* The key, its user and the user's link, by the key's primary key. */
static const char sql_auth_lookup[] =
    "SELECT " KEY_COLUMNS ", " STORE_SQLITE_USER_COLUMNS ", "
    "EXISTS (SELECT 1 FROM user_links l WHERE l.user_id = u.id "
    "AND l.login_type = k.login_type) "
    "FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = ?1";

enum store_result store_sqlite_auth_lookup(struct store *base,
                                           const char *key_id,
                                           struct store_auth *out)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result = STORE_NOT_FOUND;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_auth_lookup);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, key_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_key(stmt, 0, &out->key);
        store_sqlite_read_user(stmt, KEY_COLUMN_COUNT, &out->user);
        out->link_present =
            sqlite3_column_int(stmt, KEY_COLUMN_COUNT +
                                         STORE_SQLITE_USER_COLUMN_COUNT) != 0;
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = store_sqlite_fail(conn, rc, "look up API key");
    }
    store_sqlite_done(stmt);
    return result;
}
