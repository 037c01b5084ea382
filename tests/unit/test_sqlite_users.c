/* SPDX-License-Identifier: MIT */
/*
 * The SQLite user listing on a real database file: the query plan of a
 * free-text search, literal matching of LIKE and SQL metacharacters,
 * paging and count, the role filter, and the text index kept in step with
 * renames and deletions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/sqlite_internal.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timestamp.h"

struct fixture {
    char dir[256];
    char path[512];
    struct store *store;
    char org_id[UUID_STR_LEN + 1];
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    struct store_config config = {0};
    struct organization org = {0};
    char err[256];

    log_set_level(LOG_ERROR);
    snprintf(f->dir, sizeof(f->dir), "%s/usher-unit-XXXXXX",
             tmp ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/usher.db", f->dir);
    config.sqlite_path = f->path;
    f->store = store_open(&config, err, sizeof(err));
    if (f->store == NULL)
        fail_msg("store_open: %s", err);
    if (store_org_get_default(f->store, &org) != STORE_OK)
        fail_msg("no default organization");
    memcpy(f->org_id, org.id, sizeof(f->org_id));
    organization_release(&org);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char path[600];

    store_free(f->store);
    unlink(f->path);
    snprintf(path, sizeof(path), "%s-wal", f->path);
    unlink(path);
    snprintf(path, sizeof(path), "%s-shm", f->path);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Insert a user and return its id in id. */
static void add_user(struct fixture *f, const char *username, const char *email,
                     const char *role, char *id)
{
    struct user u = {0};
    struct store_new_user nu = {&u, NULL, false};
    static int64_t clock = 1700000000LL * TIMESTAMP_US_PER_SECOND;

    assert_int_equal(uuid_generate(u.id), 0);
    u.username = xstrdup(username);
    u.email = xstrdup(email);
    u.name = xstrdup("");
    u.avatar_url = xstrdup("");
    u.hashed_password = xstrdup("");
    u.created_at = u.updated_at = ++clock;
    u.last_seen_at = TIMESTAMP_ZERO;
    u.status = USER_STATUS_ACTIVE;
    u.login_type = LOGIN_TYPE_PASSWORD;
    if (role != NULL)
        strlist_push(&u.roles, role);
    strlist_push(&u.organization_ids, f->org_id);
    assert_int_equal(store_user_insert(f->store, &nu), STORE_OK);
    if (id != NULL)
        memcpy(id, u.id, UUID_STR_LEN + 1);
    user_release(&u);
}

/* List users matching query; returns the count of rows and sets total. */
static size_t list(struct fixture *f, const struct store_user_query *query,
                   int64_t *total, char names[][64])
{
    struct user *users = NULL;
    size_t count = 0;

    assert_int_equal(store_user_list(f->store, query, &users, &count, total),
                     STORE_OK);
    for (size_t i = 0; names != NULL && i < count; i++)
        snprintf(names[i], 64, "%s", users[i].username);
    store_free_users(users, count);
    return count;
}

static size_t search_count(struct fixture *f, const char *text)
{
    struct store_user_query query = {0};
    int64_t total = -1;
    size_t count;

    query.search = text;
    count = list(f, &query, &total, NULL);
    assert_true(total == (int64_t)count);
    return count;
}

