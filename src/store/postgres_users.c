/* SPDX-License-Identifier: MIT */
/* PostgreSQL backend: users, their memberships and the user listing. */
#include "store/postgres_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

#define SELECT_USER "SELECT " STORE_PG_USER_COLUMNS " FROM users u "

/* Serialises first-user creation across every server on the database. */
#define FIRST_USER_LOCK "504447395187"

static const char sql_user_by_id[] = SELECT_USER "WHERE u.id = $1";
static const char sql_user_by_username[] =
    SELECT_USER "WHERE lower(u.username) COLLATE \"C\" = lower($1) "
                "AND NOT u.deleted";
static const char sql_user_by_email[] =
    SELECT_USER "WHERE lower(u.email) = lower($1) AND NOT u.deleted";
static const char sql_user_count[] =
    "SELECT count(*) FROM users WHERE NOT deleted AND NOT is_system";

/* Run a one-row user query bound to key and read the row into out. */
static enum store_result get_user(struct store *store, const char *sql,
                                  const char *key, bool key_is_uuid,
                                  struct user *out)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    enum store_result result;

    store_pg_params_init(&p);
    if (key_is_uuid)
        store_pg_add_uuid(&p, key);
    else
        store_pg_add_key(&p, key);
    result = store_pg_query(store, sql, &p, &res, "read user");
    store_pg_params_release(&p);
    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK)
        store_pg_read_user(res, 0, 0, out);
    PQclear(res);
    return result;
}

enum store_result store_pg_user_get_by_id(struct store *store, const char *id,
                                          struct user *out)
{
    return get_user(store, sql_user_by_id, id, true, out);
}

enum store_result store_pg_user_get_by_username(struct store *store,
                                                const char *username,
                                                struct user *out)
{
    return get_user(store, sql_user_by_username, username, false, out);
}

enum store_result store_pg_user_get_by_email(struct store *store,
                                             const char *email,
                                             struct user *out)
{
    return get_user(store, sql_user_by_email, email, false, out);
}

enum store_result store_pg_user_count(struct store *store, int64_t *count)
{
    PGresult *res = NULL;
    enum store_result result =
        store_pg_query(store, sql_user_count, NULL, &res, "count users");

    if (result == STORE_OK)
        *count = store_pg_int(res, 0, 0);
    PQclear(res);
    return result;
}

/* ----- creation ---------------------------------------------------------- */

static const char sql_first_user_lock[] =
    "SELECT pg_advisory_xact_lock(" FIRST_USER_LOCK ")";
static const char sql_insert_user[] =
    "INSERT INTO users (id, email, username, name, avatar_url, "
    "hashed_password, created_at, updated_at, last_seen_at, status, "
    "login_type, rbac_roles, github_com_user_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, micros_to_time($7), micros_to_time($8), "
    "micros_to_time($9), $10, $11, $12, nullif($13::bigint, 0))";
static const char sql_org_exists[] =
    "SELECT 1 FROM organizations WHERE id = $1 AND NOT deleted";
static const char sql_insert_member[] =
    "INSERT INTO organization_members (user_id, organization_id, created_at, "
    "updated_at) VALUES ($1, $2, micros_to_time($3), micros_to_time($3))";
static const char sql_insert_gitsshkey[] =
    "INSERT INTO gitsshkeys (user_id, created_at, updated_at, private_key, "
    "public_key) VALUES ($1, micros_to_time($2), micros_to_time($3), $4, $5)";

/* Fail with STORE_CONFLICT when any user exists. The lock makes two
 * servers creating the first user at once take turns, so the second
 * counts the first's committed row. */
static enum store_result check_first(struct store_pg_conn *conn)
{
    PGresult *res = NULL;
    enum store_result result =
        store_pg_run(conn, sql_first_user_lock, NULL, NULL, "lock first user");

    if (result == STORE_OK)
        result = store_pg_run(conn, sql_user_count, NULL, &res, "count users");
    if (result == STORE_OK && store_pg_int(res, 0, 0) > 0) {
        store_set_error("a user exists already");
        result = STORE_CONFLICT;
    }
    PQclear(res);
    return result;
}

