/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL backend: the filtered, paged user listing. The query is built
 * for each call from the filters that are set. A search becomes a LIKE on
 * the lower-cased username and e-mail, which the pg_trgm index serves.
 */
#include "store/postgres_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"

/* Append the next parameter's placeholder ($n) to sql. */
static void placeholder(struct buf *sql, const struct store_pg_params *p)
{
    buf_printf(sql, "$%d", p->count);
}

static void add_text(struct buf *sql, struct store_pg_params *p,
                     const char *text)
{
    store_pg_add_text(p, text);
    placeholder(sql, p);
}

static void add_int(struct buf *sql, struct store_pg_params *p, int64_t value)
{
    store_pg_add_int(p, value);
    placeholder(sql, p);
}

/* Return '%' + text + '%' with LIKE's own characters escaped, so that
 * every character of text matches only itself. */
static char *like_pattern(const char *text)
{
    struct buf out;

    buf_init(&out, strlen(text) * 2 + 3);
    buf_puts(&out, "%");
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            buf_puts(&out, "\\");
        buf_append(&out, c, 1);
    }
    buf_puts(&out, "%");
    return buf_take(&out);
}

static void add_search(struct buf *sql, struct store_pg_params *p,
                       const char *search)
{
    int n;

    /* Stored text is valid UTF-8, so other bytes are in no row. */
    if (!utf8_valid(search, strlen(search)))
        p->matches_nothing = true;
    store_pg_add_take(p, like_pattern(search));
    n = p->count;
    buf_printf(sql,
               " AND (lower(u.username) LIKE lower($%d) "
               "OR lower(u.email) LIKE lower($%d))",
               n, n);
}

static void add_name_list(struct buf *sql, struct store_pg_params *p,
                          unsigned bits, const char *column,
                          const char *(*name)(unsigned))
{
    bool first = true;

    buf_printf(sql, " AND %s IN (", column);
    for (unsigned value = 0; value < 32; value++) {
        if (!(bits & (1u << value)))
            continue;
        if (!first)
            buf_puts(sql, ", ");
        add_text(sql, p, name(value));
        first = false;
    }
    buf_puts(sql, ")");
}

static const char *status_name(unsigned value)
{
    return user_status_name((enum user_status)value);
}

static const char *login_name(unsigned value)
{
    return login_type_name((enum login_type)value);
}

/* Match users with any of roles. No user has a name that is not UTF-8,
 * so such names are left out, and with none left nothing matches. */
static void add_roles(struct buf *sql, struct store_pg_params *p,
                      const struct strlist *roles)
{
    struct strlist valid = {0};

    for (size_t i = 0; i < roles->len; i++) {
        if (utf8_valid(roles->items[i], strlen(roles->items[i])))
            strlist_push(&valid, roles->items[i]);
    }
    if (valid.len == 0)
        p->matches_nothing = true;
    store_pg_add_strlist(p, &valid);
    strlist_release(&valid);
    buf_printf(sql, " AND u.rbac_roles && $%d::text[]", p->count);
}

static void add_time_bound(struct buf *sql, struct store_pg_params *p, bool has,
                           const char *condition, int64_t value)
{
    if (!has)
        return;
    buf_printf(sql, " AND %s micros_to_time(", condition);
    add_int(sql, p, value);
    buf_puts(sql, "::bigint)");
}

static void add_filters(const struct store_user_query *q, struct buf *sql,
                        struct store_pg_params *p)
{
    if (q->search != NULL && q->search[0] != '\0')
        add_search(sql, p, q->search);
    if (q->statuses != 0)
        add_name_list(sql, p, q->statuses, "u.status", status_name);
    if (q->login_types != 0)
        add_name_list(sql, p, q->login_types, "u.login_type", login_name);
    if (q->roles != NULL && q->roles->len > 0)
        add_roles(sql, p, q->roles);
    add_time_bound(sql, p, q->has_created_before,
                   "u.created_at <=", q->created_before);
    add_time_bound(sql, p, q->has_created_after,
                   "u.created_at >=", q->created_after);
    add_time_bound(sql, p, q->has_last_seen_before,
                   "u.last_seen_at <=", q->last_seen_before);
    add_time_bound(sql, p, q->has_last_seen_after,
                   "u.last_seen_at >=", q->last_seen_after);
    if (q->has_github_com_user_id) {
        buf_puts(sql, " AND u.github_com_user_id = ");
        add_int(sql, p, q->github_com_user_id);
        buf_puts(sql, "::bigint");
    }
}

