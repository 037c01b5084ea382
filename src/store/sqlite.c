/* SPDX-License-Identifier: MIT */
/*
 * SQLite backend: connections, migrations and shared helpers. Each thread
 * gets its own connection (opened on first use, closed when the thread
 * exits) with a cache of prepared statements, so no lock is held between
 * threads; SQLite's WAL mode lets readers run beside one writer.
 */
#include "store/sqlite_internal.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timestamp.h"

#define STMT_CACHE_SIZE 64

/* How long a writer waits for the database lock before giving up. */
#define BUSY_TIMEOUT_MS 10000

struct cached_stmt {
    const char *sql;
    sqlite3_stmt *stmt;
};

struct store_sqlite_conn {
    sqlite3 *db;
    struct cached_stmt cache[STMT_CACHE_SIZE];
    struct sqlite_store *owner;
    struct store_sqlite_conn *prev;
    struct store_sqlite_conn *next;
};

struct sqlite_store {
    struct store base;
    char *path;
    pthread_key_t conn_key;
    pthread_mutex_t lock;
    struct store_sqlite_conn *conns;
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;

/* Per-connection mutexes are not needed with one connection per thread,
 * and the global memory statistics cost a contended lock on every
 * allocation. Both must be set before SQLite initialises. */
static void configure_library(void)
{
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

static const char *const connection_pragmas = "PRAGMA journal_mode = WAL;"
                                              "PRAGMA synchronous = FULL;"
                                              "PRAGMA foreign_keys = ON;"
                                              "PRAGMA temp_store = MEMORY;"
                                              "PRAGMA cache_size = -16384;"
                                              "PRAGMA mmap_size = 268435456;";

static void conn_close(struct store_sqlite_conn *conn)
{
    for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(conn->cache[i].stmt);
    sqlite3_close_v2(conn->db);
    free(conn);
}

static void conn_unlink(struct sqlite_store *store,
                        struct store_sqlite_conn *conn)
{
    pthread_mutex_lock(&store->lock);
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        store->conns = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    pthread_mutex_unlock(&store->lock);
}

/* Runs when a thread that used the store exits. */
static void on_thread_exit(void *arg)
{
    struct store_sqlite_conn *conn = arg;

    conn_unlink(conn->owner, conn);
    conn_close(conn);
}

static sqlite3 *open_db(const char *path, char *err, size_t errsize)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errsize, "cannot open %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close_v2(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (sqlite3_exec(db, connection_pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errsize, "cannot configure %s: %s", path,
                 msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_close_v2(db);
        return NULL;
    }
    return db;
}

struct store_sqlite_conn *store_sqlite_conn(struct store *base)
{
    struct sqlite_store *store = (struct sqlite_store *)base;
    struct store_sqlite_conn *conn = pthread_getspecific(store->conn_key);
    char err[512];

    if (conn != NULL)
        return conn;
    conn = xcalloc(1, sizeof(*conn));
    conn->owner = store;
    conn->db = open_db(store->path, err, sizeof(err));
    if (conn->db == NULL) {
        store_set_error("%s", err);
        free(conn);
        return NULL;
    }

    pthread_mutex_lock(&store->lock);
    conn->next = store->conns;
    if (store->conns != NULL)
        store->conns->prev = conn;
    store->conns = conn;
    pthread_mutex_unlock(&store->lock);
    pthread_setspecific(store->conn_key, conn);
    return conn;
}

sqlite3 *store_sqlite_db(struct store_sqlite_conn *conn)
{
    return conn->db;
}

sqlite3_stmt *store_sqlite_stmt(struct store_sqlite_conn *conn, const char *sql)
{
    size_t slot = ((uintptr_t)sql >> 3) % STMT_CACHE_SIZE;
    sqlite3_stmt *stmt = NULL;

    for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
        struct cached_stmt *entry = &conn->cache[(slot + i) % STMT_CACHE_SIZE];

        if (entry->sql == sql)
            return entry->stmt;
        if (entry->sql != NULL)
            continue;
        if (sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                               &stmt, NULL) != SQLITE_OK) {
            store_set_error("cannot prepare statement: %s",
                            sqlite3_errmsg(conn->db));
            return NULL;
        }
        entry->sql = sql;
        entry->stmt = stmt;
        return stmt;
    }
    /* NOTE: more distinct statements than cache slots; callers treat a
     * full cache as a bug, so the limit is raised rather than evicting. */
    store_set_error("statement cache is full");
    return NULL;
}

