/* SPDX-License-Identifier: MIT */
/* SQLite backend: organizations, git SSH keys and per-user settings. */
#include "store/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define ORG_COLUMNS                                                            \
    "o.id, o.name, o.display_name, o.description, o.icon, o.created_at, "      \
    "o.updated_at, o.is_default"

static void read_org(sqlite3_stmt *stmt, struct organization *out)
{
    memset(out, 0, sizeof(*out));
    store_sqlite_column_copy(stmt, 0, out->id, sizeof(out->id));
    out->name = store_sqlite_column_dup(stmt, 1);
    out->display_name = store_sqlite_column_dup(stmt, 2);
    out->description = store_sqlite_column_dup(stmt, 3);
    out->icon = store_sqlite_column_dup(stmt, 4);
    out->created_at = sqlite3_column_int64(stmt, 5);
    out->updated_at = sqlite3_column_int64(stmt, 6);
    out->is_default = sqlite3_column_int(stmt, 7) != 0;
}

static enum store_result get_org(struct store *base, const char *sql,
                                 const char *key, struct organization *out)
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
    if (key != NULL)
        store_sqlite_bind_text(stmt, 1, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_org(stmt, out);
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = store_sqlite_fail(conn, rc, "read organization");
    }
    store_sqlite_done(stmt);
    return result;
}

static const char sql_org_default[] =
    "SELECT " ORG_COLUMNS " FROM organizations o WHERE o.is_default = 1";
static const char sql_org_by_id[] =
    "SELECT " ORG_COLUMNS " FROM organizations o "
    "WHERE o.id = ?1 AND o.deleted = 0";
static const char sql_org_by_name[] =
    "SELECT " ORG_COLUMNS " FROM organizations o "
    "WHERE lower(o.name) = lower(?1) AND o.deleted = 0";
static const char sql_orgs_of_user[] =
    "SELECT " ORG_COLUMNS " FROM organizations o "
    "JOIN organization_members m ON m.organization_id = o.id "
    "WHERE m.user_id = ?1 AND o.deleted = 0 ORDER BY lower(o.name)";
static const char sql_member_roles[] =
    "SELECT m.organization_id, m.roles FROM organization_members m "
    "JOIN organizations o ON o.id = m.organization_id "
    "WHERE m.user_id = ?1 AND o.deleted = 0 ORDER BY m.organization_id";

enum store_result store_sqlite_org_get_default(struct store *base,
                                               struct organization *out)
{
    return get_org(base, sql_org_default, NULL, out);
}

enum store_result store_sqlite_org_get_by_id(struct store *base, const char *id,
                                             struct organization *out)
{
    return get_org(base, sql_org_by_id, id, out);
}

enum store_result store_sqlite_org_get_by_name(struct store *base,
                                               const char *name,
                                               struct organization *out)
{
    return get_org(base, sql_org_by_name, name, out);
}

enum store_result store_sqlite_org_list_for_user(struct store *base,
                                                 const char *user_id,
                                                 struct organization **out,
                                                 size_t *count)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    struct organization *orgs = NULL;
    size_t n = 0;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_orgs_of_user);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, user_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        orgs = xrealloc(orgs, (n + 1) * sizeof(*orgs));
        read_org(stmt, &orgs[n++]);
    }
    store_sqlite_done(stmt);
    if (rc != SQLITE_DONE) {
        organization_free_array(orgs, n);
        return store_sqlite_fail(conn, rc, "list organizations");
    }
    *out = orgs;
    *count = n;
    return STORE_OK;
}

enum store_result store_sqlite_org_membership_roles(struct store *base,
                                                    const char *user_id,
                                                    struct strlist *org_ids,
                                                    struct strlist **roles)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    struct strlist ids = {0};
    struct strlist *lists = NULL;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_member_roles);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, user_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        lists = xrealloc(lists, (ids.len + 1) * sizeof(*lists));
        memset(&lists[ids.len], 0, sizeof(*lists));
        store_sqlite_column_strlist(stmt, 1, &lists[ids.len]);
        strlist_push_take(&ids, store_sqlite_column_dup(stmt, 0));
    }
    store_sqlite_done(stmt);
    if (rc != SQLITE_DONE) {
        store_free_membership_roles(&ids, lists);
        return store_sqlite_fail(conn, rc, "list membership roles");
    }
    *org_ids = ids;
    *roles = lists;
    return STORE_OK;
}