/* Append the FROM and WHERE clauses of a listing, users aliased "u". */
static void add_from_where(const struct store_user_query *q, struct buf *sql,
                           struct store_pg_params *p)
{
    buf_puts(sql, "FROM users u WHERE NOT u.deleted AND NOT u.is_system");
    add_filters(q, sql, p);
    if (q->after_id != NULL) {
        /* No row of that id makes the comparison NULL: an empty page. */
        store_pg_add_uuid(p, q->after_id);
        buf_printf(sql,
                   " AND lower(u.username) COLLATE \"C\" > "
                   "(SELECT lower(username) FROM users WHERE id = $%d)",
                   p->count);
    }
    if (q->only_user_id != NULL) {
        store_pg_add_uuid(p, q->only_user_id);
        buf_printf(sql, " AND u.id = $%d", p->count);
    }
}

/*
 * Without a search, the total comes from an uncorrelated count over the
 * same clauses, which runs once. The page itself can then walk the
 * username index and stop after offset + limit rows, where a count(*)
 * OVER () would fetch and sort every matching row first.
 */
static void add_walking_list(const struct buf *where, struct buf *sql)
{
    /* The clauses appear twice; their placeholders name the same
     * parameters both times. */
    buf_puts(sql, "SELECT " STORE_PG_USER_COLUMNS ", (SELECT count(*) ");
    buf_append(sql, where->data, where->len);
    buf_puts(sql, ") ");
    buf_append(sql, where->data, where->len);
    buf_puts(sql, " ORDER BY lower(u.username) COLLATE \"C\" LIMIT ");
}

/*
 * With a search, the trigram index finds the matching rows once, and both
 * the total and the page come from that set. Walking the username index
 * instead would look at every user when few match: the planner cannot
 * tell how selective a LIKE pattern is, and on a million users it chose
 * that walk for a search matching one user (0.4 s against 1 ms).
 */
static void add_matched_list(const struct buf *where, struct buf *sql)
{
    buf_puts(sql, "WITH matched AS MATERIALIZED (SELECT u.id, "
                  "lower(u.username) COLLATE \"C\" AS sort_key ");
    buf_append(sql, where->data, where->len);
    buf_puts(sql, "), page AS (SELECT id, sort_key FROM matched "
                  "ORDER BY sort_key LIMIT ");
}

/*
 * An empty page has no row to carry the total, which is then 0, as with
 * Coder.
 */
char *store_pg_user_list_sql(const struct store_user_query *q,
                             struct store_pg_params *p)
{
    bool searching = q->search != NULL && q->search[0] != '\0';
    struct buf where;
    struct buf sql;

    store_pg_params_init(p);
    buf_init(&where, 1 << 22);
    add_from_where(q, &where, p);
    buf_init(&sql, 1 << 23);
    if (searching)
        add_matched_list(&where, &sql);
    else
        add_walking_list(&where, &sql);
    buf_release(&where);
    if (q->limit > 0)
        store_pg_add_int(p, q->limit);
    else
        store_pg_add_null(p);
    placeholder(&sql, p);
    buf_puts(&sql, "::bigint OFFSET ");
    add_int(&sql, p, q->offset);
    buf_puts(&sql, "::bigint");
    if (searching)
        buf_puts(&sql, ") SELECT " STORE_PG_USER_COLUMNS ", (SELECT count(*) "
                       "FROM matched) FROM page p JOIN users u "
                       "ON u.id = p.id ORDER BY p.sort_key");
    return buf_take(&sql);
}

enum store_result store_pg_user_list(struct store *store,
                                     const struct store_user_query *q,
                                     struct user **users, size_t *count,
                                     int64_t *total)
{
    struct store_pg_conn *conn = NULL;
    struct store_pg_params p;
    char *sql = store_pg_user_list_sql(q, &p);
    PGresult *res = NULL;
    struct user *rows = NULL;
    enum store_result result = STORE_UNAVAILABLE;
    int n;

    if (p.matches_nothing) {
        *users = NULL;
        *count = 0;
        *total = 0;
        result = STORE_OK;
        goto out;
    }
    conn = store_pg_acquire(store);
    if (conn == NULL)
        goto out;
    result = store_pg_run_dynamic(conn, sql, &p, &res, "list users");
    if (result != STORE_OK)
        goto out;
    n = PQntuples(res);
    if (n > 0)
        rows = xcalloc((size_t)n, sizeof(*rows));
    for (int i = 0; i < n; i++)
        store_pg_read_user(res, i, 0, &rows[i]);
    *users = rows;
    *count = (size_t)n;
    *total = n > 0 ? store_pg_int(res, 0, STORE_PG_USER_COLUMN_COUNT) : 0;

out:
    PQclear(res);
    store_pg_release(conn);
    store_pg_params_release(&p);
    free(sql);
    return result;
}
