/* SPDX-License-Identifier: MIT */
/* The server process: options, routes, headers, rate limits, shutdown. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

/* Run the binary with arguments through the shell; return its exit status
 * and its combined output (caller frees). */
static int run_usher(const char *args, const char *env, char **output)
{
    char command[2048];
    char chunk[4096];
    size_t len = 0;
    FILE *pipe;
    int status;

    snprintf(command, sizeof(command), "%s \"%s\" %s 2>&1", env ? env : "",
             getenv("USHER_BINARY"), args);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    *output = calloc(1, 1);
    while (fgets(chunk, sizeof(chunk), pipe) != NULL) {
        size_t n = strlen(chunk);

        *output = realloc(*output, len + n + 1);
        memcpy(*output + len, chunk, n + 1);
        len += n;
    }
    status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void help_lists_every_option(void **state)
{
    static const char *const expected[] = {
        "--http-address",
        "CODER_HTTP_ADDRESS",
        "127.0.0.1:3000",
        "--sqlite-path",
        "USHER_SQLITE_PATH",
        "usher.db",
        "--session-duration",
        "CODER_SESSION_DURATION",
        "24h",
        "--disable-session-expiry-refresh",
        "CODER_DISABLE_SESSION_EXPIRY_REFRESH",
        "--secure-auth-cookie",
        "CODER_SECURE_AUTH_COOKIE",
        "--access-url",
        "CODER_ACCESS_URL",
        "--postgres-url",
        "CODER_PG_CONNECTION_URL",
        "<duration>",
    };
    char *out;

    (void)state;
    assert_int_equal(run_usher("server --help", NULL, &out), 0);
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        print_message("looking for %s\n", expected[i]);
        assert_non_null(strstr(out, expected[i]));
    }
    free(out);
}

static void bad_options_are_named(void **state)
{
    char *out;

    (void)state;
    assert_int_equal(run_usher("server --no-such-thing", NULL, &out), 2);
    assert_non_null(strstr(out, "--no-such-thing"));
    free(out);

    assert_int_equal(run_usher("server --session-duration forever", NULL, &out),
                     2);
    assert_non_null(strstr(out, "--session-duration"));
    assert_non_null(strstr(out, "forever"));
    free(out);

    assert_int_equal(run_usher("server", "CODER_SESSION_DURATION=-5h", &out),
                     2);
    assert_non_null(strstr(out, "CODER_SESSION_DURATION"));
    assert_non_null(strstr(out, "-5h"));
    free(out);

    assert_int_equal(run_usher("server --secure-auth-cookie=maybe", NULL, &out),
                     2);
    assert_non_null(strstr(out, "maybe"));
    free(out);

    assert_int_equal(run_usher("server --ssh-keygen-algorithm dsa", NULL, &out),
                     2);
    assert_non_null(strstr(out, "dsa"));
    free(out);

    assert_int_equal(run_usher("frobnicate", NULL, &out), 2);
    assert_non_null(strstr(out, "frobnicate"));
    free(out);
}

static void listen_failure_is_reported(void **state)
{
    char *out;

    (void)state;
    assert_int_equal(
        run_usher("server --http-address 127.0.0.1:99999", NULL, &out), 1);
    assert_non_null(strstr(out, "127.0.0.1:99999"));
    free(out);
}

static void routes_and_build_header(void **state)
{
    struct harness *h = harness_start(NULL);
    static const char *const paths[] = {
        "/api/v2/buildinfo",
        "/api/v2/",
        "/api/v2/nope",
        "/api/v2/users/me",
    };
    struct response res;

    (void)state;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char *build;

        res = harness_call(h, "GET", paths[i], NULL, NULL);
        build = response_header(&res, "X-Coder-Build-Version");
        assert_non_null(build);
        assert_true(build[0] == 'v');
        free(build);
        response_release(&res);
    }

    res = harness_call(h, "GET", "/api/v2/nope", NULL, NULL);
    assert_int_equal(res.status, 404);
    assert_string_equal(response_string(&res, "message"), "Route not found.");
    response_release(&res);

    res = harness_call(h, "DELETE", "/api/v2/buildinfo", NULL, NULL);
    assert_int_equal(res.status, 405);
    response_release(&res);

    res = harness_call(h, "GET", "/api/v2/buildinfo", NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_true(strncmp(response_string(&res, "version"), "v2.", 3) == 0);
    assert_string_equal(response_string(&res, "dashboard_url"),
                        harness_base_url(h));
    assert_int_equal(strlen(response_string(&res, "deployment_id")), 36);
    response_release(&res);

    res = harness_call(h, "GET", "/api/v2/", NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_non_null(response_string(&res, "message"));
    response_release(&res);
    harness_free(h);
}

static void access_url_is_dashboard_url(void **state)
{
    const char *const args[] = {"--access-url", "https://coder.example.com",
                                NULL};
    struct harness *h = harness_start(args);
    struct response res =
        harness_call(h, "GET", "/api/v2/buildinfo", NULL, NULL);

    (void)state;
    assert_string_equal(response_string(&res, "dashboard_url"),
                        "https://coder.example.com");
    response_release(&res);
    harness_free(h);
}

static void login_routes_are_rate_limited(void **state)
{
    const char *const args[] = {"--rate-limit-disable-all=false", NULL};
    struct harness *h = harness_start(args);
    struct response res;
    int allowed = 0;

    (void)state;
    for (int i = 0; i < 61; i++) {
        res = harness_call(h, "POST", "/api/v2/users/validate-password", NULL,
                           "{\"password\":\"x\"}");
        if (res.status == 200)
            allowed++;
        else
            assert_int_equal(res.status, 429);
        response_release(&res);
    }
    assert_int_equal(allowed, 60);
    res = harness_call(h, "POST", "/api/v2/users/validate-password", NULL,
                       "{\"password\":\"x\"}");
    assert_int_equal(res.status, 429);
    assert_string_equal(response_string(&res, "message"),
                        "You've been rate limited for sending too many "
                        "requests!");
    response_release(&res);
    /* Other routes have their own counters. */
    res = harness_call(h, "GET", "/api/v2/buildinfo", NULL, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    harness_free(h);
}

static void api_rate_limit_option(void **state)
{
    const char *const args[] = {"--rate-limit-disable-all=false",
                                "--rate-limit-api", "5", NULL};
    struct harness *h = harness_start(args);
    char *token =
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD);
    struct request req = {0};
    struct response res;

    (void)state;
    for (int i = 0; i < 5; i++) {
        res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
        assert_int_equal(res.status, 200);
        response_release(&res);
    }
    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 429);
    response_release(&res);

    /* Owners may ask to skip the limit. */
    req.method = "GET";
    req.path = "/api/v2/users/me";
    req.token = token;
    req.headers[0] = "X-Coder-Bypass-Ratelimit: true";
    res = harness_send(h, &req);
    assert_int_equal(res.status, 200);
    response_release(&res);
    free(token);
    harness_free(h);
}