void store_sqlite_done(sqlite3_stmt *stmt)
{
    if (stmt != NULL) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
}

enum store_result store_sqlite_fail(struct store_sqlite_conn *conn, int rc,
                                    const char *what)
{
    int primary = rc & 0xff;

    store_set_error("%s: %s", what, sqlite3_errmsg(conn->db));
    if (primary == SQLITE_CONSTRAINT)
        return STORE_CONFLICT;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return STORE_UNAVAILABLE;
    return STORE_ERROR;
}

enum store_result store_sqlite_exec_stmt(struct store_sqlite_conn *conn,
                                         sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);
    enum store_result result = STORE_OK;

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = store_sqlite_fail(conn, rc, what);
    store_sqlite_done(stmt);
    return result;
}

static enum store_result run_simple(struct store_sqlite_conn *conn,
                                    const char *sql, const char *what)
{
    sqlite3_stmt *stmt = store_sqlite_stmt(conn, sql);

    if (stmt == NULL)
        return STORE_ERROR;
    return store_sqlite_exec_stmt(conn, stmt, what);
}

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

enum store_result store_sqlite_begin(struct store_sqlite_conn *conn)
{
    return run_simple(conn, sql_begin, "begin transaction");
}

enum store_result store_sqlite_commit(struct store_sqlite_conn *conn)
{
    enum store_result result = run_simple(conn, sql_commit, "commit");

    if (result != STORE_OK)
        store_sqlite_rollback(conn);
    return result;
}

void store_sqlite_rollback(struct store_sqlite_conn *conn)
{
    if (!sqlite3_get_autocommit(conn->db))
        run_simple(conn, sql_rollback, "roll back");
}

int store_sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    return sqlite3_bind_text(stmt, index, text ? text : "", -1,
                             SQLITE_TRANSIENT);
}

char *store_sqlite_column_dup(sqlite3_stmt *stmt, int column)
{
    const unsigned char *text = sqlite3_column_text(stmt, column);

    return xstrdup(text ? (const char *)text : "");
}

void store_sqlite_column_copy(sqlite3_stmt *stmt, int column, char *out,
                              size_t size)
{
    const unsigned char *text = sqlite3_column_text(stmt, column);

    snprintf(out, size, "%s", text ? (const char *)text : "");
}

void store_sqlite_column_strlist(sqlite3_stmt *stmt, int column,
                                 struct strlist *list)
{
    const unsigned char *text = sqlite3_column_text(stmt, column);
    json_t *array;
    size_t i;
    json_t *item;

    if (text == NULL)
        return;
    array = json_loads((const char *)text, 0, NULL);
    if (!json_is_array(array)) {
        json_decref(array);
        return;
    }
    json_array_foreach(array, i, item)
    {
        if (json_is_string(item))
            strlist_push(list, json_string_value(item));
    }
    json_decref(array);
}

char *store_sqlite_strlist_json(const struct strlist *list)
{
    json_t *array = json_array();
    char *text;

    for (size_t i = 0; i < list->len; i++)
        json_array_append_new(array, json_string(list->items[i]));
    text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    return text ? text : xstrdup("[]");
}

void store_sqlite_column_csv(sqlite3_stmt *stmt, int column,
                             struct strlist *list)
{
    const char *p = (const char *)sqlite3_column_text(stmt, column);

    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        strlist_push_take(list, xstrndup(p, len));
        p = comma ? comma + 1 : NULL;
    }
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void store_sqlite_read_user(sqlite3_stmt *stmt, int first, struct user *out)
{
    int c = first;

    memset(out, 0, sizeof(*out));
    store_sqlite_column_copy(stmt, c++, out->id, sizeof(out->id));
    out->email = store_sqlite_column_dup(stmt, c++);
    out->username = store_sqlite_column_dup(stmt, c++);
    out->name = store_sqlite_column_dup(stmt, c++);
    out->avatar_url = store_sqlite_column_dup(stmt, c++);
    out->hashed_password = store_sqlite_column_dup(stmt, c++);
    out->created_at = sqlite3_column_int64(stmt, c++);
    out->updated_at = sqlite3_column_int64(stmt, c++);
    out->last_seen_at = sqlite3_column_int64(stmt, c++);
    if (user_status_parse((const char *)sqlite3_column_text(stmt, c++),
                          &out->status) != 0)
        out->status = USER_STATUS_SUSPENDED;
    if (login_type_parse((const char *)sqlite3_column_text(stmt, c++),
                         &out->login_type) != 0)
        out->login_type = LOGIN_TYPE_NONE;
    store_sqlite_column_strlist(stmt, c++, &out->roles);
    out->deleted = sqlite3_column_int(stmt, c++) != 0;
    out->hashed_one_time_passcode = store_sqlite_column_dup(stmt, c++);
    out->one_time_passcode_expires_at = sqlite3_column_int64(stmt, c++);
    out->github_com_user_id = sqlite3_column_int64(stmt, c++);
    store_sqlite_column_csv(stmt, c++, &out->organization_ids);
    if (out->organization_ids.len > 1)
        qsort(out->organization_ids.items, out->organization_ids.len,
              sizeof(char *), compare_strings);
}