/* Return the plan of the listing SQL for query, one detail per line. */
static char *query_plan(struct fixture *f, const struct store_user_query *query)
{
    char *sql = store_sqlite_user_list_sql(query);
    struct buf explain;
    struct buf plan;
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    buf_init(&explain, 1 << 20);
    buf_init(&plan, 1 << 20);
    buf_printf(&explain, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(db, explain.data, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("prepare: %s", sqlite3_errmsg(db));
    while (sqlite3_step(stmt) == SQLITE_ROW)
        buf_printf(&plan, "%s\n", (const char *)sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    buf_release(&explain);
    free(sql);
    return buf_take(&plan);
}

/* Report whether some line of plan starts with prefix. */
static bool plan_has_line(const char *plan, const char *prefix)
{
    const char *line = plan;

    while (line != NULL && *line != '\0') {
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            return true;
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return false;
}

static void add_many(struct fixture *f)
{
    char username[64];
    char email[128];

    for (int i = 0; i < 200; i++) {
        snprintf(username, sizeof(username), "bulk-%03d", i);
        snprintf(email, sizeof(email), "bulk%03d@example.org", i);
        add_user(f, username, email, NULL, NULL);
    }
}

static void search_of_three_uses_text_index(void **state)
{
    struct fixture *f = *state;
    struct store_user_query query = {0};
    char *plan;

    add_many(f);
    query.search = "bulk-1";
    plan = query_plan(f, &query);
    print_message("%s", plan);
    assert_true(plan_has_line(plan, "SCAN s VIRTUAL TABLE INDEX"));
    assert_true(plan_has_line(plan, "SEARCH u USING INTEGER PRIMARY KEY"));
    assert_false(plan_has_line(plan, "SCAN u"));
    assert_false(plan_has_line(plan, "SCAN users"));
    free(plan);
    assert_int_equal(search_count(f, "bulk-1"), 100);
    assert_int_equal(search_count(f, "BULK-19"), 10);
    assert_int_equal(search_count(f, "bulk199@example.org"), 1);
}

static void search_of_two_scans(void **state)
{
    struct fixture *f = *state;
    struct store_user_query query = {0};
    char *plan;

    query.search = "k-";
    plan = query_plan(f, &query);
    assert_false(plan_has_line(plan, "SCAN s VIRTUAL TABLE"));
    assert_true(plan_has_line(plan, "SCAN u"));
    free(plan);
}

static void long_search_uses_prefix(void **state)
{
    struct fixture *f = *state;
    struct store_user_query query = {0};
    struct buf text;
    char *plan;

    buf_init(&text, 1 << 20);
    for (int i = 0; i < 4096; i++)
        buf_puts(&text, "bulk-001");
    query.search = text.data;
    plan = query_plan(f, &query);
    assert_true(plan_has_line(plan, "SCAN s VIRTUAL TABLE INDEX"));
    free(plan);
    assert_int_equal(search_count(f, text.data), 0);
    buf_release(&text);
}

static void metacharacters_match_literally(void **state)
{
    struct fixture *f = *state;

    add_user(f, "pct", "a%b@example.com", NULL, NULL);
    add_user(f, "under", "a_b@example.com", NULL, NULL);
    add_user(f, "quote", "o'neil@example.com", NULL, NULL);
    add_user(f, "slash", "back\\slash@example.com", NULL, NULL);
    add_user(f, "dquote", "\"q\"@example.com", NULL, NULL);

    assert_int_equal(search_count(f, "%"), 1);
    assert_int_equal(search_count(f, "a%b"), 1);
    assert_int_equal(search_count(f, "_"), 1);
    assert_int_equal(search_count(f, "a_b"), 1);
    assert_int_equal(search_count(f, "'"), 1);
    assert_int_equal(search_count(f, "o'neil"), 1);
    assert_int_equal(search_count(f, "\\"), 1);
    assert_int_equal(search_count(f, "k\\s"), 1);
    assert_int_equal(search_count(f, "\"q\""), 1);
    assert_int_equal(search_count(f, "\""), 1);
    assert_int_equal(search_count(f, "%%"), 0);
    assert_int_equal(search_count(f, "' OR 1=1 --"), 0);
    assert_int_equal(search_count(f, "\xff\xfe\xfd"), 0);
    assert_int_equal(search_count(f, "NEAR(a b)"), 0);
    assert_int_equal(search_count(f, "a* OR b*"), 0);
}

static void count_and_pages(void **state)
{
    struct fixture *f = *state;
    struct store_user_query query = {0};
    char names[8][64];
    int64_t total = -1;

    query.search = "bulk";
    query.limit = 3;
    query.offset = 10;
    assert_int_equal(list(f, &query, &total, names), 3);
    assert_true(total == 200);
    assert_string_equal(names[0], "bulk-010");
    assert_string_equal(names[2], "bulk-012");

    query.offset = 200;
    assert_int_equal(list(f, &query, &total, names), 0);
    assert_true(total == 0);

    query.offset = 2147483647;
    query.limit = 1;
    assert_int_equal(list(f, &query, &total, names), 0);
    assert_true(total == 0);
}

static void after_id_is_a_username_cursor(void **state)
{
    struct fixture *f = *state;
    struct store_user_query query = {0};
    char names[8][64];
    char id[UUID_STR_LEN + 1];
    int64_t total = -1;

    add_user(f, "Cursor", "cursor@example.net", NULL, id);
    query.search = "cursor";
    assert_int_equal(list(f, &query, &total, names), 1);
    query.search = "bulk";
    query.after_id = id;
    query.limit = 2;
    assert_int_equal(list(f, &query, &total, names), 0);
    assert_true(total == 0);

    query.search = NULL;
    assert_int_equal(list(f, &query, &total, names), 2);
    assert_true(strcmp(names[0], "cursor") > 0);

    query.after_id = "00000000-0000-4000-8000-000000000000";
    assert_int_equal(list(f, &query, &total, names), 0);
}

static void role_filter_any_of(void **state)
{
    struct fixture *f = *state;
    struct store_user_query query = {0};
    struct strlist roles = {0};
    int64_t total = -1;

    add_user(f, "audit-one", "audit1@example.net", "auditor", NULL);
    add_user(f, "admin-one", "admin1@example.net", "user-admin", NULL);
    strlist_push(&roles, "auditor");
    query.roles = &roles;
    assert_int_equal(list(f, &query, &total, NULL), 1);
    strlist_push(&roles, "user-admin");
    assert_int_equal(list(f, &query, &total, NULL), 2);

    /* More names than the 250000 placeholders Debian's SQLite allows in
     * one statement (the upstream default is 32766). */
    for (int i = 0; i < 300000; i++)
        strlist_push(&roles, "x");
    assert_int_equal(list(f, &query, &total, NULL), 2);
    strlist_release(&roles);

    strlist_push(&roles, "member");
    assert_int_equal(list(f, &query, &total, NULL), 0);
    strlist_release(&roles);
}

static void index_follows_rename_and_delete(void **state)
{
    struct fixture *f = *state;
    char id[UUID_STR_LEN + 1];

    add_user(f, "renamed-from", "rename@example.net", NULL, id);
    assert_int_equal(search_count(f, "renamed-from"), 1);
    assert_int_equal(store_user_update_profile(f->store, id, "Renamed-To", "",
                                               timestamp_now()),
                     STORE_OK);
    assert_int_equal(search_count(f, "renamed-from"), 0);
    assert_int_equal(search_count(f, "renamed-to"), 1);
    assert_int_equal(store_user_delete(f->store, id, timestamp_now()),
                     STORE_OK);
    assert_int_equal(search_count(f, "renamed-to"), 0);
    add_user(f, "renamed-to", "rename@example.net", NULL, NULL);
    assert_int_equal(search_count(f, "renamed-to"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_of_three_uses_text_index),
        cmocka_unit_test(search_of_two_scans),
        cmocka_unit_test(long_search_uses_prefix),
        cmocka_unit_test(metacharacters_match_literally),
        cmocka_unit_test(count_and_pages),
        cmocka_unit_test(after_id_is_a_username_cursor),
        cmocka_unit_test(role_filter_any_of),
        cmocka_unit_test(index_follows_rename_and_delete),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
