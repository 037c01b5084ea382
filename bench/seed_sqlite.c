/* SPDX-License-Identifier: MIT */
/* usher-seed for SQLite: one transaction, two prepared INSERTs per member. */
#include "seed.h"

#include <sqlite3.h>
#include <stdio.h>

#include "util/timestamp.h"
#include "util/uuid.h"

/*
 * Settings of the seeding connection. A benchmark database lost in a crash
 * costs nothing, so the writes skip fsync. A large page cache keeps the
 * indexes in memory while a million rows go in.
 */
static const char pragmas[] = "PRAGMA synchronous = OFF;"
                              "PRAGMA cache_size = -524288;"
                              "PRAGMA temp_store = MEMORY;";

static const char sql_insert_user[] =
    "INSERT INTO users (id, email, username, hashed_password, created_at, "
    "updated_at, last_seen_at, status, login_type) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 'active', 'password')";
static const char sql_insert_member[] =
    "INSERT INTO organization_members (user_id, organization_id, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?3)";

struct statements {
    sqlite3_stmt *user;
    sqlite3_stmt *member;
};

static int exec(sqlite3 *db, const char *sql, char *err, size_t errsize)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errsize, "%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

static int step_once(sqlite3 *db, sqlite3_stmt *stmt, char *err, size_t errsize)
{
    int rc = sqlite3_step(stmt);

    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE)
        return 0;
    snprintf(err, errsize, "insert failed: %s", sqlite3_errmsg(db));
    return -1;
}

static int insert_member(sqlite3 *db, const struct statements *s,
                         const struct seed_plan *plan, int64_t i, char *err,
                         size_t errsize)
{
    char id[UUID_STR_LEN + 1];
    char username[SEED_NAME_MAX];
    char email[SEED_NAME_MAX];
    int64_t created_at = plan->first_created_at + i;

    if (uuid_generate(id) != 0) {
        snprintf(err, errsize, "cannot generate a user id");
        return -1;
    }
    seed_username(i, username);
    seed_email(i, email);
    sqlite3_bind_text(s->user, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->user, 2, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->user, 3, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->user, 4, plan->hashed_password, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->user, 5, created_at);
    sqlite3_bind_int64(s->user, 6, TIMESTAMP_ZERO);
    if (step_once(db, s->user, err, errsize) != 0)
        return -1;

    sqlite3_bind_text(s->member, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->member, 2, plan->organization_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->member, 3, created_at);
    return step_once(db, s->member, err, errsize);
}

static int insert_all(sqlite3 *db, const struct seed_plan *plan, char *err,
                      size_t errsize)
{
    struct statements s = {NULL, NULL};
    int rc = -1;

    if (sqlite3_prepare_v2(db, sql_insert_user, -1, &s.user, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_insert_member, -1, &s.member, NULL) !=
            SQLITE_OK) {
        snprintf(err, errsize, "cannot prepare the inserts: %s",
                 sqlite3_errmsg(db));
        goto out;
    }
    for (int64_t i = 1; i <= plan->users; i++) {
        if (insert_member(db, &s, plan, i, err, errsize) != 0)
            goto out;
    }
    rc = 0;

out:
    sqlite3_finalize(s.user);
    sqlite3_finalize(s.member);
    return rc;
}

int seed_sqlite(const char *path, const struct seed_plan *plan, char *err,
                size_t errsize)
{
    sqlite3 *db = NULL;
    int rc = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errsize, "cannot open %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    if (exec(db, pragmas, err, errsize) != 0 ||
        exec(db, "BEGIN IMMEDIATE", err, errsize) != 0)
        goto out;
    if (insert_all(db, plan, err, errsize) != 0) {
        /* The reason is in err already; a failed rollback adds nothing. */
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    if (exec(db, "COMMIT", err, errsize) != 0 ||
        exec(db, "ANALYZE", err, errsize) != 0 ||
        exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", err, errsize) != 0)
        goto out;
    rc = 0;

out:
    sqlite3_close_v2(db);
    return rc;
}
