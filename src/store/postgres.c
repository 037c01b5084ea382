/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL backend: the connection pool, statement execution and the
 * mapping of failures. A fixed number of slots each have at most one
 * connection, opened when first needed. A thread checks a slot out for the
 * length of one store call, so a transaction never spans two calls and no
 * connection is shared between threads.
 *
 * When the database goes away, calls fail with STORE_UNAVAILABLE. A dead
 * connection is found before use (an idle connection with anything to read
 * was closed by the server) or by the call that fails on it, and is closed.
 * New connections are then attempted with exponential back-off. Calls made
 * between attempts fail at once instead of each waiting for a connection
 * timeout.
 */
#include "store/postgres_internal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/timestamp.h"

/* Distinct prepared statements per connection; raise when it runs out. */
#define STMT_CACHE_SIZE 96

/* How long a call waits for a free connection before giving up. */
#define ACQUIRE_TIMEOUT_US (5 * TIMESTAMP_US_PER_SECOND)

/* Delay before the second connection attempt, doubled up to the maximum. */
#define BACKOFF_FIRST_US (100 * 1000)
#define BACKOFF_MAX_US (2 * TIMESTAMP_US_PER_SECOND)

/*
 * Used unless the connection string sets them. The keepalive and
 * tcp_user_timeout settings bound how long a database that vanishes from
 * the network without closing its sockets can hold a call: about 30 s for
 * sent data, about a minute for an idle connection.
 * NOTE: no statement_timeout is set, so a query the database runs slowly
 * holds its call for as long as it runs.
 */
#define DEFAULT_CONNECT_TIMEOUT "10"
#define DEFAULT_KEEPALIVES_IDLE "30"
#define DEFAULT_KEEPALIVES_INTERVAL "10"
#define DEFAULT_KEEPALIVES_COUNT "3"
#define DEFAULT_TCP_USER_TIMEOUT "30000"
#define APPLICATION_NAME "usher"

struct store_pg_conn {
    struct pg_store *owner;
    PGconn *pg;
    /* The statement text (by address) prepared in each slot, or NULL. */
    const char *prepared[STMT_CACHE_SIZE];
    bool broken;
    bool busy;
};

struct pg_store {
    struct store base;
    char *conninfo;
    unsigned size;
    struct store_pg_conn *conns;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    /* Failed connection attempts in a row, and when the next may run. */
    unsigned failures;
    int64_t retry_at;
    int64_t backoff;
};

/* ----- connections ------------------------------------------------------ */

static void on_notice(void *arg, const char *message)
{
    size_t len = strlen(message);
    char *text =
        xstrndup(message, len > 0 && message[len - 1] == '\n' ? len - 1 : len);

    (void)arg;
    log_kv(LOG_DEBUG, "store", "database notice", "detail", text, NULL);
    free(text);
}

/* Open a connection; the connection string's own settings win over the
 * defaults placed before it. */
static PGconn *connect_db(const char *conninfo)
{
    static const char *const keys[] = {"connect_timeout",
                                       "keepalives_idle",
                                       "keepalives_interval",
                                       "keepalives_count",
                                       "tcp_user_timeout",
                                       "application_name",
                                       "dbname",
                                       NULL};
    const char *values[] = {DEFAULT_CONNECT_TIMEOUT,
                            DEFAULT_KEEPALIVES_IDLE,
                            DEFAULT_KEEPALIVES_INTERVAL,
                            DEFAULT_KEEPALIVES_COUNT,
                            DEFAULT_TCP_USER_TIMEOUT,
                            APPLICATION_NAME,
                            conninfo,
                            NULL};

    return PQconnectdbParams(keys, values, 1);
}

/* Copy libpq's error text into the store error, without its newline. */
static void set_conn_error(const char *what, PGconn *pg)
{
    const char *msg = pg ? PQerrorMessage(pg) : "out of memory";
    size_t len = strlen(msg);

    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    store_set_error("%s: %.*s", what, (int)len, msg);
}

static void close_conn(struct store_pg_conn *conn)
{
    PQfinish(conn->pg);
    conn->pg = NULL;
    conn->broken = false;
    memset(conn->prepared, 0, sizeof(conn->prepared));
}

