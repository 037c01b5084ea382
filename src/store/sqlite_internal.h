#ifndef USHER_STORE_SQLITE_INTERNAL_H
#define USHER_STORE_SQLITE_INTERNAL_H

/*
 * Shared pieces of the SQLite backend, used by sqlite.c and the
 * sqlite_*.c files that implement the store operations by topic.
 */

#include <sqlite3.h>
#include <stdbool.h>

#include "store/backend.h"

/* One connection per thread, with its cache of prepared statements. */
struct store_sqlite_conn;

/*
 * Return the calling thread's connection, opening it on first use. Returns
 * NULL (with the store error set) when the database cannot be opened.
 */
struct store_sqlite_conn *store_sqlite_conn(struct store *store);

/* Return the connection's database handle. */
sqlite3 *store_sqlite_db(struct store_sqlite_conn *conn);

/*
 * Return the prepared statement for sql, preparing it on first use and
 * caching it by the address of sql, which must therefore be a string
 * constant. Release it with store_sqlite_done. Returns NULL on error.
 */
sqlite3_stmt *store_sqlite_stmt(struct store_sqlite_conn *conn,
                                const char *sql);

/* Reset a statement from store_sqlite_stmt and clear its bindings. */
void store_sqlite_done(sqlite3_stmt *stmt);

/* Start, commit and roll back a write transaction (BEGIN IMMEDIATE). */
enum store_result store_sqlite_begin(struct store_sqlite_conn *conn);
enum store_result store_sqlite_commit(struct store_sqlite_conn *conn);
void store_sqlite_rollback(struct store_sqlite_conn *conn);

/*
 * Map an SQLite result code to a store result, recording the error text
 * with what as context. Constraint violations become STORE_CONFLICT, a
 * database still locked after the busy timeout STORE_UNAVAILABLE.
 */
enum store_result store_sqlite_fail(struct store_sqlite_conn *conn, int rc,
                                    const char *what);

/*
 * Step a statement that returns no rows, then release it. Returns
 * STORE_OK, or the mapped failure.
 */
enum store_result store_sqlite_exec_stmt(struct store_sqlite_conn *conn,
                                         sqlite3_stmt *stmt, const char *what);

/* Bind a NUL-terminated string (NULL binds ""). */
int store_sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text);

/* Return a heap copy of a text column ("" for NULL). */
char *store_sqlite_column_dup(sqlite3_stmt *stmt, int column);

/* Copy a text column into a fixed buffer, truncating. */
void store_sqlite_column_copy(sqlite3_stmt *stmt, int column, char *out,
                              size_t size);

/* Parse a JSON array of strings from a text column into list. */
void store_sqlite_column_strlist(sqlite3_stmt *stmt, int column,
                                 struct strlist *list);

/* Return a JSON array text of list; the caller frees it. */
char *store_sqlite_strlist_json(const struct strlist *list);

/* Split a comma-separated text column (as group_concat writes it). */
void store_sqlite_column_csv(sqlite3_stmt *stmt, int column,
                             struct strlist *list);

/*
 * The columns every user query selects, for users aliased as "u", read
 * back by store_sqlite_read_user starting at the given column.
 */
#define STORE_SQLITE_USER_COLUMNS                                              \
    "u.id, u.email, u.username, u.name, u.avatar_url, u.hashed_password, "     \
    "u.created_at, u.updated_at, u.last_seen_at, u.status, u.login_type, "     \
    "u.rbac_roles, u.deleted, u.hashed_one_time_passcode, "                    \
    "u.one_time_passcode_expires_at, coalesce(u.github_com_user_id, 0), "      \
    "(SELECT group_concat(m.organization_id) FROM organization_members m "     \
    "WHERE m.user_id = u.id)"
#define STORE_SQLITE_USER_COLUMN_COUNT 17

void store_sqlite_read_user(sqlite3_stmt *stmt, int first, struct user *out);

/*
 * Return the SQL text store_sqlite_user_list runs for query, with numbered
 * placeholders, so that a test can check its query plan. Caller frees.
 */
char *store_sqlite_user_list_sql(const struct store_user_query *query);

/* Operations implemented by topic in the sqlite_*.c files. */
enum store_result store_sqlite_org_get_default(struct store *,
                                               struct organization *);
enum store_result store_sqlite_org_get_by_id(struct store *, const char *,
                                             struct organization *);
enum store_result store_sqlite_org_get_by_name(struct store *, const char *,
                                               struct organization *);
enum store_result store_sqlite_org_list_for_user(struct store *, const char *,
                                                 struct organization **,
                                                 size_t *);
enum store_result store_sqlite_org_membership_roles(struct store *,
                                                    const char *,
                                                    struct strlist *,
                                                    struct strlist **);

enum store_result store_sqlite_user_count(struct store *, int64_t *);
enum store_result store_sqlite_user_get_by_id(struct store *, const char *,
                                              struct user *);
enum store_result
store_sqlite_user_get_by_username(struct store *, const char *, struct user *);
enum store_result store_sqlite_user_get_by_email(struct store *, const char *,
                                                 struct user *);
enum store_result store_sqlite_user_insert(struct store *,
                                           const struct store_new_user *);
enum store_result store_sqlite_user_list(struct store *,
                                         const struct store_user_query *,
                                         struct user **, size_t *, int64_t *);
enum store_result store_sqlite_user_update_profile(struct store *, const char *,
                                                   const char *, const char *,
                                                   int64_t);
enum store_result store_sqlite_user_update_status(struct store *, const char *,
                                                  enum user_status, int64_t);
enum store_result store_sqlite_user_activate_if_dormant(struct store *,
                                                        const char *, int64_t);
enum store_result store_sqlite_user_update_roles(struct store *, const char *,
                                                 const struct strlist *,
                                                 int64_t);
enum store_result store_sqlite_user_update_password(struct store *,
                                                    const char *, const char *,
                                                    const char *, int64_t);
enum store_result store_sqlite_user_set_one_time_passcode(struct store *,
                                                          const char *,
                                                          const char *,
                                                          int64_t);
enum store_result store_sqlite_user_delete(struct store *, const char *,
                                           int64_t);
enum store_result store_sqlite_user_touch(struct store *, const char *,
                                          int64_t);

enum store_result store_sqlite_apikey_insert(struct store *,
                                             const struct apikey *,
                                             const struct store_key_guard *);
enum store_result store_sqlite_apikey_get(struct store *, const char *,
                                          struct apikey *);
enum store_result store_sqlite_apikey_get_token_by_name(struct store *,
                                                        const char *,
                                                        const char *,
                                                        struct apikey *);
enum store_result store_sqlite_apikey_list_tokens(struct store *, const char *,
                                                  struct store_apikey_row **,
                                                  size_t *);
enum store_result store_sqlite_apikey_delete(struct store *, const char *);
enum store_result store_sqlite_apikey_delete_app_connect(struct store *,
                                                         const char *);
enum store_result store_sqlite_apikey_touch(struct store *, const char *,
                                            int64_t, int64_t, const char *);
enum store_result store_sqlite_auth_lookup(struct store *, const char *,
                                           struct store_auth *);

enum store_result store_sqlite_gitsshkey_get(struct store *, const char *,
                                             struct gitsshkey *);
enum store_result store_sqlite_gitsshkey_put(struct store *,
                                             const struct gitsshkey *, bool);
enum store_result store_sqlite_user_config_get(struct store *, const char *,
                                               const char *, char **);
enum store_result store_sqlite_user_config_set(struct store *, const char *,
                                               const char *const *,
                                               const char *const *, size_t);

#endif
