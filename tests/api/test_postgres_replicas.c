/* SPDX-License-Identifier: MIT */
/*
 * Two servers, A and B, on one PostgreSQL database, as behind a load
 * balancer. Whatever one of them changes, the other's next request sees:
 * no server caches a user, a key or a role. No test waits for time to
 * pass; each checks B right after A (or the store) answered.
 *
 * Cases named *_route drive the change through A's HTTP API. The cases
 * beside them make the same change with the store API in this process,
 * which shows that B reads what any writer committed.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <libpq-fe.h>

#include "core/password.h"
#include "harness.h"
#include "store/store.h"
#include "util/timestamp.h"
#include "util/uuid.h"

#define OWNER_EMAIL "owner@example.com"
#define NEW_PASSWORD "Another-Horse-Staple-77"
#define POLL_DEADLINE_SECONDS 30

static struct harness *a;
static struct harness *b;
static struct store *store;
static char *owner_token; /* issued by B */
static char owner_id[UUID_STR_LEN + 1];
static char org_id[UUID_STR_LEN + 1];

static int start_replicas(void **state)
{
    struct store_config config = {0};
    struct organization org = {0};
    struct response res;
    char err[512];

    (void)state;
    a = harness_start(NULL);
    b = harness_start_replica(a, NULL);
    config.postgres_url = harness_postgres_url(a);
    config.max_connections = 2;
    store = store_open(&config, err, sizeof(err));
    if (store == NULL)
        fail_msg("store_open: %s", err);
    assert_int_equal(store_org_get_default(store, &org), STORE_OK);
    snprintf(org_id, sizeof(org_id), "%s", org.id);
    organization_release(&org);

    res = harness_call(a, "POST", "/api/v2/users/first", NULL,
                       "{\"email\":\"" OWNER_EMAIL "\",\"username\":\"owner\","
                       "\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 201);
    snprintf(owner_id, sizeof(owner_id), "%s",
             response_string(&res, "user_id"));
    response_release(&res);
    owner_token = harness_login(b, OWNER_EMAIL, HARNESS_PASSWORD);
    assert_non_null(owner_token);
    return 0;
}

static int stop_replicas(void **state)
{
    (void)state;
    free(owner_token);
    store_free(store);
    harness_free(b);
    harness_free(a);
    return 0;
}

static long status_of(struct harness *h, const char *method, const char *path,
                      const char *token, const char *body)
{
    struct response res = harness_call(h, method, path, token, body);
    long status = res.status;

    response_release(&res);
    return status;
}

static long me_status(struct harness *h, const char *token)
{
    return status_of(h, "GET", "/api/v2/users/me", token, NULL);
}

/* Create an active password user through the store; returns its id. */
static void store_member(const char *username, const char *email,
                         char id[UUID_STR_LEN + 1])
{
    struct user u = {0};
    struct store_new_user nu = {.user = &u};
    char hash[PASSWORD_HASH_MAX];

    assert_int_equal(password_hash(HARNESS_PASSWORD, hash), 0);
    assert_int_equal(uuid_generate(u.id), 0);
    u.username = (char *)username;
    u.email = (char *)email;
    u.name = u.avatar_url = "";
    u.hashed_password = hash;
    u.hashed_one_time_passcode = "";
    u.created_at = u.updated_at = timestamp_now();
    u.last_seen_at = TIMESTAMP_ZERO;
    u.status = USER_STATUS_ACTIVE;
    u.login_type = LOGIN_TYPE_PASSWORD;
    strlist_push(&u.organization_ids, org_id);
    assert_int_equal(store_user_insert(store, &nu), STORE_OK);
    strlist_release(&u.organization_ids);
    snprintf(id, UUID_STR_LEN + 1, "%s", u.id);
}

/* Create an active member through A's POST /users; returns its id. */
static void route_member(const char *username, const char *email,
                         char id[UUID_STR_LEN + 1])
{
    char body[512];
    struct response res;

    snprintf(body, sizeof(body),
             "{\"email\":\"%s\",\"username\":\"%s\",\"password\":\"%s\","
             "\"user_status\":\"active\",\"organization_ids\":[\"%s\"]}",
             email, username, HARNESS_PASSWORD, org_id);
    res = harness_call(a, "POST", "/api/v2/users", owner_token, body);
    assert_int_equal(res.status, 201);
    snprintf(id, UUID_STR_LEN + 1, "%s", response_string(&res, "id"));
    response_release(&res);
}

static void user_created_on_a_logs_in_on_b(void **state)
{
    struct response res;
    char *token;

    (void)state;
    /* The owner came from A's POST /users/first; B logged it in. */
    res = harness_call(b, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    res = harness_call(b, "POST", "/api/v2/users/first", NULL,
                       "{\"email\":\"late@example.com\",\"username\":\"late\","
                       "\"password\":\"" HARNESS_PASSWORD "\"}");
    assert_int_equal(res.status, 409);
    response_release(&res);

    res = harness_call(a, "GET", "/api/v2/users/me", owner_token, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "id"), owner_id);
    response_release(&res);
    token = harness_login(a, OWNER_EMAIL, HARNESS_PASSWORD);
    assert_non_null(token);
    assert_int_equal(me_status(b, token), 200);
    free(token);
}

static void user_created_on_a_logs_in_on_b_route(void **state)
{
    char id[UUID_STR_LEN + 1];
    char *token;
    struct response res;

    (void)state;
    route_member("route-made", "route-made@example.com", id);
    token = harness_login(b, "route-made@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    res = harness_call(b, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "id"), id);
    response_release(&res);
    free(token);
}

static void logout_on_a_ends_the_session_on_b(void **state)
{
    char *token;

    (void)state;
    token = harness_login(b, OWNER_EMAIL, HARNESS_PASSWORD);
    assert_non_null(token);
    assert_int_equal(me_status(a, token), 200);
    assert_int_equal(me_status(b, token), 200);
    assert_int_equal(status_of(a, "POST", "/api/v2/users/logout", token, NULL),
                     200);
    assert_int_equal(me_status(b, token), 401);
    assert_int_equal(me_status(a, token), 401);
    free(token);
}

static void token_deleted_on_a_is_refused_on_b_route(void **state)
{
    struct response res;
    char path[128];
    char id[16];
    char *key;

    (void)state;
    res = harness_call(a, "POST", "/api/v2/users/me/keys/tokens", owner_token,
                       "{\"token_name\":\"replica-check\"}");
    assert_int_equal(res.status, 201);
    key = strdup(response_string(&res, "key"));
    response_release(&res);
    assert_int_equal(me_status(b, key), 200);

    snprintf(id, sizeof(id), "%.*s", (int)strcspn(key, "-"), key);
    snprintf(path, sizeof(path), "/api/v2/users/me/keys/%s", id);
    assert_int_equal(status_of(a, "DELETE", path, owner_token, NULL), 204);
    assert_int_equal(me_status(b, key), 401);
    free(key);
}

/* Changing a password deletes every key of the user and the old password
 * stops working: B must see both at once. */
static void check_password_change(const char *email, char *old_token)
{
    char *token;

    assert_int_equal(me_status(b, old_token), 401);
    assert_null(harness_login(b, email, HARNESS_PASSWORD));
    token = harness_login(b, email, NEW_PASSWORD);
    assert_non_null(token);
    assert_int_equal(me_status(b, token), 200);
    free(token);
}

static void password_changed_in_the_store_is_seen_on_b(void **state)
{
    char id[UUID_STR_LEN + 1];
    char hash[PASSWORD_HASH_MAX];
    char *token;

    (void)state;
    store_member("pw-store", "pw-store@example.com", id);
    token = harness_login(b, "pw-store@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    assert_int_equal(me_status(b, token), 200);
    assert_int_equal(password_hash(NEW_PASSWORD, hash), 0);
    assert_int_equal(
        store_user_update_password(store, id, hash, NULL, timestamp_now()),
        STORE_OK);
    check_password_change("pw-store@example.com", token);
    free(token);
}

static void password_changed_on_a_is_seen_on_b_route(void **state)
{
    char id[UUID_STR_LEN + 1];
    char path[128];
    char *token;
    struct response res;

    (void)state;
    route_member("pw-route", "pw-route@example.com", id);
    token = harness_login(b, "pw-route@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    snprintf(path, sizeof(path), "/api/v2/users/%s/password", id);
    res = harness_call(a, "PUT", path, owner_token,
                       "{\"password\":\"" NEW_PASSWORD "\"}");
    assert_int_equal(res.status, 204);
    response_release(&res);
    check_password_change("pw-route@example.com", token);
    free(token);
}

static void suspension_in_the_store_is_refused_on_b(void **state)
{
    char id[UUID_STR_LEN + 1];
    char *token;
    struct response res;

    (void)state;
    store_member("suspend-store", "suspend-store@example.com", id);
    token = harness_login(b, "suspend-store@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    assert_int_equal(me_status(b, token), 200);

    assert_int_equal(store_user_update_status(store, id, USER_STATUS_SUSPENDED,
                                              timestamp_now()),
                     STORE_OK);
    res = harness_call(b, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 401);
    assert_non_null(strstr(response_string(&res, "message"), "suspended"));
    response_release(&res);
    assert_null(
        harness_login(b, "suspend-store@example.com", HARNESS_PASSWORD));

    /* Reactivation makes the same key usable again. */
    assert_int_equal(store_user_update_status(store, id, USER_STATUS_ACTIVE,
                                              timestamp_now()),
                     STORE_OK);
    assert_int_equal(me_status(b, token), 200);
    free(token);
}

static void suspension_on_a_is_refused_on_b_route(void **state)
{
    char id[UUID_STR_LEN + 1];
    char path[128];
    char *token;
    struct response res;

    (void)state;
    route_member("suspend-route", "suspend-route@example.com", id);
    token = harness_login(b, "suspend-route@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    snprintf(path, sizeof(path), "/api/v2/users/%s/status/suspend", id);
    res = harness_call(a, "PUT", path, owner_token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    assert_int_equal(me_status(b, token), 401);
    assert_null(
        harness_login(b, "suspend-route@example.com", HARNESS_PASSWORD));
    free(token);
}

/* An auditor may read other users; a plain member may not. */
static long read_owner_status(const char *token)
{
    char path[128];

    snprintf(path, sizeof(path), "/api/v2/users/%s", owner_id);
    return status_of(b, "GET", path, token, NULL);
}

static bool has_role(const char *token, const char *role)
{
    struct response res =
        harness_call(b, "GET", "/api/v2/users/me", token, NULL);
    json_t *roles = json_object_get(res.json, "roles");
    bool found = false;
    size_t i;
    json_t *entry;

    assert_int_equal(res.status, 200);
    json_array_foreach(roles, i, entry)
    {
        const char *name = json_string_value(json_object_get(entry, "name"));

        found = found || (name != NULL && strcmp(name, role) == 0);
    }
    response_release(&res);
    return found;
}

static void role_removed_in_the_store_is_reflected_on_b(void **state)
{
    char id[UUID_STR_LEN + 1];
    struct strlist roles = {0};
    char *token;

    (void)state;
    store_member("auditor-store", "auditor-store@example.com", id);
    strlist_push(&roles, "auditor");
    assert_int_equal(
        store_user_update_roles(store, id, &roles, timestamp_now()), STORE_OK);
    strlist_release(&roles);
    token = harness_login(b, "auditor-store@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    assert_true(has_role(token, "auditor"));
    assert_int_equal(read_owner_status(token), 200);

    assert_int_equal(
        store_user_update_roles(store, id, &roles, timestamp_now()), STORE_OK);
    assert_false(has_role(token, "auditor"));
    assert_int_equal(read_owner_status(token), 400);
    free(token);
}

static void role_removed_on_a_is_reflected_on_b_route(void **state)
{
    char id[UUID_STR_LEN + 1];
    char path[128];
    char *token;
    struct response res;

    (void)state;
    route_member("auditor-route", "auditor-route@example.com", id);
    snprintf(path, sizeof(path), "/api/v2/users/%s/roles", id);
    res =
        harness_call(a, "PUT", path, owner_token, "{\"roles\":[\"auditor\"]}");
    assert_int_equal(res.status, 200);
    response_release(&res);
    token = harness_login(b, "auditor-route@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    assert_true(has_role(token, "auditor"));
    assert_int_equal(read_owner_status(token), 200);

    res = harness_call(a, "PUT", path, owner_token, "{\"roles\":[]}");
    assert_int_equal(res.status, 200);
    response_release(&res);
    assert_false(has_role(token, "auditor"));
    assert_int_equal(read_owner_status(token), 400);
    free(token);
}

/* ----- a replica killed in the middle of a request ---------------------- */

struct pending_request {
    char url[128];
    const char *body;
    CURLcode code;
    long status;
};

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* Send one POST on a thread of its own; the server may die under it. */
static void *send_pending(void *arg)
{
    struct pending_request *p = arg;
    CURL *curl = curl_easy_init();
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/json");

    curl_easy_setopt(curl, CURLOPT_URL, p->url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, p->body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    p->code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &p->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return NULL;
}

static PGresult *must_query(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType status = PQresultStatus(res);

    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    return res;
}

static long count_rows(PGconn *conn, const char *table)
{
    char sql[128];
    PGresult *res;
    long n;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    res = must_query(conn, sql);
    n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

static long max_migration(PGconn *conn)
{
    PGresult *res = must_query(conn, "SELECT max(version) FROM "
                                     "schema_migrations");
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);

    PQclear(res);
    return n;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll sql until it returns a row (or, with want_rows false, none) and
 * return the first value of the last answer ("" for none). */
static char *poll_query(PGconn *conn, const char *sql, bool want_rows)
{
    double deadline = now_seconds() + POLL_DEADLINE_SECONDS;
    struct timespec pause = {0, 10 * 1000 * 1000};

    while (now_seconds() < deadline) {
        PGresult *res = must_query(conn, sql);
        bool rows = PQntuples(res) > 0;
        char *value = strdup(rows ? PQgetvalue(res, 0, 0) : "");

        PQclear(res);
        if (rows == want_rows)
            return value;
        free(value);
        nanosleep(&pause, NULL);
    }
    fail_msg("no answer in time to %s", sql);
    return NULL;
}

static void killed_replica_leaves_no_partial_rows(void **state)
{
    struct harness *victim = harness_start(NULL);
    struct harness *survivor = harness_start_replica(victim, NULL);
    PGconn *holder = PQconnectdb(harness_postgres_url(victim));
    PGconn *watcher = PQconnectdb(harness_postgres_url(victim));
    struct pending_request pending = {0};
    pthread_t thread;
    char sql[256];
    char *backend;
    char *token;

    (void)state;
    assert_int_equal(PQstatus(holder), CONNECTION_OK);
    assert_int_equal(PQstatus(watcher), CONNECTION_OK);

    /* Hold the git SSH key table, so that the victim's first-user
     * transaction stops after writing the user and its membership. */
    PQclear(must_query(holder, "BEGIN"));
    PQclear(must_query(holder, "LOCK TABLE gitsshkeys IN ACCESS EXCLUSIVE "
                               "MODE"));
    snprintf(pending.url, sizeof(pending.url), "%s/api/v2/users/first",
             harness_base_url(victim));
    pending.body = "{\"email\":\"victim@example.com\",\"username\":\"victim\","
                   "\"password\":\"" HARNESS_PASSWORD "\"}";
    pthread_create(&thread, NULL, send_pending, &pending);
    backend = poll_query(watcher,
                         "SELECT pid FROM pg_stat_activity "
                         "WHERE datname = current_database() "
                         "AND wait_event_type = 'Lock' "
                         "AND query LIKE '%INSERT INTO gitsshkeys%'",
                         true);

    /* Mid-request: the survivor serves and sees nothing of it. */
    assert_int_equal(
        status_of(survivor, "GET", "/api/v2/users/first", NULL, NULL), 404);
    harness_kill(victim);
    PQclear(must_query(holder, "ROLLBACK"));
    pthread_join(thread, NULL);
    assert_int_not_equal(pending.code, CURLE_OK);

    /* Once the victim's database session has ended, nothing of its
     * transaction remains. */
    snprintf(sql, sizeof(sql),
             "SELECT pid FROM pg_stat_activity WHERE pid = %s", backend);
    free(poll_query(watcher, sql, false));
    free(backend);
    assert_int_equal(count_rows(watcher, "users"), 0);
    assert_int_equal(count_rows(watcher, "organization_members"), 0);
    assert_int_equal(count_rows(watcher, "gitsshkeys"), 0);

    /* The survivor creates the same account in full. */
    assert_int_equal(
        status_of(survivor, "POST", "/api/v2/users/first", NULL, pending.body),
        201);
    token = harness_login(survivor, "victim@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    assert_int_equal(me_status(survivor, token), 200);
    assert_int_equal(count_rows(watcher, "users"), 1);
    assert_int_equal(count_rows(watcher, "organization_members"), 1);
    assert_int_equal(count_rows(watcher, "gitsshkeys"), 1);

    free(token);
    PQfinish(watcher);
    PQfinish(holder);
    harness_free(survivor);
    harness_free(victim);
}

/* Servers starting at the same moment on a new database all come up,
 * and the schema and the first rows exist once: the migration lock makes
 * each wait for the one before it. */
static void replicas_start_together_on_a_new_database(void **state)
{
    struct harness *servers[4];
    PGconn *conn;

    (void)state;
    harness_start_together(servers, 4, NULL);
    conn = PQconnectdb(harness_postgres_url(servers[0]));
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    /* One row per migration: versions 1 to n, each applied once. */
    assert_int_equal(count_rows(conn, "schema_migrations"),
                     max_migration(conn));
    assert_int_equal(count_rows(conn, "organizations"), 1);
    assert_int_equal(count_rows(conn, "site_configs"), 1);
    PQfinish(conn);
    for (size_t i = 4; i-- > 0;) {
        assert_int_equal(
            status_of(servers[i], "GET", "/api/v2/users/first", NULL, NULL),
            404);
        harness_free(servers[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(user_created_on_a_logs_in_on_b),
        cmocka_unit_test(user_created_on_a_logs_in_on_b_route),
        cmocka_unit_test(logout_on_a_ends_the_session_on_b),
        cmocka_unit_test(token_deleted_on_a_is_refused_on_b_route),
        cmocka_unit_test(password_changed_in_the_store_is_seen_on_b),
        cmocka_unit_test(password_changed_on_a_is_seen_on_b_route),
        cmocka_unit_test(suspension_in_the_store_is_refused_on_b),
        cmocka_unit_test(suspension_on_a_is_refused_on_b_route),
        cmocka_unit_test(role_removed_in_the_store_is_reflected_on_b),
        cmocka_unit_test(role_removed_on_a_is_reflected_on_b_route),
        cmocka_unit_test(killed_replica_leaves_no_partial_rows),
        cmocka_unit_test(replicas_start_together_on_a_new_database),
    };

    return cmocka_run_group_tests(tests, start_replicas, stop_replicas);
}