/* Requests whose key is refused count against the client's address, and
 * the owner of the key they name keeps their own allowance. */
static void failed_authentication_is_rate_limited(void **state)
{
    const char *const args[] = {"--rate-limit-disable-all=false",
                                "--rate-limit-api", "5", NULL};
    struct harness *h = harness_start(args);
    char *token =
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD);
    char guess[64];
    struct response res;

    (void)state;
    /* The owner's key id with a wrong secret. */
    snprintf(guess, sizeof(guess), "%.10s-AAAAAAAAAAAAAAAAAAAAAA", token);
    for (int i = 0; i < 5; i++) {
        res = harness_call(h, "GET", "/api/v2/users/me", guess, NULL);
        assert_int_equal(res.status, 401);
        response_release(&res);
    }
    res = harness_call(h, "GET", "/api/v2/users/me", guess, NULL);
    assert_int_equal(res.status, 429);
    response_release(&res);
    res = harness_call(h, "GET", "/api/v2/users/me",
                       "AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB", NULL);
    assert_int_equal(res.status, 429);
    response_release(&res);

    res = harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 200);
    response_release(&res);
    free(token);
    harness_free(h);
}

static int connect_to(int port)
{
    struct sockaddr_in addr = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

static void send_all(int fd, const char *data)
{
    size_t len = strlen(data);

    while (len > 0) {
        ssize_t n = write(fd, data, len);

        assert_true(n > 0);
        data += n;
        len -= (size_t)n;
    }
}

/* Read until the peer closes or 30 seconds pass; return what arrived. */
static char *read_all(int fd)
{
    char *data = calloc(1, 1);
    size_t len = 0;
    char chunk[4096];
    struct pollfd pfd = {fd, POLLIN, 0};

    while (poll(&pfd, 1, 30000) == 1) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n <= 0)
            break;
        data = realloc(data, len + (size_t)n + 1);
        memcpy(data + len, chunk, (size_t)n);
        len += (size_t)n;
        data[len] = '\0';
    }
    return data;
}

static void shutdown_finishes_requests_in_flight(void **state)
{
    /* RSA-4096 key generation makes the first-user request take long
     * enough to be caught in flight. */
    const char *const args[] = {"--verbose", "--ssh-keygen-algorithm",
                                "rsa4096", NULL};
    struct harness *h = harness_start(args);
    const char *body = "{\"email\":\"owner@example.com\",\"username\":"
                       "\"owner\",\"password\":\"" HARNESS_PASSWORD "\"}";
    char request[512];
    char *reply;
    int fd = connect_to(harness_port(h));

    (void)state;
    snprintf(request, sizeof(request),
             "POST /api/v2/users/first HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             strlen(body), body);
    send_all(fd, request);

    /* Wait until the server has started on the request, then stop it. */
    assert_true(harness_wait_log(h, "msg=\"request started\" request_id=", 60));
    kill(harness_pid(h), SIGTERM);

    reply = read_all(fd);
    close(fd);
    assert_non_null(strstr(reply, "HTTP/1.1 201"));
    assert_non_null(strstr(reply, "\"user_id\""));
    free(reply);
    assert_int_equal(harness_stop(h), 0);
    assert_true(harness_log_contains(h, "msg=\"stopping\""));
    assert_true(harness_log_contains(h, "msg=\"stopped\""));

    /* The user was stored before the server went away. */
    harness_restart(h);
    {
        struct response res =
            harness_call(h, "GET", "/api/v2/users/first", NULL, NULL);

        assert_int_equal(res.status, 200);
        response_release(&res);
    }
    harness_free(h);
}

static void sigint_stops_cleanly(void **state)
{
    struct harness *h = harness_start(NULL);

    (void)state;
    kill(harness_pid(h), SIGINT);
    /* harness_stop sends SIGTERM as well, which a stopping server
     * ignores; the exit status must still be 0. */
    assert_int_equal(harness_stop(h), 0);
    assert_true(harness_log_contains(h, "msg=\"stopped\""));
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_lists_every_option),
        cmocka_unit_test(bad_options_are_named),
        cmocka_unit_test(listen_failure_is_reported),
        cmocka_unit_test(routes_and_build_header),
        cmocka_unit_test(access_url_is_dashboard_url),
        cmocka_unit_test(login_routes_are_rate_limited),
        cmocka_unit_test(api_rate_limit_option),
        cmocka_unit_test(failed_authentication_is_rate_limited),
        cmocka_unit_test(shutdown_finishes_requests_in_flight),
        cmocka_unit_test(sigint_stops_cleanly),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