/*
 * Report whether an idle connection can take a statement. Nothing should
 * arrive on an idle connection, so anything to read means the server ended
 * it (a shutdown sends a FATAL message and closes the socket).
 */
static bool still_usable(struct store_pg_conn *conn)
{
    struct pollfd pfd;

    if (conn->broken || PQstatus(conn->pg) != CONNECTION_OK ||
        PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
        return false;
    pfd.fd = PQsocket(conn->pg);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (pfd.fd < 0)
        return false;
    return poll(&pfd, 1, 0) == 0;
}

/* Decide under the lock whether a connection attempt may run now. */
static bool may_attempt(struct pg_store *store)
{
    int64_t now = timestamp_monotonic();
    bool allowed = true;

    pthread_mutex_lock(&store->lock);
    if (store->failures > 0) {
        if (now < store->retry_at) {
            store_set_error("database unavailable; next connection attempt "
                            "in %lld ms",
                            (long long)((store->retry_at - now) / 1000));
            allowed = false;
        } else {
            /* Claim this attempt: others fail at once until it is done. */
            store->retry_at = now + store->backoff;
        }
    }
    pthread_mutex_unlock(&store->lock);
    return allowed;
}

static void record_failure(struct pg_store *store)
{
    char attempt[24];
    char retry_in[32];

    pthread_mutex_lock(&store->lock);
    store->failures++;
    store->retry_at = timestamp_monotonic() + store->backoff;
    snprintf(attempt, sizeof(attempt), "%u", store->failures);
    snprintf(retry_in, sizeof(retry_in), "%lldms",
             (long long)(store->backoff / 1000));
    store->backoff *= 2;
    if (store->backoff > BACKOFF_MAX_US)
        store->backoff = BACKOFF_MAX_US;
    pthread_mutex_unlock(&store->lock);
    log_kv(LOG_WARN, "store", "cannot connect to the database, will retry",
           "attempt", attempt, "retry_in", retry_in, "detail",
           store_last_error(), NULL);
}

static void record_success(struct pg_store *store)
{
    char attempts[24];
    unsigned failures;

    pthread_mutex_lock(&store->lock);
    failures = store->failures;
    store->failures = 0;
    store->retry_at = 0;
    store->backoff = BACKOFF_FIRST_US;
    pthread_mutex_unlock(&store->lock);
    if (failures > 0) {
        snprintf(attempts, sizeof(attempts), "%u", failures + 1);
        log_kv(LOG_INFO, "store", "reconnected to the database", "attempts",
               attempts, NULL);
    }
}

static int open_conn(struct pg_store *store, struct store_pg_conn *conn)
{
    PGconn *pg;

    if (!may_attempt(store))
        return -1;
    pg = connect_db(store->conninfo);
    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        set_conn_error("cannot connect to the database", pg);
        PQfinish(pg);
        record_failure(store);
        return -1;
    }
    PQsetNoticeProcessor(pg, on_notice, NULL);
    record_success(store);
    conn->pg = pg;
    conn->broken = false;
    memset(conn->prepared, 0, sizeof(conn->prepared));
    return 0;
}

/* Wait for a free slot, preferring one that has a connection. */
static struct store_pg_conn *take_slot(struct pg_store *store)
{
    struct timespec deadline;
    struct store_pg_conn *found = NULL;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += ACQUIRE_TIMEOUT_US / TIMESTAMP_US_PER_SECOND;
    pthread_mutex_lock(&store->lock);
    while (found == NULL) {
        for (unsigned i = 0; i < store->size; i++) {
            struct store_pg_conn *c = &store->conns[i];

            if (c->busy)
                continue;
            if (found == NULL || (found->pg == NULL && c->pg != NULL))
                found = c;
        }
        if (found != NULL)
            break;
        if (pthread_cond_timedwait(&store->freed, &store->lock, &deadline) ==
            ETIMEDOUT) {
            store_set_error("no database connection came free in time");
            break;
        }
    }
    if (found != NULL)
        found->busy = true;
    pthread_mutex_unlock(&store->lock);
    return found;
}

