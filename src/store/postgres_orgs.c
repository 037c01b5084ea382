/* SPDX-License-Identifier: MIT */
/* PostgreSQL backend: organizations, git SSH keys and per-user settings. */
#include "store/postgres_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define ORG_COLUMNS                                                            \
    "o.id, o.name, o.display_name, o.description, o.icon, "                    \
    "time_to_micros(o.created_at), time_to_micros(o.updated_at), "             \
    "o.is_default"

static void read_org(const PGresult *res, int row, struct organization *out)
{
    memset(out, 0, sizeof(*out));
    store_pg_copy(res, row, 0, out->id, sizeof(out->id));
    out->name = store_pg_dup(res, row, 1);
    out->display_name = store_pg_dup(res, row, 2);
    out->description = store_pg_dup(res, row, 3);
    out->icon = store_pg_dup(res, row, 4);
    out->created_at = store_pg_int(res, row, 5);
    out->updated_at = store_pg_int(res, row, 6);
    out->is_default = store_pg_bool(res, row, 7);
}

static enum store_result get_org(struct store *store, const char *sql,
                                 const struct store_pg_params *p,
                                 struct organization *out)
{
    PGresult *res = NULL;
    enum store_result result =
        store_pg_query(store, sql, p, &res, "read organization");

    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK)
        read_org(res, 0, out);
    PQclear(res);
    return result;
}

static const char sql_org_default[] =
    "SELECT " ORG_COLUMNS " FROM organizations o WHERE o.is_default";
static const char sql_org_by_id[] =
    "SELECT " ORG_COLUMNS " FROM organizations o "
    "WHERE o.id = $1 AND NOT o.deleted";
static const char sql_org_by_name[] =
    "SELECT " ORG_COLUMNS " FROM organizations o "
    "WHERE lower(o.name) = lower($1) AND NOT o.deleted";
static const char sql_orgs_of_user[] =
    "SELECT " ORG_COLUMNS " FROM organizations o "
    "JOIN organization_members m ON m.organization_id = o.id "
    "WHERE m.user_id = $1 AND NOT o.deleted "
    "ORDER BY lower(o.name) COLLATE \"C\"";
static const char sql_member_roles[] =
    "SELECT m.organization_id, array_to_json(m.roles) "
    "FROM organization_members m "
    "JOIN organizations o ON o.id = m.organization_id "
    "WHERE m.user_id = $1 AND NOT o.deleted ORDER BY m.organization_id";

enum store_result store_pg_org_get_default(struct store *store,
                                           struct organization *out)
{
    return get_org(store, sql_org_default, NULL, out);
}

enum store_result store_pg_org_get_by_id(struct store *store, const char *id,
                                         struct organization *out)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, id);
    result = get_org(store, sql_org_by_id, &p, out);
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_org_get_by_name(struct store *store,
                                           const char *name,
                                           struct organization *out)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_key(&p, name);
    result = get_org(store, sql_org_by_name, &p, out);
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_org_list_for_user(struct store *store,
                                             const char *user_id,
                                             struct organization **out,
                                             size_t *count)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    struct organization *orgs = NULL;
    enum store_result result;
    int n;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    result =
        store_pg_query(store, sql_orgs_of_user, &p, &res, "list organizations");
    store_pg_params_release(&p);
    if (result != STORE_OK)
        return result;
    n = PQntuples(res);
    if (n > 0)
        orgs = xcalloc((size_t)n, sizeof(*orgs));
    for (int i = 0; i < n; i++)
        read_org(res, i, &orgs[i]);
    PQclear(res);
    *out = orgs;
    *count = (size_t)n;
    return STORE_OK;
}

enum store_result store_pg_org_membership_roles(struct store *store,
                                                const char *user_id,
                                                struct strlist *org_ids,
                                                struct strlist **roles)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    struct strlist ids = {0};
    struct strlist *lists = NULL;
    enum store_result result;
    int n;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    result = store_pg_query(store, sql_member_roles, &p, &res,
                            "list membership roles");
    store_pg_params_release(&p);
    if (result != STORE_OK)
        return result;
    n = PQntuples(res);
    if (n > 0)
        lists = xcalloc((size_t)n, sizeof(*lists));
    for (int i = 0; i < n; i++) {
        strlist_push(&ids, store_pg_text(res, i, 0));
        store_pg_json_strlist(res, i, 1, &lists[i]);
    }
    PQclear(res);
    *org_ids = ids;
    *roles = lists;
    return STORE_OK;
}

