/* SPDX-License-Identifier: MIT */
/*
 * The store contract for the user listing: order, paging, the cursor, the
 * total, every filter and literal matching in searches, on both backends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "harness.h"
#include "store/postgres_internal.h"
#include "store/store.h"
#include "util/timestamp.h"
#include "util/uuid.h"

#define T0 1700000000123456LL

struct fixture_user {
    const char *username;
    const char *email;
    enum user_status status;
    enum login_type login_type;
    const char *role;
    int64_t last_seen_at;
    int64_t github_id;
    char id[UUID_STR_LEN + 1];
};

/* In listing order; created one after the other, 100 µs apart. */
static struct fixture_user people[] = {
    {"alice", "alice@example.com", USER_STATUS_ACTIVE, LOGIN_TYPE_PASSWORD,
     "owner", T0 + 1000, 7, ""},
    {"Bob", "bob.percent%sign@example.com", USER_STATUS_DORMANT,
     LOGIN_TYPE_GITHUB, NULL, TIMESTAMP_ZERO, 0, ""},
    {"carol", "carol_under@example.com", USER_STATUS_SUSPENDED, LOGIN_TYPE_OIDC,
     "auditor", TIMESTAMP_ZERO, 0, ""},
    {"dan", "carolXunder@example.org", USER_STATUS_ACTIVE, LOGIN_TYPE_PASSWORD,
     NULL, TIMESTAMP_ZERO, 0, ""},
    {"erin", "back\\slash@example.com", USER_STATUS_ACTIVE, LOGIN_TYPE_PASSWORD,
     NULL, TIMESTAMP_ZERO, 0, ""},
    {"franks", "franks@example.com", USER_STATUS_ACTIVE, LOGIN_TYPE_PASSWORD,
     NULL, TIMESTAMP_ZERO, 0, ""},
    {"trish", "trish@example.com", USER_STATUS_ACTIVE, LOGIN_TYPE_PASSWORD,
     NULL, TIMESTAMP_ZERO, 0, ""},
};
#define PEOPLE (sizeof(people) / sizeof(people[0]))

static struct harness *server;
static struct store *store;

static void insert_person(struct fixture_user *f, const char *org_id,
                          int64_t created_at)
{
    struct user u = {0};
    struct store_new_user nu = {.user = &u};

    assert_int_equal(uuid_generate(u.id), 0);
    u.username = (char *)f->username;
    u.email = (char *)f->email;
    u.name = u.avatar_url = u.hashed_password = "";
    u.hashed_one_time_passcode = "";
    u.created_at = u.updated_at = created_at;
    u.last_seen_at = f->last_seen_at;
    u.status = f->status;
    u.login_type = f->login_type;
    u.github_com_user_id = f->github_id;
    if (f->role != NULL)
        strlist_push(&u.roles, f->role);
    strlist_push(&u.organization_ids, org_id);
    assert_int_equal(store_user_insert(store, &nu), STORE_OK);
    strlist_release(&u.roles);
    strlist_release(&u.organization_ids);
    snprintf(f->id, sizeof(f->id), "%s", u.id);
}

static int open_store(void **state)
{
    struct store_config config = {0};
    struct organization org = {0};
    char err[512];

    (void)state;
    server = harness_start(NULL);
    config.postgres_url = harness_postgres_url(server);
    config.sqlite_path = harness_sqlite_path(server);
    config.max_connections = 2;
    store = store_open(&config, err, sizeof(err));
    if (store == NULL)
        fail_msg("store_open: %s", err);
    assert_int_equal(store_org_get_default(store, &org), STORE_OK);
    for (size_t i = 0; i < PEOPLE; i++)
        insert_person(&people[i], org.id, T0 + 100 * (int64_t)(i + 1));
    organization_release(&org);
    return 0;
}

static int close_store(void **state)
{
    (void)state;
    store_free(store);
    harness_free(server);
    return 0;
}

/*
 * Run the listing and compare the usernames with expected, a
 * space-separated list, and the total with total.
 */
static void expect(const struct store_user_query *q, const char *expected,
                   int64_t total)
{
    struct user *users = NULL;
    size_t count = 0;
    int64_t matched = -1;
    char got[512] = "";

    assert_int_equal(store_user_list(store, q, &users, &count, &matched),
                     STORE_OK);
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(got);

        snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "",
                 users[i].username);
        assert_int_equal(users[i].organization_ids.len, 1);
    }
    store_free_users(users, count);
    print_message("listing: %s (total %lld)\n", got, (long long)matched);
    assert_string_equal(got, expected);
    assert_true(matched == total);
}

static void order_paging_and_total(void **state)
{
    struct store_user_query q = {0};

    (void)state;
    expect(&q, "alice Bob carol dan erin franks trish", 7);
    q.limit = 2;
    q.offset = 1;
    expect(&q, "Bob carol", 7);
    q.offset = 100;
    expect(&q, "", 0);
}

static void cursor_after_a_user(void **state)
{
    struct store_user_query q = {0};

    (void)state;
    q.after_id = people[2].id;
    expect(&q, "dan erin franks trish", 4);
    q.limit = 2;
    expect(&q, "dan erin", 4);
    q.after_id = "00000000-0000-4000-8000-000000000000";
    expect(&q, "", 0);
    q.after_id = "not-a-uuid";
    expect(&q, "", 0);
}