static enum store_result insert_user_row(struct store_pg_conn *conn,
                                         const struct user *u)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_text(&p, u->id);
    store_pg_add_text(&p, u->email);
    store_pg_add_text(&p, u->username);
    store_pg_add_text(&p, u->name);
    store_pg_add_text(&p, u->avatar_url);
    store_pg_add_text(&p, u->hashed_password);
    store_pg_add_int(&p, u->created_at);
    store_pg_add_int(&p, u->updated_at);
    store_pg_add_int(&p, u->last_seen_at);
    store_pg_add_text(&p, user_status_name(u->status));
    store_pg_add_text(&p, login_type_name(u->login_type));
    store_pg_add_strlist(&p, &u->roles);
    store_pg_add_int(&p, u->github_com_user_id);
    result = store_pg_run(conn, sql_insert_user, &p, NULL, "insert user");
    store_pg_params_release(&p);
    return result;
}

static enum store_result insert_membership(struct store_pg_conn *conn,
                                           const struct user *u,
                                           const char *org_id)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, org_id);
    result = store_pg_run(conn, sql_org_exists, &p, &res, "check organization");
    store_pg_params_release(&p);
    if (result == STORE_OK && PQntuples(res) == 0) {
        store_set_error("organization %s does not exist", org_id);
        result = STORE_NOT_FOUND;
    }
    PQclear(res);
    if (result != STORE_OK)
        return result;

    store_pg_params_init(&p);
    store_pg_add_text(&p, u->id);
    store_pg_add_uuid(&p, org_id);
    store_pg_add_int(&p, u->created_at);
    result =
        store_pg_run(conn, sql_insert_member, &p, NULL, "insert membership");
    store_pg_params_release(&p);
    return result;
}

static enum store_result insert_gitsshkey(struct store_pg_conn *conn,
                                          const struct user *u,
                                          const struct gitsshkey *key)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_text(&p, u->id);
    store_pg_add_int(&p, key->created_at);
    store_pg_add_int(&p, key->updated_at);
    store_pg_add_text(&p, key->private_key);
    store_pg_add_text(&p, key->public_key);
    result = store_pg_run(conn, sql_insert_gitsshkey, &p, NULL,
                          "insert git SSH key");
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_user_insert(struct store *store,
                                       const struct store_new_user *nu)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    const struct user *u = nu->user;
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_begin(conn);
    if (result == STORE_OK && nu->only_if_first)
        result = check_first(conn);
    if (result == STORE_OK)
        result = insert_user_row(conn, u);
    for (size_t i = 0; result == STORE_OK && i < u->organization_ids.len; i++)
        result = insert_membership(conn, u, u->organization_ids.items[i]);
    if (result == STORE_OK && nu->gitsshkey != NULL)
        result = insert_gitsshkey(conn, u, nu->gitsshkey);
    return store_pg_end(conn, result);
}

/* ----- changes ----------------------------------------------------------- */

static const char sql_update_profile[] =
    "UPDATE users SET username = $2, name = $3, updated_at = "
    "micros_to_time($4) WHERE id = $1 AND NOT deleted";

enum store_result store_pg_user_update_profile(struct store *store,
                                               const char *id,
                                               const char *username,
                                               const char *name, int64_t now)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    store_pg_add_text(&p, username);
    store_pg_add_text(&p, name);
    store_pg_add_int(&p, now);
    result =
        store_pg_query_change(store, sql_update_profile, &p, "update profile");
    store_pg_params_release(&p);
    return result;
}

static const char sql_update_status[] =
    "UPDATE users SET status = $2, updated_at = micros_to_time($3) "
    "WHERE id = $1";

enum store_result store_pg_user_update_status(struct store *store,
                                              const char *id,
                                              enum user_status status,
                                              int64_t now)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    store_pg_add_text(&p, user_status_name(status));
    store_pg_add_int(&p, now);
    result =
        store_pg_query_change(store, sql_update_status, &p, "update status");
    store_pg_params_release(&p);
    return result;
}

/* The update runs whether or not anything reads it; the count, taken
 * from the snapshot before it, is zero only for a missing user. */
static const char sql_activate_dormant[] =
    "WITH activated AS (UPDATE users SET status = 'active', "
    "updated_at = micros_to_time($2) WHERE id = $1 AND status = 'dormant') "
    "SELECT count(*) FROM users WHERE id = $1";