static void give_slot(struct store_pg_conn *conn)
{
    struct pg_store *store = conn->owner;

    pthread_mutex_lock(&store->lock);
    conn->busy = false;
    pthread_cond_signal(&store->freed);
    pthread_mutex_unlock(&store->lock);
}

struct store_pg_conn *store_pg_acquire(struct store *base)
{
    struct pg_store *store = (struct pg_store *)base;
    struct store_pg_conn *conn = take_slot(store);

    if (conn == NULL)
        return NULL;
    if (conn->pg != NULL && !still_usable(conn)) {
        log_kv(LOG_WARN, "store", "closing a lost database connection", NULL);
        close_conn(conn);
    }
    if (conn->pg == NULL && open_conn(store, conn) != 0) {
        give_slot(conn);
        return NULL;
    }
    return conn;
}

void store_pg_release(struct store_pg_conn *conn)
{
    if (conn == NULL)
        return;
    /* A connection left inside a transaction would leak it into the next
     * call; closing it rolls the transaction back. */
    if (conn->pg != NULL &&
        (conn->broken || PQstatus(conn->pg) != CONNECTION_OK ||
         PQtransactionStatus(conn->pg) != PQTRANS_IDLE)) {
        log_kv(LOG_WARN, "store", "closing a lost database connection",
               "detail", store_last_error(), NULL);
        close_conn(conn);
    }
    give_slot(conn);
}

PGconn *store_pg_handle(struct store_pg_conn *conn)
{
    return conn->pg;
}

/* ----- statements ------------------------------------------------------- */

/* Report whether SQLSTATE state means the server cannot serve right now;
 * *lost tells whether the connection is gone too. */
static bool state_unavailable(const char *state, bool *lost)
{
    static const char *const transient[] = {
        "53300", /* too_many_connections */
        "40001", /* serialization_failure */
        "40P01", /* deadlock_detected */
        "55P03", /* lock_not_available */
        "57014", /* query_canceled */
    };

    *lost = strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0;
    if (*lost)
        return true;
    for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
        if (strcmp(state, transient[i]) == 0)
            return true;
    }
    return false;
}

enum store_result store_pg_fail(struct store_pg_conn *conn, const PGresult *res,
                                const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg =
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    bool lost = false;

    if (msg != NULL)
        store_set_error("%s: %s", what, msg);
    else
        set_conn_error(what, conn->pg);
    if (PQstatus(conn->pg) != CONNECTION_OK) {
        conn->broken = true;
        return STORE_UNAVAILABLE;
    }
    if (state == NULL)
        return STORE_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return STORE_CONFLICT;
    if (state_unavailable(state, &lost)) {
        conn->broken = conn->broken || lost;
        return STORE_UNAVAILABLE;
    }
    return STORE_ERROR;
}

/* Return the name of sql's prepared statement on conn, preparing it on
 * first use; NULL on failure with *result set. */
static const char *prepared_name(struct store_pg_conn *conn, const char *sql,
                                 char name[16], enum store_result *result)
{
    size_t slot = ((uintptr_t)sql >> 3) % STMT_CACHE_SIZE;
    PGresult *res;

    for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
        size_t at = (slot + i) % STMT_CACHE_SIZE;

        snprintf(name, 16, "usher_%zu", at);
        if (conn->prepared[at] == sql)
            return name;
        if (conn->prepared[at] != NULL)
            continue;
        res = PQprepare(conn->pg, name, sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            *result = store_pg_fail(conn, res, "prepare statement");
            PQclear(res);
            return NULL;
        }
        PQclear(res);
        conn->prepared[at] = sql;
        return name;
    }
    /* NOTE: more distinct statements than cache slots is a bug to fix by
     * raising STMT_CACHE_SIZE, so nothing is evicted. */
    store_set_error("statement cache is full");
    *result = STORE_ERROR;
    return NULL;
}

/* Check a statement's result: keep it for the caller or clear it. */
static enum store_result finish(struct store_pg_conn *conn, PGresult *res,
                                PGresult **out, const char *what)
{
    ExecStatusType status = PQresultStatus(res);
    enum store_result result;

    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        result = store_pg_fail(conn, res, what);
        PQclear(res);
        return result;
    }
    if (out != NULL)
        *out = res;
    else
        PQclear(res);
    return STORE_OK;
}