static const char sql_gitsshkey_get[] =
    "SELECT user_id, created_at, updated_at, private_key, public_key "
    "FROM gitsshkeys WHERE user_id = ?1";
static const char sql_gitsshkey_put[] =
    "INSERT INTO gitsshkeys (user_id, created_at, updated_at, private_key, "
    "public_key) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at, "
    "private_key = excluded.private_key, public_key = excluded.public_key";
static const char sql_gitsshkey_add[] =
    "INSERT INTO gitsshkeys (user_id, created_at, updated_at, private_key, "
    "public_key) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (user_id) DO NOTHING";

enum store_result store_sqlite_gitsshkey_get(struct store *base,
                                             const char *user_id,
                                             struct gitsshkey *out)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result = STORE_NOT_FOUND;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_gitsshkey_get);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, user_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        store_sqlite_column_copy(stmt, 0, out->user_id, sizeof(out->user_id));
        out->created_at = sqlite3_column_int64(stmt, 1);
        out->updated_at = sqlite3_column_int64(stmt, 2);
        out->private_key = store_sqlite_column_dup(stmt, 3);
        out->public_key = store_sqlite_column_dup(stmt, 4);
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = store_sqlite_fail(conn, rc, "read git SSH key");
    }
    store_sqlite_done(stmt);
    return result;
}

enum store_result store_sqlite_gitsshkey_put(struct store *base,
                                             const struct gitsshkey *key,
                                             bool replace)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn,
                             replace ? sql_gitsshkey_put : sql_gitsshkey_add);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, key->user_id);
    sqlite3_bind_int64(stmt, 2, key->created_at);
    sqlite3_bind_int64(stmt, 3, key->updated_at);
    store_sqlite_bind_text(stmt, 4, key->private_key);
    store_sqlite_bind_text(stmt, 5, key->public_key);
    result = store_sqlite_exec_stmt(conn, stmt, "store git SSH key");
    if (result == STORE_OK && !replace &&
        sqlite3_changes(store_sqlite_db(conn)) == 0) {
        store_set_error("the user has a git SSH key already");
        result = STORE_CONFLICT;
    }
    return result;
}

static const char sql_config_get[] =
    "SELECT value FROM user_configs WHERE user_id = ?1 AND key = ?2";
static const char sql_config_set[] =
    "INSERT INTO user_configs (user_id, key, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value";

enum store_result store_sqlite_user_config_get(struct store *base,
                                               const char *user_id,
                                               const char *key, char **value)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result = STORE_NOT_FOUND;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_config_get);
    if (stmt == NULL)
        return STORE_ERROR;
    store_sqlite_bind_text(stmt, 1, user_id);
    store_sqlite_bind_text(stmt, 2, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *value = store_sqlite_column_dup(stmt, 0);
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = store_sqlite_fail(conn, rc, "read user setting");
    }
    store_sqlite_done(stmt);
    return result;
}

enum store_result store_sqlite_user_config_set(struct store *base,
                                               const char *user_id,
                                               const char *const *keys,
                                               const char *const *values,
                                               size_t count)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_sqlite_begin(conn);
    for (size_t i = 0; result == STORE_OK && i < count; i++) {
        sqlite3_stmt *stmt = store_sqlite_stmt(conn, sql_config_set);

        if (stmt == NULL) {
            result = STORE_ERROR;
            break;
        }
        store_sqlite_bind_text(stmt, 1, user_id);
        store_sqlite_bind_text(stmt, 2, keys[i]);
        store_sqlite_bind_text(stmt, 3, values[i]);
        result = store_sqlite_exec_stmt(conn, stmt, "store user setting");
    }
    if (result != STORE_OK) {
        store_sqlite_rollback(conn);
        return result;
    }
    return store_sqlite_commit(conn);
}
