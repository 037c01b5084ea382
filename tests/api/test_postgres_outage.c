/* SPDX-License-Identifier: MIT */
/*
 * A database outage under a running server: while PostgreSQL is down
 * every request that needs it gets 503 in Coder's error shape, and once
 * it is back the same server process answers again, without a restart.
 * The test runs its own cluster (scripts/postgres-cluster.sh, named by
 * $USHER_TEST_POSTGRES_CLUSTER) so that stopping it disturbs no other
 * test.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

extern char **environ;

/* How long the server may take to answer again once the database is up. */
#define RECOVERY_DEADLINE_SECONDS 30

static char cluster_dir[256];

/* Run the cluster script with action; its first output line goes to out.
 * Returns the script's exit status. */
static int cluster(const char *action, char *out, size_t size)
{
    const char *script = getenv("USHER_TEST_POSTGRES_CLUSTER");
    char *argv[] = {"bash", (char *)script, (char *)action, cluster_dir,
                    NULL};
    posix_spawn_file_actions_t actions;
    int pipefd[2];
    pid_t pid;
    int status = -1;
    FILE *from;
    char line[512];

    if (script == NULL)
        fail_msg("USHER_TEST_POSTGRES_CLUSTER is not set");
    if (pipe(pipefd) != 0)
        fail_msg("pipe: %s", strerror(errno));
    /* Only the duplicate on stdout may reach the script, or the server it
     * starts would hold the pipe open and the read below never end. */
    fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
    if (posix_spawnp(&pid, "bash", &actions, NULL, argv, environ) != 0)
        fail_msg("cannot run %s", script);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    /* Read everything, so that the script never writes to a closed pipe. */
    from = fdopen(pipefd[0], "r");
    if (out != NULL)
        out[0] = '\0';
    while (from != NULL && fgets(line, sizeof(line), from) != NULL) {
        if (out != NULL && out[0] == '\0')
            snprintf(out, size, "%s", line);
    }
    if (from != NULL)
        fclose(from);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    }
    if (out != NULL)
        out[strcspn(out, "\n")] = '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int start_cluster(void **state)
{
    const char *tmp = getenv("TMPDIR");
    char admin[512];

    (void)state;
    snprintf(cluster_dir, sizeof(cluster_dir), "%s/usher-outage-XXXXXX",
             tmp ? tmp : "/tmp");
    if (mkdtemp(cluster_dir) == NULL)
        fail_msg("mkdtemp: %s", strerror(errno));
    if (cluster("start", admin, sizeof(admin)) != 0 || admin[0] == '\0')
        fail_msg("cannot start a PostgreSQL cluster in %s", cluster_dir);
    setenv("USHER_TEST_POSTGRES_ADMIN", admin, 1);
    setenv("USHER_TEST_BACKEND", "postgres", 1);
    return 0;
}

static int remove_cluster(void **state)
{
    (void)state;
    cluster("stop", NULL, 0);
    nftw(cluster_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Check a 503 in Coder's error shape. */
static void assert_unavailable(struct response *res)
{
    char *retry = response_header(res, "Retry-After");

    assert_int_equal(res->status, 503);
    assert_string_equal(response_string(res, "message"),
                        "The database is unavailable. Try again shortly.");
    assert_non_null(response_string(res, "detail"));
    assert_true(response_string(res, "detail")[0] != '\0');
    assert_non_null(retry);
    free(retry);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll GET /users/me until it answers 200 or the deadline passes; the
 * pause between tries only keeps the loop from spinning. */
static long poll_until_served(struct harness *h, const char *token)
{
    double deadline = now_seconds() + RECOVERY_DEADLINE_SECONDS;
    struct timespec pause = {0, 20 * 1000 * 1000};
    long status = 0;

    while (now_seconds() < deadline) {
        struct response res =
            harness_call(h, "GET", "/api/v2/users/me", token, NULL);

        status = res.status;
        if (status != 503 && status != 200)
            fail_msg("unexpected status %ld: %s", status, res.body);
        response_release(&res);
        if (status == 200)
            break;
        nanosleep(&pause, NULL);
    }
    return status;
}

static void outage_answers_503_then_recovers(void **state)
{
    struct harness *h = harness_start(NULL);
    char *token = harness_setup_owner(h, "owner@example.com", "owner",
                                      HARNESS_PASSWORD);
    int pid = harness_pid(h);
    struct response res;

    (void)state;
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);

    assert_int_equal(cluster("stop", NULL, 0), 0);
    for (int i = 0; i < 3; i++) {
        res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
        assert_unavailable(&res);
        response_release(&res);
    }
    res = harness_call(h, "POST", "/api/v2/users/login", NULL,
                       "{\"email\":\"owner@example.com\",\"password\":\""
                       HARNESS_PASSWORD "\"}");
    assert_unavailable(&res);
    response_release(&res);
    res = harness_call(h, "GET", "/api/v2/users/first", NULL, NULL);
    assert_unavailable(&res);
    response_release(&res);

    assert_int_equal(cluster("start", NULL, 0), 0);
    assert_int_equal(poll_until_served(h, token), 200);
    assert_int_equal(harness_pid(h), pid);
    assert_true(harness_log_contains(
        h, "msg=\"cannot connect to the database, will retry\""));
    assert_true(harness_log_contains(h, "msg=\"reconnected to the database\""));

    free(token);
    harness_free(h);
}

/* A restart between two requests leaves only dead idle connections,
 * which are noticed before use: the next request is served at once. */
static void quiet_restart_costs_no_request(void **state)
{
    struct harness *h = harness_start(NULL);
    char *token = harness_setup_owner(h, "quiet@example.com", "quiet",
                                      HARNESS_PASSWORD);
    struct response res;

    (void)state;
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);

    assert_int_equal(cluster("stop", NULL, 0), 0);
    assert_int_equal(cluster("start", NULL, 0), 0);
    for (int i = 0; i < 4; i++) {
        res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
        assert_int_equal(res.status, 200);
        response_release(&res);
    }
    assert_true(harness_log_contains(
        h, "msg=\"closing a lost database connection\""));
    free(token);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outage_answers_503_then_recovers),
        cmocka_unit_test(quiet_restart_costs_no_request),
    };

    return cmocka_run_group_tests(tests, start_cluster, remove_cluster);
}