enum store_result store_pg_run(struct store_pg_conn *conn, const char *sql,
                               const struct store_pg_params *p, PGresult **res,
                               const char *what)
{
    enum store_result result = STORE_ERROR;
    char name[16];

    if (p != NULL && p->matches_nothing) {
        store_set_error("%s: no such row", what);
        return STORE_NOT_FOUND;
    }
    if (prepared_name(conn, sql, name, &result) == NULL)
        return result;
    return finish(conn,
                  PQexecPrepared(conn->pg, name, p ? p->count : 0,
                                 p ? p->values : NULL, NULL, NULL, 0),
                  res, what);
}

enum store_result store_pg_run_dynamic(struct store_pg_conn *conn,
                                       const char *sql,
                                       const struct store_pg_params *p,
                                       PGresult **res, const char *what)
{
    return finish(conn,
                  PQexecParams(conn->pg, sql, p ? p->count : 0, NULL,
                               p ? p->values : NULL, NULL, NULL, 0),
                  res, what);
}

enum store_result store_pg_change(struct store_pg_conn *conn, const char *sql,
                                  const struct store_pg_params *p,
                                  const char *what)
{
    PGresult *res = NULL;
    enum store_result result = store_pg_run(conn, sql, p, &res, what);

    if (result == STORE_OK && strcmp(PQcmdTuples(res), "0") == 0) {
        store_set_error("%s: no such row", what);
        result = STORE_NOT_FOUND;
    }
    PQclear(res);
    return result;
}

enum store_result store_pg_query(struct store *store, const char *sql,
                                 const struct store_pg_params *p,
                                 PGresult **res, const char *what)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_run(conn, sql, p, res, what);
    store_pg_release(conn);
    return result;
}

enum store_result store_pg_query_change(struct store *store, const char *sql,
                                        const struct store_pg_params *p,
                                        const char *what)
{
    struct store_pg_conn *conn = store_pg_acquire(store);
    enum store_result result;

    if (conn == NULL)
        return STORE_UNAVAILABLE;
    result = store_pg_change(conn, sql, p, what);
    store_pg_release(conn);
    return result;
}

static enum store_result run_simple(struct store_pg_conn *conn, const char *sql,
                                    const char *what)
{
    PGresult *res = PQexec(conn->pg, sql);
    enum store_result result = STORE_OK;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        result = store_pg_fail(conn, res, what);
    else if (strcmp(sql, "COMMIT") == 0 &&
             strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        /* COMMIT of a failed transaction returns the ROLLBACK tag. */
        store_set_error("%s: the transaction was rolled back", what);
        result = STORE_ERROR;
    }
    PQclear(res);
    return result;
}

enum store_result store_pg_begin(struct store_pg_conn *conn)
{
    return run_simple(conn, "BEGIN", "begin transaction");
}

enum store_result store_pg_commit(struct store_pg_conn *conn)
{
    enum store_result result = run_simple(conn, "COMMIT", "commit");

    if (result != STORE_OK)
        store_pg_rollback(conn);
    return result;
}

enum store_result store_pg_end(struct store_pg_conn *conn,
                               enum store_result result)
{
    if (result == STORE_OK)
        result = store_pg_commit(conn);
    else
        store_pg_rollback(conn);
    store_pg_release(conn);
    return result;
}