enum store_result store_pg_user_activate_if_dormant(struct store *store,
                                                    const char *id, int64_t now)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    store_pg_add_int(&p, now);
    result = store_pg_query(store, sql_activate_dormant, &p, &res,
                            "activate dormant user");
    store_pg_params_release(&p);
    if (result == STORE_OK && store_pg_int(res, 0, 0) == 0) {
        store_set_error("activate dormant user: no such row");
        result = STORE_NOT_FOUND;
    }
    PQclear(res);
    return result;
}

static const char sql_update_roles[] =
    "UPDATE users SET rbac_roles = $2, updated_at = micros_to_time($3) "
    "WHERE id = $1";

enum store_result store_pg_user_update_roles(struct store *store,
                                             const char *id,
                                             const struct strlist *roles,
                                             int64_t now)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    store_pg_add_strlist(&p, roles);
    store_pg_add_int(&p, now);
    result = store_pg_query_change(store, sql_update_roles, &p, "update roles");
    store_pg_params_release(&p);
    return result;
}

static const char sql_update_password[] =
    "UPDATE users SET hashed_password = $2, updated_at = micros_to_time($3), "
    "hashed_one_time_passcode = '', one_time_passcode_expires_at = NULL "
    "WHERE id = $1 AND ($4::text IS NULL OR (hashed_one_time_passcode = $4 "
    "AND hashed_one_time_passcode <> ''))";
static const char sql_delete_user_keys[] =
    "DELETE FROM api_keys WHERE user_id = $1";
static const char sql_delete_user_links[] =
    "DELETE FROM user_links WHERE user_id = $1";

static enum store_result delete_for_user(struct store_pg_conn *conn,
                                         const char *sql, const char *id,
                                         const char *what)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    result = store_pg_run(conn, sql, &p, NULL, what);
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_user_update_password(struct store *store,
                                                const char *id,
                                                const char *hashed,
                                                const char *passcode,
                                                int64_t now)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    struct store_pg_params p;
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_begin(conn);
    if (result == STORE_OK) {
        store_pg_params_init(&p);
        store_pg_add_uuid(&p, id);
        store_pg_add_text(&p, hashed);
        store_pg_add_int(&p, now);
        if (passcode != NULL)
            store_pg_add_text(&p, passcode);
        else
            store_pg_add_null(&p);
        result =
            store_pg_change(conn, sql_update_password, &p, "update password");
        store_pg_params_release(&p);
    }
    if (result == STORE_OK)
        result =
            delete_for_user(conn, sql_delete_user_keys, id, "delete API keys");
    return store_pg_end(conn, result);
}

static const char sql_set_otp[] =
    "UPDATE users SET hashed_one_time_passcode = $2, "
    "one_time_passcode_expires_at = micros_to_time($3) WHERE id = $1";

enum store_result store_pg_user_set_one_time_passcode(struct store *store,
                                                      const char *id,
                                                      const char *hashed,
                                                      int64_t expires_at)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    store_pg_add_text(&p, hashed);
    store_pg_add_int(&p, expires_at);
    result = store_pg_query_change(store, sql_set_otp, &p,
                                   "store one-time passcode");
    store_pg_params_release(&p);
    return result;
}

static const char sql_mark_deleted[] =
    "UPDATE users SET deleted = true, updated_at = micros_to_time($2) "
    "WHERE id = $1 AND NOT deleted";

enum store_result store_pg_user_delete(struct store *store, const char *id,
                                       int64_t now)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    struct store_pg_params p;
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_begin(conn);
    if (result == STORE_OK) {
        store_pg_params_init(&p);
        store_pg_add_uuid(&p, id);
        store_pg_add_int(&p, now);
        result = store_pg_change(conn, sql_mark_deleted, &p, "delete user");
        store_pg_params_release(&p);
    }
    if (result == STORE_OK)
        result =
            delete_for_user(conn, sql_delete_user_keys, id, "delete API keys");
    if (result == STORE_OK)
        result = delete_for_user(conn, sql_delete_user_links, id,
                                 "delete user links");
    return store_pg_end(conn, result);
}

static const char sql_touch_user[] =
    "UPDATE users SET last_seen_at = micros_to_time($2), "
    "updated_at = micros_to_time($2) WHERE id = $1";

enum store_result store_pg_user_touch(struct store *store, const char *id,
                                      int64_t now)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    store_pg_add_int(&p, now);
    result =
        store_pg_query(store, sql_touch_user, &p, NULL, "update last seen");
    store_pg_params_release(&p);
    return result;
}