/* ----- migrations ------------------------------------------------------- */

static int exec_sql(sqlite3 *db, const char *sql, char *err, size_t errsize)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errsize, "%s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

static int current_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *stmt = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db,
                           "SELECT coalesce(max(version), 0) "
                           "FROM schema_migrations",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(stmt) != SQLITE_ROW)
        goto out;
    *version = sqlite3_column_int(stmt, 0);
    rc = 0;

out:
    sqlite3_finalize(stmt);
    return rc;
}

static int apply_migration(sqlite3 *db, const struct store_migration *m,
                           char *err, size_t errsize)
{
    char record[256];
    char reason[512];

    snprintf(record, sizeof(record),
             "INSERT INTO schema_migrations (version, name, applied_at) "
             "VALUES (%d, '%s', %lld)",
             m->version, m->name, (long long)timestamp_now());
    if (exec_sql(db, "BEGIN IMMEDIATE", reason, sizeof(reason)) != 0 ||
        exec_sql(db, m->sql, reason, sizeof(reason)) != 0 ||
        exec_sql(db, record, reason, sizeof(reason)) != 0 ||
        exec_sql(db, "COMMIT", reason, sizeof(reason)) != 0) {
        exec_sql(db, "ROLLBACK", err, errsize);
        snprintf(err, errsize, "migration %d (%s) failed: %s", m->version,
                 m->name, reason);
        return -1;
    }
    log_kv(LOG_INFO, "store", "applied migration", "backend", "sqlite", "name",
           m->name, NULL);
    return 0;
}

/* Create the default organization and the deployment id when missing. */
static int seed_rows(sqlite3 *db, char *err, size_t errsize)
{
    char org_id[UUID_STR_LEN + 1];
    char deployment_id[UUID_STR_LEN + 1];
    sqlite3_stmt *stmt = NULL;
    int64_t now = timestamp_now();
    int rc = -1;

    if (uuid_generate(org_id) != 0 || uuid_generate(deployment_id) != 0) {
        snprintf(err, errsize, "cannot generate ids");
        return -1;
    }
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO organizations (id, name, display_name, description, "
            "created_at, updated_at, is_default) "
            "SELECT ?1, ?2, ?3, ?4, ?5, ?5, 1 WHERE NOT EXISTS "
            "(SELECT 1 FROM organizations WHERE is_default = 1)",
            -1, &stmt, NULL) != SQLITE_OK)
        goto fail;
    store_sqlite_bind_text(stmt, 1, org_id);
    store_sqlite_bind_text(stmt, 2, STORE_DEFAULT_ORG_NAME);
    store_sqlite_bind_text(stmt, 3, STORE_DEFAULT_ORG_DISPLAY_NAME);
    store_sqlite_bind_text(stmt, 4, STORE_DEFAULT_ORG_DESCRIPTION);
    sqlite3_bind_int64(stmt, 5, now);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(stmt);

    if (sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO site_configs (key, value) "
                           "VALUES ('deployment_id', ?1)",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto fail;
    store_sqlite_bind_text(stmt, 1, deployment_id);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto fail;
    rc = 0;
    goto out;

fail:
    snprintf(err, errsize, "cannot create initial rows: %s",
             sqlite3_errmsg(db));
out:
    sqlite3_finalize(stmt);
    return rc;
}

static int migrate(sqlite3 *db, char *err, size_t errsize)
{
    int version = 0;

    if (exec_sql(db,
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "applied_at INTEGER NOT NULL)",
                 err, errsize) != 0)
        return -1;
    if (current_version(db, &version) != 0) {
        snprintf(err, errsize, "cannot read schema version: %s",
                 sqlite3_errmsg(db));
        return -1;
    }
    for (size_t i = 0; i < store_sqlite_migration_count; i++) {
        const struct store_migration *m = &store_sqlite_migrations[i];

        if (m->version > version && apply_migration(db, m, err, errsize) != 0)
            return -1;
    }
    return seed_rows(db, err, errsize);
}