static const char sql_gitsshkey_get[] =
    "SELECT user_id, time_to_micros(created_at), time_to_micros(updated_at), "
    "private_key, public_key FROM gitsshkeys WHERE user_id = $1";
static const char sql_gitsshkey_put[] =
    "INSERT INTO gitsshkeys (user_id, created_at, updated_at, private_key, "
    "public_key) VALUES ($1, micros_to_time($2), micros_to_time($3), $4, $5) "
    "ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at, "
    "private_key = excluded.private_key, public_key = excluded.public_key";
static const char sql_gitsshkey_add[] =
    "INSERT INTO gitsshkeys (user_id, created_at, updated_at, private_key, "
    "public_key) VALUES ($1, micros_to_time($2), micros_to_time($3), $4, $5) "
    "ON CONFLICT (user_id) DO NOTHING";

enum store_result store_pg_gitsshkey_get(struct store *store,
                                         const char *user_id,
                                         struct gitsshkey *out)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    result =
        store_pg_query(store, sql_gitsshkey_get, &p, &res, "read git SSH key");
    store_pg_params_release(&p);
    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK) {
        memset(out, 0, sizeof(*out));
        store_pg_copy(res, 0, 0, out->user_id, sizeof(out->user_id));
        out->created_at = store_pg_int(res, 0, 1);
        out->updated_at = store_pg_int(res, 0, 2);
        out->private_key = store_pg_dup(res, 0, 3);
        out->public_key = store_pg_dup(res, 0, 4);
    }
    PQclear(res);
    return result;
}

enum store_result store_pg_gitsshkey_put(struct store *store,
                                         const struct gitsshkey *key,
                                         bool replace)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, key->user_id);
    store_pg_add_int(&p, key->created_at);
    store_pg_add_int(&p, key->updated_at);
    store_pg_add_text(&p, key->private_key);
    store_pg_add_text(&p, key->public_key);
    if (replace) {
        result = store_pg_query(store, sql_gitsshkey_put, &p, NULL,
                                "store git SSH key");
    } else {
        /* No row inserted means another writer stored a key first. */
        result = store_pg_query_change(store, sql_gitsshkey_add, &p,
                                       "store git SSH key");
        if (result == STORE_NOT_FOUND) {
            store_set_error("the user has a git SSH key already");
            result = STORE_CONFLICT;
        }
    }
    store_pg_params_release(&p);
    return result;
}

static const char sql_config_get[] =
    "SELECT value FROM user_configs WHERE user_id = $1 AND key = $2";
static const char sql_config_set[] =
    "INSERT INTO user_configs (user_id, key, value) VALUES ($1, $2, $3) "
    "ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value";

enum store_result store_pg_user_config_get(struct store *store,
                                           const char *user_id, const char *key,
                                           char **value)
{
    struct store_pg_params p;
    PGresult *res = NULL;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    store_pg_add_key(&p, key);
    result =
        store_pg_query(store, sql_config_get, &p, &res, "read user setting");
    store_pg_params_release(&p);
    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK)
        *value = store_pg_dup(res, 0, 0);
    PQclear(res);
    return result;
}

static enum store_result set_one(struct store_pg_conn *conn,
                                 const char *user_id, const char *key,
                                 const char *value)
{
    struct store_pg_params p;
    enum store_result result;

    store_pg_params_init(&p);
    store_pg_add_uuid(&p, user_id);
    store_pg_add_text(&p, key);
    store_pg_add_text(&p, value);
    result = store_pg_run(conn, sql_config_set, &p, NULL, "store user setting");
    store_pg_params_release(&p);
    return result;
}

enum store_result store_pg_user_config_set(struct store *store,
                                           const char *user_id,
                                           const char *const *keys,
                                           const char *const *values,
                                           size_t count)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_begin(conn);
    for (size_t i = 0; result == STORE_OK && i < count; i++)
        result = set_one(conn, user_id, keys[i], values[i]);
    return store_pg_end(conn, result);
}