static void search_matches_characters_literally(void **state)
{
    static const struct {
        const char *search;
        const char *expected;
    } cases[] = {
        {"l_u", "carol"},     {"_", "carol"},         {"t%s", "Bob"},
        {"%", "Bob"},         {"k\\s", "erin"},       {"\\", "erin"},
        {"ALICE", "alice"},   {"example.org", "dan"}, {"bob", "Bob"},
        {"no-such-text", ""}, {"ar", "carol dan"},    {"\xc3", ""},
        {"\xff\xfe", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct store_user_query q = {0};
        int64_t total = cases[i].expected[0] == '\0' ? 0 : 1;

        q.search = cases[i].search;
        print_message("search %s\n", cases[i].search);
        if (strchr(cases[i].expected, ' ') != NULL)
            total = 2;
        expect(&q, cases[i].expected, total);
    }
}

static void filters_by_status_type_and_role(void **state)
{
    struct store_user_query q = {0};
    struct strlist roles = {0};

    (void)state;
    q.statuses =
        STORE_BIT(USER_STATUS_DORMANT) | STORE_BIT(USER_STATUS_SUSPENDED);
    expect(&q, "Bob carol", 2);
    q.statuses = 0;
    q.login_types = STORE_BIT(LOGIN_TYPE_GITHUB) | STORE_BIT(LOGIN_TYPE_OIDC);
    expect(&q, "Bob carol", 2);
    q.login_types = 0;
    strlist_push(&roles, "nobody");
    strlist_push(&roles, "auditor");
    q.roles = &roles;
    expect(&q, "carol", 1);
    strlist_release(&roles);
    strlist_push(&roles, "owner");
    strlist_push(&roles, "\xff");
    expect(&q, "alice", 1);
    strlist_release(&roles);
    strlist_push(&roles, "\xff");
    expect(&q, "", 0);
    strlist_release(&roles);
    q.roles = NULL;

    q.search = "example.com";
    q.statuses = STORE_BIT(USER_STATUS_ACTIVE);
    expect(&q, "alice erin franks trish", 4);
    q.only_user_id = people[4].id;
    expect(&q, "erin", 1);
    q.only_user_id = people[1].id;
    expect(&q, "", 0);
}

static void filters_by_time_and_github_id(void **state)
{
    struct store_user_query q = {0};

    (void)state;
    q.has_created_before = true;
    q.created_before = T0 + 200;
    expect(&q, "alice Bob", 2);
    q.has_created_before = false;
    q.has_created_after = true;
    q.created_after = T0 + 600;
    expect(&q, "franks trish", 2);
    q.has_created_after = false;
    q.has_last_seen_after = true;
    q.last_seen_after = T0 + 1000;
    expect(&q, "alice", 1);
    q.has_last_seen_after = false;
    q.has_last_seen_before = true;
    q.last_seen_before = T0;
    expect(&q, "Bob carol dan erin franks trish", 6);
    q.has_last_seen_before = false;
    q.has_github_com_user_id = true;
    q.github_com_user_id = 7;
    expect(&q, "alice", 1);
}

/* Return true when the plan of the listing for q names index. */
static bool plan_uses(PGconn *conn, const struct store_user_query *q,
                      const char *index)
{
    struct store_pg_params p;
    char *sql = store_pg_user_list_sql(q, &p);
    size_t size = strlen(sql) + 16;
    char *explain = malloc(size);
    PGresult *res;
    bool found = false;

    assert_non_null(explain);
    snprintf(explain, size, "EXPLAIN %s", sql);
    res = PQexecParams(conn, explain, p.count, NULL, p.values, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(res); i++) {
        print_message("%s\n", PQgetvalue(res, i, 0));
        found = found || strstr(PQgetvalue(res, i, 0), index) != NULL;
    }
    PQclear(res);
    free(explain);
    free(sql);
    store_pg_params_release(&p);
    return found;
}

/* On PostgreSQL, with enough users for an index to pay (100,000 here),
 * the planner serves a search from the trigram index. */
static void search_uses_the_trigram_index(void **state)
{
    struct store_user_query q = {0};
    struct harness *h;
    PGconn *conn;
    PGresult *res;

    (void)state;
    if (harness_postgres_url(server) == NULL)
        skip();
    h = harness_start(NULL);
    conn = PQconnectdb(harness_postgres_url(h));
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    res = PQexec(conn,
                 "INSERT INTO users (id, email, username, created_at, "
                 "updated_at, last_seen_at, status, login_type) "
                 "SELECT gen_random_uuid(), 'person' || g || '@example.com', "
                 "'user-' || g, now(), now(), now(), 'active', 'password' "
                 "FROM generate_series(1, 100000) g");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQclear(PQexec(conn, "ANALYZE users"));

    q.search = "r-1234";
    q.limit = 25;
    assert_true(plan_uses(conn, &q, "users_search_trgm_idx"));
    q.search = "Person77@";
    q.statuses = STORE_BIT(USER_STATUS_ACTIVE);
    assert_true(plan_uses(conn, &q, "users_search_trgm_idx"));

    /* The page of a search comes from the rows the trigram index found:
     * walking the username index in order looks at every user when the
     * term matches few, and the planner cannot tell how few. */
    q.statuses = 0;
    q.search = "admin";
    assert_false(plan_uses(conn, &q, "users_username_lower_idx"));
    q.search = "r-777";
    assert_false(plan_uses(conn, &q, "users_username_lower_idx"));
    PQfinish(conn);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_paging_and_total),
        cmocka_unit_test(cursor_after_a_user),
        cmocka_unit_test(search_matches_characters_literally),
        cmocka_unit_test(filters_by_status_type_and_role),
        cmocka_unit_test(filters_by_time_and_github_id),
        cmocka_unit_test(search_uses_the_trigram_index),
    };

    return cmocka_run_group_tests(tests, open_store, close_store);
}
