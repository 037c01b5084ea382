#ifndef USHER_STORE_POSTGRES_INTERNAL_H
#define USHER_STORE_POSTGRES_INTERNAL_H

/*
 * Shared pieces of the PostgreSQL backend, used by postgres.c (the pool and
 * the helpers), postgres_migrate.c and the postgres_*.c files that
 * implement the store operations by topic.
 *
 * Every parameter and every result column is in libpq's text format.
 * Times cross as integer microseconds, converted by the micros_to_time()
 * and time_to_micros() SQL functions that the first migration defines.
 */

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/backend.h"

/* A pooled connection, checked out by one thread for one store call. */
struct store_pg_conn;

/*
 * Check out a connection from the pool, waiting while every one is busy,
 * and (re)connecting when the slot has none. Returns NULL with the store
 * error set when the database cannot be reached, while a reconnection
 * back-off is running, or when no connection came free in time. Callers
 * then return STORE_UNAVAILABLE. Give it back with store_pg_release.
 */
struct store_pg_conn *store_pg_acquire(struct store *store);

/* Return a connection to the pool; a broken one is closed. NULL is ok. */
void store_pg_release(struct store_pg_conn *conn);

/* Return the libpq handle of a checked-out connection. */
PGconn *store_pg_handle(struct store_pg_conn *conn);

/* ----- parameters -------------------------------------------------------- */

#define STORE_PG_MAX_PARAMS 24

/* The text parameters of one statement, numbered $1, $2, … in order. */
struct store_pg_params {
    int count;
    /* Set by store_pg_add_key for text that no stored row can contain. */
    bool matches_nothing;
    const char *values[STORE_PG_MAX_PARAMS];
    char numbers[STORE_PG_MAX_PARAMS][24];
    char *owned[STORE_PG_MAX_PARAMS];
};

/* Empty params; store_pg_params_release frees what the add calls copied. */
void store_pg_params_init(struct store_pg_params *p);
void store_pg_params_release(struct store_pg_params *p);

/* Add a string, which must outlive the statement (NULL adds ""). */
void store_pg_add_text(struct store_pg_params *p, const char *text);

/*
 * Add text that only selects rows, such as a name from a request path.
 * The database stores valid UTF-8 only, so for anything else the
 * statement is not run and store_pg_run returns STORE_NOT_FOUND.
 */
void store_pg_add_key(struct store_pg_params *p, const char *text);

/* Add a heap string that the params then own and free. */
void store_pg_add_take(struct store_pg_params *p, char *text);

/* Add SQL NULL. */
void store_pg_add_null(struct store_pg_params *p);

void store_pg_add_int(struct store_pg_params *p, int64_t value);
void store_pg_add_bool(struct store_pg_params *p, bool value);

/*
 * Add an id for a uuid column. Text that is not a lower-case canonical
 * UUID becomes the nil UUID, which names no row, so a lookup by a
 * malformed id finds nothing (as it would in SQLite) instead of failing.
 */
void store_pg_add_uuid(struct store_pg_params *p, const char *id);

/* Add a text[] literal with every item of list. */
void store_pg_add_strlist(struct store_pg_params *p,
                          const struct strlist *list);

/* Add bytes as lower-case hex, for decode($n, 'hex'). */
void store_pg_add_hex(struct store_pg_params *p, const unsigned char *data,
                      size_t len);

/* ----- statements -------------------------------------------------------- */

/*
 * Run sql as a prepared statement on conn, preparing it on the first use
 * on that connection. sql must be a string constant: statements are cached
 * by its address. On STORE_OK, *res (when res is not NULL) is the
 * result for the caller to PQclear. Failures are mapped as
 * store_pg_fail does; params that match nothing give STORE_NOT_FOUND.
 */
enum store_result store_pg_run(struct store_pg_conn *conn, const char *sql,
                               const struct store_pg_params *p, PGresult **res,
                               const char *what);