void store_pg_rollback(struct store_pg_conn *conn)
{
    if (conn->pg != NULL && PQstatus(conn->pg) == CONNECTION_OK &&
        PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
        PQclear(PQexec(conn->pg, "ROLLBACK"));
}

/* ----- the store itself ------------------------------------------------- */

static void pg_free(struct store *base)
{
    struct pg_store *store = (struct pg_store *)base;

    for (unsigned i = 0; i < store->size; i++) {
        if (store->conns[i].pg != NULL)
            close_conn(&store->conns[i]);
    }
    free(store->conns);
    pthread_cond_destroy(&store->freed);
    pthread_mutex_destroy(&store->lock);
    free(store->conninfo);
    free(store);
}

static const char sql_deployment_id[] =
    "SELECT value FROM site_configs WHERE key = 'deployment_id'";

static enum store_result pg_deployment_id(struct store *store, char *out)
{
    PGresult *res = NULL;
    enum store_result result =
        store_pg_query(store, sql_deployment_id, NULL, &res,
                       "read "
                       "deployment id");

    if (result == STORE_OK && PQntuples(res) == 0)
        result = STORE_NOT_FOUND;
    if (result == STORE_OK)
        store_pg_copy(res, 0, 0, out, UUID_STR_LEN + 1);
    PQclear(res);
    return result;
}

static const struct store_ops postgres_ops = {
    .name = "postgres",
    .free = pg_free,
    .deployment_id = pg_deployment_id,
    .org_get_default = store_pg_org_get_default,
    .org_get_by_id = store_pg_org_get_by_id,
    .org_get_by_name = store_pg_org_get_by_name,
    .org_list_for_user = store_pg_org_list_for_user,
    .org_membership_roles = store_pg_org_membership_roles,
    .user_count = store_pg_user_count,
    .user_get_by_id = store_pg_user_get_by_id,
    .user_get_by_username = store_pg_user_get_by_username,
    .user_get_by_email = store_pg_user_get_by_email,
    .user_insert = store_pg_user_insert,
    .user_list = store_pg_user_list,
    .user_update_profile = store_pg_user_update_profile,
    .user_update_status = store_pg_user_update_status,
    .user_activate_if_dormant = store_pg_user_activate_if_dormant,
    .user_update_roles = store_pg_user_update_roles,
    .user_update_password = store_pg_user_update_password,
    .user_set_one_time_passcode = store_pg_user_set_one_time_passcode,
    .user_delete = store_pg_user_delete,
    .user_touch = store_pg_user_touch,
    .apikey_insert = store_pg_apikey_insert,
    .apikey_get = store_pg_apikey_get,
    .apikey_get_token_by_name = store_pg_apikey_get_token_by_name,
    .apikey_list_tokens = store_pg_apikey_list_tokens,
    .apikey_delete = store_pg_apikey_delete,
    .apikey_delete_app_connect = store_pg_apikey_delete_app_connect,
    .apikey_touch = store_pg_apikey_touch,
    .auth_lookup = store_pg_auth_lookup,
    .gitsshkey_get = store_pg_gitsshkey_get,
    .gitsshkey_put = store_pg_gitsshkey_put,
    .user_config_get = store_pg_user_config_get,
    .user_config_set = store_pg_user_config_set,
};

/* Connect once to migrate and report where the store lives; the pool
 * opens its own connections afterwards. */
static int prepare_database(const char *conninfo, char *err, size_t errsize)
{
    PGconn *pg = connect_db(conninfo);
    int rc = -1;

    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        set_conn_error("cannot connect to the database", pg);
        snprintf(err, errsize, "%s", store_last_error());
        goto out;
    }
    PQsetNoticeProcessor(pg, on_notice, NULL);
    if (store_pg_migrate(pg, err, errsize) != 0)
        goto out;
    log_kv(LOG_INFO, "store", "opened database", "backend", "postgres", "host",
           PQhost(pg), "database", PQdb(pg), NULL);
    rc = 0;

out:
    PQfinish(pg);
    return rc;
}

static struct pg_store *new_store(const struct store_config *config)
{
    struct pg_store *store = xcalloc(1, sizeof(*store));
    pthread_condattr_t attr;

    store->base.ops = &postgres_ops;
    store->conninfo = xstrdup(config->postgres_url);
    store->size = config->max_connections > 0 ? config->max_connections : 1;
    store->conns = xcalloc(store->size, sizeof(*store->conns));
    for (unsigned i = 0; i < store->size; i++)
        store->conns[i].owner = store;
    store->backoff = BACKOFF_FIRST_US;
    pthread_mutex_init(&store->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&store->freed, &attr);
    pthread_condattr_destroy(&attr);
    return store;
}

struct store *store_postgres_open(const struct store_config *config, char *err,
                                  size_t errsize)
{
    struct pg_store *store;

    if (prepare_database(config->postgres_url, err, errsize) != 0)
        return NULL;
    store = new_store(config);
    return &store->base;
}