/* ----- the store itself ------------------------------------------------- */

static void sqlite_free(struct store *base)
{
    struct sqlite_store *store = (struct sqlite_store *)base;
    struct store_sqlite_conn *conn = store->conns;

    while (conn != NULL) {
        struct store_sqlite_conn *next = conn->next;

        conn_close(conn);
        conn = next;
    }
    pthread_key_delete(store->conn_key);
    pthread_mutex_destroy(&store->lock);
    free(store->path);
    free(store);
}

static const char sql_deployment_id[] =
    "SELECT value FROM site_configs WHERE key = 'deployment_id'";

static enum store_result sqlite_deployment_id(struct store *base, char *out)
{
    struct store_sqlite_conn *conn = store_sqlite_conn(base);
    sqlite3_stmt *stmt;
    enum store_result result = STORE_NOT_FOUND;
    int rc;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    stmt = store_sqlite_stmt(conn, sql_deployment_id);
    if (stmt == NULL)
        return STORE_ERROR;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        store_sqlite_column_copy(stmt, 0, out, UUID_STR_LEN + 1);
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = store_sqlite_fail(conn, rc, "read deployment id");
    }
    store_sqlite_done(stmt);
    return result;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .free = sqlite_free,
    .deployment_id = sqlite_deployment_id,
    .org_get_default = store_sqlite_org_get_default,
    .org_get_by_id = store_sqlite_org_get_by_id,
    .org_get_by_name = store_sqlite_org_get_by_name,
    .org_list_for_user = store_sqlite_org_list_for_user,
    .org_membership_roles = store_sqlite_org_membership_roles,
    .user_count = store_sqlite_user_count,
    .user_get_by_id = store_sqlite_user_get_by_id,
    .user_get_by_username = store_sqlite_user_get_by_username,
    .user_get_by_email = store_sqlite_user_get_by_email,
    .user_insert = store_sqlite_user_insert,
    .user_list = store_sqlite_user_list,
    .user_update_profile = store_sqlite_user_update_profile,
    .user_update_status = store_sqlite_user_update_status,
    .user_activate_if_dormant = store_sqlite_user_activate_if_dormant,
    .user_update_roles = store_sqlite_user_update_roles,
    .user_update_password = store_sqlite_user_update_password,
    .user_set_one_time_passcode = store_sqlite_user_set_one_time_passcode,
    .user_delete = store_sqlite_user_delete,
    .user_touch = store_sqlite_user_touch,
    .apikey_insert = store_sqlite_apikey_insert,
    .apikey_get = store_sqlite_apikey_get,
    .apikey_get_token_by_name = store_sqlite_apikey_get_token_by_name,
    .apikey_list_tokens = store_sqlite_apikey_list_tokens,
    .apikey_delete = store_sqlite_apikey_delete,
    .apikey_delete_app_connect = store_sqlite_apikey_delete_app_connect,
    .apikey_touch = store_sqlite_apikey_touch,
    .auth_lookup = store_sqlite_auth_lookup,
    .gitsshkey_get = store_sqlite_gitsshkey_get,
    .gitsshkey_put = store_sqlite_gitsshkey_put,
    .user_config_get = store_sqlite_user_config_get,
    .user_config_set = store_sqlite_user_config_set,
};

struct store *store_sqlite_open(const struct store_config *config, char *err,
                                size_t errsize)
{
    struct sqlite_store *store;
    sqlite3 *db;

    pthread_once(&library_once, configure_library);
    db = open_db(config->sqlite_path, err, errsize);
    if (db == NULL)
        return NULL;
    if (migrate(db, err, errsize) != 0) {
        sqlite3_close_v2(db);
        return NULL;
    }
    sqlite3_close_v2(db);

    store = xcalloc(1, sizeof(*store));
    store->base.ops = &sqlite_ops;
    store->path = xstrdup(config->sqlite_path);
    pthread_mutex_init(&store->lock, NULL);
    if (pthread_key_create(&store->conn_key, on_thread_exit) != 0) {
        snprintf(err, errsize, "cannot create thread key");
        pthread_mutex_destroy(&store->lock);
        free(store->path);
        free(store);
        return NULL;
    }
    log_kv(LOG_INFO, "store", "opened database", "backend", "sqlite", "path",
           config->sqlite_path, NULL);
    return &store->base;
}
