#ifndef USHER_BENCH_SEED_H
#define USHER_BENCH_SEED_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bulk writes of benchmark users, straight into a store that store_open
 * has already migrated. Every member gets the same password hash, a
 * membership in the default organization and no git SSH key. Usernames
 * are "user-" and a zero-padded number from 1 to users, e-mail addresses
 * the username at example.com.
 */

/* Maximum number of members: usernames have seven digits. */
#define SEED_MAX_USERS 9999999

/* Room for a member's username or e-mail address, with NUL. */
#define SEED_NAME_MAX 64

struct seed_plan {
    int64_t users;               /* members to create, 0..SEED_MAX_USERS */
    const char *hashed_password; /* stored for every member */
    const char *organization_id; /* the default organization */
    int64_t first_created_at;    /* member i was created i µs after this */
};

/* Write the username of member i (1-based) into out. */
void seed_username(int64_t i, char out[SEED_NAME_MAX]);

/* Write the e-mail address of member i (1-based) into out. */
void seed_email(int64_t i, char out[SEED_NAME_MAX]);

/*
 * Insert the plan's members into the SQLite database at path in one
 * transaction with prepared statements (the full-text triggers fire for
 * each row), then run ANALYZE and truncate the write-ahead log. Returns
 * 0, or -1 with the reason in err; a failure rolls every row back.
 */
int seed_sqlite(const char *path, const struct seed_plan *plan, char *err,
                size_t errsize);

/*
 * Load the plan's members into the PostgreSQL database named by url with
 * COPY in one transaction (PostgreSQL maintains every index, the trigram
 * index included), then flush the trigram index's pending list and run
 * VACUUM ANALYZE. Returns 0, or -1 with the reason in err; a failure
 * rolls every row back.
 */
int seed_postgres(const char *url, const struct seed_plan *plan, char *err,
                  size_t errsize);

#endif
