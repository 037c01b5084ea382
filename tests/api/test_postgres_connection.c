/* SPDX-License-Identifier: MIT */
/*
 * Selecting PostgreSQL: both forms of connection string libpq takes, its
 * settings honoured (sslmode), and a clear start-up failure when the
 * database cannot be reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "cluster.h"
#include "harness.h"

extern char **environ;

/* Run `usher server` with conninfo until it exits by itself; its log goes
 * to out. Returns the exit status. */
static int run_failing_server(const char *conninfo, char *out, size_t size)
{
    const char *binary = getenv("USHER_BINARY");
    char *argv[] = {(char *)binary,
                    "server",
                    "--http-address",
                    "127.0.0.1:0",
                    "--postgres-url",
                    (char *)conninfo,
                    NULL};
    posix_spawn_file_actions_t actions;
    int pipefd[2];
    size_t len = 0;
    ssize_t n;
    pid_t pid;
    int status = -1;

    if (pipe(pipefd) != 0)
        fail_msg("pipe: %s", strerror(errno));
    fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
    if (posix_spawn(&pid, binary, &actions, NULL, argv, environ) != 0)
        fail_msg("cannot start %s", binary);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    while (len + 1 < size &&
           (n = read(pipefd[0], out + len, size - len - 1)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Return the value of keyword in a key=value connection string. */
static char *conninfo_value(const char *conninfo, const char *keyword)
{
    PQconninfoOption *options = PQconninfoParse(conninfo, NULL);
    char *value = NULL;

    assert_non_null(options);
    for (PQconninfoOption *o = options; o->keyword != NULL; o++) {
        if (strcmp(o->keyword, keyword) == 0 && o->val != NULL)
            value = strdup(o->val);
    }
    PQconninfoFree(options);
    return value;
}

static void url_form_reaches_the_same_database(void **state)
{
    struct harness *primary = harness_start(NULL);
    struct harness *by_url;
    char *host = conninfo_value(harness_postgres_url(primary), "host");
    char *port = conninfo_value(harness_postgres_url(primary), "port");
    char *user = conninfo_value(harness_postgres_url(primary), "user");
    char *dbname = conninfo_value(harness_postgres_url(primary), "dbname");
    char url[1024];
    const char *args[] = {"--postgres-url", url, NULL};
    char *token;

    (void)state;
    assert_non_null(host);
    assert_non_null(dbname);
    /* A later --postgres-url wins over the harness's key=value one. */
    snprintf(url, sizeof(url), "postgresql:///%s?host=%s&port=%s&user=%s",
             dbname, host, port ? port : "5432", user ? user : "postgres");
    by_url = harness_start_replica(primary, args);
    assert_true(harness_log_contains(by_url, "store=postgres"));
    token = harness_setup_owner(by_url, "url@example.com", "url-form",
                                HARNESS_PASSWORD);
    free(token);
    token = harness_login(primary, "url@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    free(token);

    free(host);
    free(port);
    free(user);
    free(dbname);
    harness_free(by_url);
    harness_free(primary);
}

/* Start a server on a new database made through admin and create the
 * first user through it. */
static void serve_through(const char *admin)
{
    char *saved = strdup(getenv("USHER_TEST_POSTGRES_ADMIN"));
    struct harness *h;
    char *token;

    setenv("USHER_TEST_POSTGRES_ADMIN", admin, 1);
    h = harness_start(NULL);
    setenv("USHER_TEST_POSTGRES_ADMIN", saved, 1);
    free(saved);
    token = harness_setup_owner(h, "tcp@example.com", "tcp", HARNESS_PASSWORD);
    free(token);
    harness_free(h);
}

/* The private cluster of the test that runs, stopped by its teardown even
 * when an assertion ends the test early. */
static struct cluster *private_cluster;
static int private_port;

static int start_private_cluster(void **state)
{
    (void)state;
    private_port = cluster_free_port();
    private_cluster = cluster_start(private_port);
    return 0;
}

static int stop_private_cluster(void **state)
{
    (void)state;
    cluster_free(private_cluster);
    private_cluster = NULL;
    return 0;
}

/* Over TCP to a server without TLS: sslmode=require must stop start-up
 * with libpq's reason, sslmode=disable must connect. */
static void sslmode_from_the_string_is_honoured(void **state)
{
    int port = private_port;
    char conninfo[1024];
    char log[8192];
    PGconn *conn;

    (void)state;
    snprintf(conninfo, sizeof(conninfo),
             "host=127.0.0.1 port=%d user=postgres dbname=postgres "
             "sslmode=require",
             port);
    assert_int_not_equal(run_failing_server(conninfo, log, sizeof(log)), 0);
    assert_non_null(strstr(log, "msg=\"cannot open the store\""));
    assert_non_null(strstr(log, "SSL was required"));

    snprintf(conninfo, sizeof(conninfo),
             "host=127.0.0.1 port=%d user=postgres dbname=postgres "
             "sslmode=disable",
             port);
    conn = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    PQfinish(conn);
    serve_through(conninfo);
}

static long status_of_first(struct harness *h)
{
    struct response res =
        harness_call(h, "GET", "/api/v2/users/first", NULL, NULL);
    long status = res.status;

    response_release(&res);
    return status;
}

/* The connection string's own settings win over the server's defaults:
 * the application name shows in the database's session list. */
static void string_settings_win_over_defaults(void **state)
{
    struct harness *primary = harness_start(NULL);
    char url[1024];
    const char *args[] = {"--postgres-url", url, NULL};
    struct harness *named;
    PGconn *conn;
    PGresult *res;
    char *token;

    (void)state;
    snprintf(url, sizeof(url), "%s application_name=replica-b",
             harness_postgres_url(primary));
    assert_int_equal(status_of_first(primary), 404);
    named = harness_start_replica(primary, args);
    token = harness_setup_owner(named, "named@example.com", "named",
                                HARNESS_PASSWORD);
    conn = PQconnectdb(harness_postgres_url(primary));
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    res = PQexec(conn, "SELECT application_name FROM pg_stat_activity "
                       "WHERE datname = current_database() "
                       "AND application_name IN ('usher', 'replica-b') "
                       "GROUP BY 1 ORDER BY 1");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 2);
    assert_string_equal(PQgetvalue(res, 0, 0), "replica-b");
    assert_string_equal(PQgetvalue(res, 1, 0), "usher");
    PQclear(res);
    PQfinish(conn);
    free(token);
    harness_free(named);
    harness_free(primary);
}

static void unreachable_database_fails_start_up(void **state)
{
    char log[8192];

    (void)state;
    assert_int_not_equal(
        run_failing_server("host=/nonexistent/usher-test user=nobody", log,
                           sizeof(log)),
        0);
    assert_non_null(strstr(log, "cannot connect to the database"));
    assert_null(strstr(log, "msg=\"listening\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_form_reaches_the_same_database),
        cmocka_unit_test_setup_teardown(sslmode_from_the_string_is_honoured,
                                        start_private_cluster,
                                        stop_private_cluster),
        cmocka_unit_test(string_settings_win_over_defaults),
        cmocka_unit_test(unreachable_database_fails_start_up),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