/* As store_pg_run, for SQL built at run time: parsed on every call. */
enum store_result store_pg_run_dynamic(struct store_pg_conn *conn,
                                       const char *sql,
                                       const struct store_pg_params *p,
                                       PGresult **res, const char *what);

/*
 * Run one UPDATE or DELETE and report STORE_NOT_FOUND when it changed no
 * row.
 */
enum store_result store_pg_change(struct store_pg_conn *conn, const char *sql,
                                  const struct store_pg_params *p,
                                  const char *what);

/*
 * Check out a connection, run one statement as store_pg_run does and give
 * the connection back: the whole of most store calls.
 */
enum store_result store_pg_query(struct store *store, const char *sql,
                                 const struct store_pg_params *p,
                                 PGresult **res, const char *what);

/* As store_pg_query with store_pg_change. */
enum store_result store_pg_query_change(struct store *store, const char *sql,
                                        const struct store_pg_params *p,
                                        const char *what);

/*
 * Map a failed result (res may be NULL) to a store result and record the
 * error text with what as context. A lost connection, a server shutting
 * down or starting, too many connections and serialization failures are
 * STORE_UNAVAILABLE, and a broken connection is also marked for closing.
 * Integrity constraint violations are STORE_CONFLICT.
 */
enum store_result store_pg_fail(struct store_pg_conn *conn, const PGresult *res,
                                const char *what);

/* Start, commit and roll back a transaction. */
enum store_result store_pg_begin(struct store_pg_conn *conn);
enum store_result store_pg_commit(struct store_pg_conn *conn);
void store_pg_rollback(struct store_pg_conn *conn);

/* Finish a transaction whose steps gave result: commit when it is
 * STORE_OK, roll back otherwise, and give the connection back. Returns
 * the outcome. */
enum store_result store_pg_end(struct store_pg_conn *conn,
                               enum store_result result);

/* ----- results ----------------------------------------------------------- */

/* Return a heap copy of a column ("" for NULL). */
char *store_pg_dup(const PGresult *res, int row, int col);

/* Copy a column into a fixed buffer, truncating. */
void store_pg_copy(const PGresult *res, int row, int col, char *out,
                   size_t size);

/* Return a bigint column; 0 for NULL or text that is not a number. */
int64_t store_pg_int(const PGresult *res, int row, int col);

/* Return a boolean column (false for NULL). */
bool store_pg_bool(const PGresult *res, int row, int col);

/* Return a column's text, "" when it is SQL NULL; valid while res is. */
const char *store_pg_text(const PGresult *res, int row, int col);

/* Append the strings of a JSON array column to list (nothing for NULL). */
void store_pg_json_strlist(const PGresult *res, int row, int col,
                           struct strlist *list);

/*
 * Decode a hex column of exactly len bytes into out. Returns 0, or -1 when
 * the column has another length or is not hex.
 */
int store_pg_hex(const PGresult *res, int row, int col, unsigned char *out,
                 size_t len);

/*
 * The columns every user query selects, for users aliased as "u", read
 * back by store_pg_read_user starting at the given column.
 */
#define STORE_PG_USER_COLUMNS                                                  \
    "u.id, u.email, u.username, u.name, u.avatar_url, u.hashed_password, "     \
    "time_to_micros(u.created_at), time_to_micros(u.updated_at), "             \
    "time_to_micros(u.last_seen_at), u.status, u.login_type, "                 \
    "array_to_json(u.rbac_roles), u.deleted, u.hashed_one_time_passcode, "     \
    "coalesce(time_to_micros(u.one_time_passcode_expires_at), 0), "            \
    "coalesce(u.github_com_user_id, 0), "                                      \
    "(SELECT json_agg(m.organization_id ORDER BY m.organization_id) "          \
    "FROM organization_members m WHERE m.user_id = u.id)"
#define STORE_PG_USER_COLUMN_COUNT 17

