/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL backend: schema migrations and the rows every store starts
 * with. Several servers may start at once on one database, so the whole of
 * it runs under a session-level advisory lock: the first server migrates
 * and seeds, the others wait for the lock and then find nothing to do.
 */
#include "store/postgres_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/timestamp.h"
#include "util/uuid.h"

/* The advisory lock key: "usher" in ASCII, shared by every server. */
#define MIGRATION_LOCK "504447395186"

/* Run sql with text parameters; keep the result in *out when asked.
 * Returns 0, or -1 with the server's message in reason. */
static int run(PGconn *pg, const char *sql, int count,
               const char *const *values, PGresult **out, char *reason,
               size_t size)
{
    PGresult *res;
    ExecStatusType status;

    if (count == 0)
        res = PQexec(pg, sql);
    else
        res = PQexecParams(pg, sql, count, NULL, values, NULL, NULL, 0);
    status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        size_t len;

        if (msg == NULL)
            msg = PQerrorMessage(pg);
        len = strlen(msg);
        while (len > 0 && msg[len - 1] == '\n')
            len--;
        snprintf(reason, size, "%.*s", (int)len, msg);
        PQclear(res);
        return -1;
    }
    if (out != NULL)
        *out = res;
    else
        PQclear(res);
    return 0;
}

static void roll_back(PGconn *pg)
{
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        PQclear(PQexec(pg, "ROLLBACK"));
}

static int current_version(PGconn *pg, int *version, char *reason, size_t size)
{
    PGresult *res = NULL;
    int64_t value;

    if (run(pg,
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())",
            0, NULL, NULL, reason, size) != 0)
        return -1;
    if (run(pg, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0,
            NULL, &res, reason, size) != 0)
        return -1;
    value = store_pg_int(res, 0, 0);
    PQclear(res);
    *version = (int)value;
    return 0;
}

static int apply_migration(PGconn *pg, const struct store_migration *m,
                           char *err, size_t errsize)
{
    char version[16];
    const char *values[2];
    char reason[512];

    snprintf(version, sizeof(version), "%d", m->version);
    values[0] = version;
    values[1] = m->name;
    if (run(pg, "BEGIN", 0, NULL, NULL, reason, sizeof(reason)) != 0 ||
        run(pg, m->sql, 0, NULL, NULL, reason, sizeof(reason)) != 0 ||
        run(pg, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            2, values, NULL, reason, sizeof(reason)) != 0 ||
        run(pg, "COMMIT", 0, NULL, NULL, reason, sizeof(reason)) != 0) {
        roll_back(pg);
        snprintf(err, errsize, "migration %d (%s) failed: %s", m->version,
                 m->name, reason);
        return -1;
    }
    log_kv(LOG_INFO, "store", "applied migration", "backend", "postgres",
           "name", m->name, NULL);
    return 0;
}

/* Create the default organization and the deployment id when missing. */
static int seed_rows(PGconn *pg, char *err, size_t errsize)
{
    char org_id[UUID_STR_LEN + 1];
    char deployment_id[UUID_STR_LEN + 1];
    char now[24];
    const char *org[] = {org_id, STORE_DEFAULT_ORG_NAME,
                         STORE_DEFAULT_ORG_DISPLAY_NAME,
                         STORE_DEFAULT_ORG_DESCRIPTION, now};
    const char *site[] = {deployment_id};
    char reason[512];

    if (uuid_generate(org_id) != 0 || uuid_generate(deployment_id) != 0) {
        snprintf(err, errsize, "cannot generate ids");
        return -1;
    }
    snprintf(now, sizeof(now), "%lld", (long long)timestamp_now());
    if (run(pg, "BEGIN", 0, NULL, NULL, reason, sizeof(reason)) != 0 ||
        run(pg,
            "INSERT INTO organizations (id, name, display_name, description, "
            "created_at, updated_at, is_default) "
            "SELECT $1::uuid, $2, $3, $4, micros_to_time($5::bigint), "
            "micros_to_time($5::bigint), true WHERE NOT EXISTS "
            "(SELECT 1 FROM organizations WHERE is_default)",
            5, org, NULL, reason, sizeof(reason)) != 0 ||
        run(pg,
            "INSERT INTO site_configs (key, value) "
            "VALUES ('deployment_id', $1) ON CONFLICT (key) DO NOTHING",
            1, site, NULL, reason, sizeof(reason)) != 0 ||
        run(pg, "COMMIT", 0, NULL, NULL, reason, sizeof(reason)) != 0) {
        roll_back(pg);
        snprintf(err, errsize, "cannot create initial rows: %s", reason);
        return -1;
    }
    return 0;
}

static int migrate_locked(PGconn *pg, char *err, size_t errsize)
{
    int version = 0;
    char reason[512];

    if (current_version(pg, &version, reason, sizeof(reason)) != 0) {
        snprintf(err, errsize, "cannot read schema version: %s", reason);
        return -1;
    }
    for (size_t i = 0; i < store_postgres_migration_count; i++) {
        const struct store_migration *m = &store_postgres_migrations[i];

        if (m->version > version && apply_migration(pg, m, err, errsize) != 0)
            return -1;
    }
    return seed_rows(pg, err, errsize);
}

int store_pg_migrate(PGconn *pg, char *err, size_t errsize)
{
    char reason[512];
    int rc;

    if (run(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", 0, NULL, NULL,
            reason, sizeof(reason)) != 0) {
        snprintf(err, errsize, "cannot take the migration lock: %s", reason);
        return -1;
    }
    rc = migrate_locked(pg, err, errsize);
    /* Closing the connection would release the lock too; this is sooner. */
    if (run(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")", 0, NULL, NULL,
            reason, sizeof(reason)) != 0 &&
        rc == 0) {
        snprintf(err, errsize, "cannot release the migration lock: %s", reason);
        rc = -1;
    }
    return rc;
}
