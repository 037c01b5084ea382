/* SPDX-License-Identifier: MIT */
/* usher-seed for PostgreSQL: COPY the users, then one INSERT … SELECT. */
#include "seed.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/timestamp.h"
#include "util/uuid.h"

/* Bytes of COPY data collected before each PQputCopyData call. */
#define COPY_CHUNK (1u << 20)

/* Room for one COPY line of a member. */
#define COPY_LINE_MAX 512

static const char sql_copy_users[] =
    "COPY users (id, email, username, hashed_password, created_at, "
    "updated_at, last_seen_at, status, login_type) FROM STDIN";

/* Every member without a membership joins the default organization. */
static const char sql_insert_members[] =
    "INSERT INTO organization_members (user_id, organization_id, created_at, "
    "updated_at) SELECT u.id, $1, u.created_at, u.created_at FROM users u "
    "WHERE NOT EXISTS (SELECT 1 FROM organization_members m "
    "WHERE m.user_id = u.id)";

/* Run after the load, each outside a transaction. The trigram index
 * takes new rows into a pending list that every search reads in full
 * until it is merged, as autovacuum would do soon after a bulk load. */
static const char *const sql_after_load[] = {
    "SELECT gin_clean_pending_list('users_search_trgm_idx'::regclass)",
    "VACUUM (ANALYZE) users",
    "VACUUM (ANALYZE) organization_members",
};

static int command(PGconn *conn, const char *sql, int nparams,
                   const char *const *params, char *err, size_t errsize)
{
    PGresult *res =
        PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(res);
    int rc = 0;

    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        snprintf(err, errsize, "%s: %s", sql, PQerrorMessage(conn));
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* COPY's text format gives backslash, tab and newline a meaning. */
static bool copy_safe(const char *text)
{
    return strpbrk(text, "\\\t\n\r") == NULL;
}

/* Append member i's COPY line to chunk at *len. */
static int format_line(const struct seed_plan *plan, int64_t i,
                       const char *never, char *chunk, size_t *len, char *err,
                       size_t errsize)
{
    char id[UUID_STR_LEN + 1];
    char username[SEED_NAME_MAX];
    char email[SEED_NAME_MAX];
    char created[TIMESTAMP_STR_MAX];
    int written;

    if (uuid_generate(id) != 0) {
        snprintf(err, errsize, "cannot generate a user id");
        return -1;
    }
    seed_username(i, username);
    seed_email(i, email);
    timestamp_format(plan->first_created_at + i, created, sizeof(created));
    written =
        snprintf(chunk + *len, COPY_LINE_MAX,
                 "%s\t%s\t%s\t%s\t%s\t%s\t%s\tactive\tpassword\n", id, email,
                 username, plan->hashed_password, created, created, never);
    if (written < 0 || written >= COPY_LINE_MAX) {
        snprintf(err, errsize, "COPY line of member %lld is too long",
                 (long long)i);
        return -1;
    }
    *len += (size_t)written;
    return 0;
}

static int send_chunk(PGconn *conn, const char *chunk, size_t len, char *err,
                      size_t errsize)
{
    if (len == 0 || PQputCopyData(conn, chunk, (int)len) == 1)
        return 0;
    snprintf(err, errsize, "COPY failed: %s", PQerrorMessage(conn));
    return -1;
}

/* Stream every member's row; on failure the COPY is ended with an error. */
static int stream_rows(PGconn *conn, const struct seed_plan *plan, char *err,
                       size_t errsize)
{
    static char chunk[COPY_CHUNK + COPY_LINE_MAX];
    char never[TIMESTAMP_STR_MAX];
    size_t len = 0;

    timestamp_format(TIMESTAMP_ZERO, never, sizeof(never));
    for (int64_t i = 1; i <= plan->users; i++) {
        if (format_line(plan, i, never, chunk, &len, err, errsize) != 0)
            return -1;
        if (len >= COPY_CHUNK) {
            if (send_chunk(conn, chunk, len, err, errsize) != 0)
                return -1;
            len = 0;
        }
    }
    return send_chunk(conn, chunk, len, err, errsize);
}

static int copy_users(PGconn *conn, const struct seed_plan *plan, char *err,
                      size_t errsize)
{
    PGresult *res = PQexec(conn, sql_copy_users);
    int streamed;
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COPY_IN) {
        snprintf(err, errsize, "cannot start COPY: %s", PQerrorMessage(conn));
        PQclear(res);
        return -1;
    }
    PQclear(res);
    streamed = stream_rows(conn, plan, err, errsize);
    if (PQputCopyEnd(conn, streamed == 0 ? NULL : "seeding failed") != 1) {
        snprintf(err, errsize, "cannot end COPY: %s", PQerrorMessage(conn));
        return -1;
    }
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0 &&
            streamed == 0) {
            snprintf(err, errsize, "COPY failed: %s", PQerrorMessage(conn));
            rc = -1;
        }
        PQclear(res);
    }
    return streamed != 0 ? -1 : rc;
}

static int load(PGconn *conn, const struct seed_plan *plan, char *err,
                size_t errsize)
{
    const char *org[] = {plan->organization_id};

    /* Memory for merging index entries during the load. */
    if (command(conn, "SET work_mem = '256MB'", 0, NULL, err, errsize) != 0 ||
        command(conn, "SET maintenance_work_mem = '512MB'", 0, NULL, err,
                errsize) != 0 ||
        command(conn, "BEGIN", 0, NULL, err, errsize) != 0)
        return -1;
    if (copy_users(conn, plan, err, errsize) != 0 ||
        command(conn, sql_insert_members, 1, org, err, errsize) != 0 ||
        command(conn, "COMMIT", 0, NULL, err, errsize) != 0) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    for (size_t i = 0; i < sizeof(sql_after_load) / sizeof(sql_after_load[0]);
         i++) {
        if (command(conn, sql_after_load[i], 0, NULL, err, errsize) != 0)
            return -1;
    }
    return 0;
}

int seed_postgres(const char *url, const struct seed_plan *plan, char *err,
                  size_t errsize)
{
    PGconn *conn;
    int rc = -1;

    if (!copy_safe(plan->hashed_password) ||
        !copy_safe(plan->organization_id)) {
        snprintf(err, errsize, "the password hash cannot go into COPY text");
        return -1;
    }
    conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errsize, "cannot connect: %s", PQerrorMessage(conn));
        goto out;
    }
    rc = load(conn, plan, err, errsize);

out:
    PQfinish(conn);
    return rc;
}