void store_pg_read_user(const PGresult *res, int row, int first,
                        struct user *out);

/*
 * Build the SQL text and parameters store_pg_user_list runs for query, so
 * that a test can check its plan. Caller frees the text and releases p.
 */
char *store_pg_user_list_sql(const struct store_user_query *query,
                             struct store_pg_params *p);

/* ----- start-up ---------------------------------------------------------- */

/*
 * Apply pending migrations and create the default organization and the
 * deployment id, holding an advisory lock so that servers starting
 * together take turns. Returns 0, or -1 with the reason in err.
 */
int store_pg_migrate(PGconn *conn, char *err, size_t errsize);

/* ----- operations, implemented by topic in the postgres_*.c files -------- */

enum store_result store_pg_org_get_default(struct store *,
                                           struct organization *);
enum store_result store_pg_org_get_by_id(struct store *, const char *,
                                         struct organization *);
enum store_result store_pg_org_get_by_name(struct store *, const char *,
                                           struct organization *);
enum store_result store_pg_org_list_for_user(struct store *, const char *,
                                             struct organization **, size_t *);
enum store_result store_pg_org_membership_roles(struct store *, const char *,
                                                struct strlist *,
                                                struct strlist **);

enum store_result store_pg_user_count(struct store *, int64_t *);
enum store_result store_pg_user_get_by_id(struct store *, const char *,
                                          struct user *);
enum store_result store_pg_user_get_by_username(struct store *, const char *,
                                                struct user *);
enum store_result store_pg_user_get_by_email(struct store *, const char *,
                                             struct user *);
enum store_result store_pg_user_insert(struct store *,
                                       const struct store_new_user *);
enum store_result store_pg_user_list(struct store *,
                                     const struct store_user_query *,
                                     struct user **, size_t *, int64_t *);
enum store_result store_pg_user_update_profile(struct store *, const char *,
                                               const char *, const char *,
                                               int64_t);
enum store_result store_pg_user_update_status(struct store *, const char *,
                                              enum user_status, int64_t);
enum store_result store_pg_user_activate_if_dormant(struct store *,
                                                    const char *, int64_t);
enum store_result store_pg_user_update_roles(struct store *, const char *,
                                             const struct strlist *, int64_t);
enum store_result store_pg_user_update_password(struct store *, const char *,
                                                const char *, const char *,
                                                int64_t);
enum store_result store_pg_user_set_one_time_passcode(struct store *,
                                                      const char *,
                                                      const char *, int64_t);
enum store_result store_pg_user_delete(struct store *, const char *, int64_t);
enum store_result store_pg_user_touch(struct store *, const char *, int64_t);

enum store_result store_pg_apikey_insert(struct store *, const struct apikey *,
                                         const struct store_key_guard *);
enum store_result store_pg_apikey_get(struct store *, const char *,
                                      struct apikey *);
enum store_result store_pg_apikey_get_token_by_name(struct store *,
                                                    const char *, const char *,
                                                    struct apikey *);
enum store_result store_pg_apikey_list_tokens(struct store *, const char *,
                                              struct store_apikey_row **,
                                              size_t *);
enum store_result store_pg_apikey_delete(struct store *, const char *);
enum store_result store_pg_apikey_delete_app_connect(struct store *,
                                                     const char *);
enum store_result store_pg_apikey_touch(struct store *, const char *, int64_t,
                                        int64_t, const char *);
enum store_result store_pg_auth_lookup(struct store *, const char *,
                                       struct store_auth *);

enum store_result store_pg_gitsshkey_get(struct store *, const char *,
                                         struct gitsshkey *);
enum store_result store_pg_gitsshkey_put(struct store *,
                                         const struct gitsshkey *, bool);
enum store_result store_pg_user_config_get(struct store *, const char *,
                                           const char *, char **);
enum store_result store_pg_user_config_set(struct store *, const char *,
                                           const char *const *,
                                           const char *const *, size_t);

#endif
