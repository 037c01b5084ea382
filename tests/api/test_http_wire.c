/* SPDX-License-Identifier: MIT */
/*
 * Requests written byte by byte on a raw socket, checked against how
 * Go's server and Coder's router treat them: encoded slashes in a path,
 * requests cut short, ambiguous framing, a missing Host, blanks around tokens
 * and clients that hang up.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static struct harness *server;
static char *token;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    token = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    free(token);
    harness_free(server);
    return 0;
}

/* What came back on one connection, and whether the server closed it. */
struct reply {
    char *data;
    bool closed;
};

static int connect_to(int port)
{
    struct sockaddr_in addr = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
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

/* Read until the server closes the connection or is silent for 20
 * seconds. */
static struct reply read_reply(int fd)
{
    struct reply reply = {calloc(1, 1), false};
    size_t len = 0;
    char chunk[4096];
    struct pollfd pfd = {fd, POLLIN, 0};

    while (poll(&pfd, 1, 20000) == 1) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n <= 0) {
            reply.closed = true;
            break;
        }
        reply.data = realloc(reply.data, len + (size_t)n + 1);
        memcpy(reply.data + len, chunk, (size_t)n);
        len += (size_t)n;
        reply.data[len] = '\0';
    }
    return reply;
}

static long status_of(const char *data)
{
    assert_true(strncmp(data, "HTTP/1.1 ", 9) == 0);
    return strtol(data + 9, NULL, 10);
}

/* Return the detail of GET path as the owner, checking its status. */
static char *user_detail(const char *path, long status)
{
    struct response res = harness_call(server, "GET", path, token, NULL);
    char *detail;

    print_message("%s -> %ld %s\n", path, res.status, res.body);
    assert_int_equal(res.status, status);
    detail = response_string(&res, "detail")
                 ? strdup(response_string(&res, "detail"))
                 : NULL;
    response_release(&res);
    return detail;
}

static void encoded_slash_stays_in_its_segment(void **state)
{
    char *detail;

    (void)state;
    /* Coder's router matches the path as sent and keeps the captured
     * segment encoded when the path is not in Go's canonical form. */
    detail = user_detail("/api/v2/users/me%2Fkeys", 400);
    assert_string_equal(detail, "queried user=\"me%2Fkeys\"");
    free(detail);

    detail = user_detail("/api/v2/users/%6de", 400);
    assert_string_equal(detail, "queried user=\"%6de\"");
    free(detail);

    /* In the canonical form the segment is decoded. */
    detail = user_detail("/api/v2/users/a%20b", 400);
    assert_string_equal(detail, "queried user=\"a b\"");
    free(detail);

    free(user_detail("/api/v2/users/me", 200));
    free(user_detail("/api/v2/%75sers/me", 404));
}

static void requests_cut_before_their_headers_end(void **state)
{
    const char *const args[] = {"--verbose", NULL};
    struct harness *h = harness_start(args);
    int idle = connect_to(harness_port(h));
    int fd = connect_to(harness_port(h));
    struct reply reply;

    (void)state;
    /* libmicrohttpd sends the error for this one itself, before any header
     * reaches the server's code. */
    send_all(fd, "POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
                 "Content-Length: 99999999999999999999999\r\n\r\n");
    reply = read_reply(fd);
    close(fd);
    assert_true(reply.closed);
    assert_int_equal(status_of(reply.data), 413);
    free(reply.data);
    assert_true(harness_wait_log(h, "request ended before routing", 30));

    /* A request still arriving when the server stops is freed with its
     * connection; harness_free fails the test on a leak. */
    send_all(idle, "GET /api/v2/buildinfo HTTP/1.1\r\nHo");
    harness_free(h);
    close(idle);
}

/* Send request on a new connection and return what came back. */
static struct reply exchange(const char *request)
{
    int fd = connect_to(harness_port(server));
    struct reply reply;

    send_all(fd, request);
    reply = read_reply(fd);
    close(fd);
    return reply;
}

/* Count the status lines: "HTTP/1.1 " at the start of a line. */
static unsigned count_responses(const char *data)
{
    unsigned n = strncmp(data, "HTTP/1.1 ", 9) == 0;

    for (const char *p = strstr(data, "\nHTTP/1.1 "); p != NULL;
         p = strstr(p + 1, "\nHTTP/1.1 "))
        n++;
    return n;
}

/*
 * Check that reply is exactly one response with the given status, in
 * Coder's error shape with the build header. Check also that the server
 * closed the connection after it. Returns the detail (malloc'd).
 */
static char *check_rejection(const struct reply *reply, long status)
{
    const char *body;
    json_t *doc;
    char *detail;

    print_message("%s\n", reply->data);
    assert_true(reply->closed);
    assert_int_equal(count_responses(reply->data), 1);
    assert_int_equal(status_of(reply->data), status);
    assert_non_null(strstr(reply->data, "X-Coder-Build-Version: "));
    assert_non_null(strstr(reply->data, "Connection: close\r\n"));
    assert_non_null(strstr(reply->data, "application/json"));
    body = strstr(reply->data, "\r\n\r\n");
    assert_non_null(body);
    doc = json_loads(body + 4, 0, NULL);
    assert_non_null(doc);
    assert_true(json_is_string(json_object_get(doc, "message")));
    assert_true(json_is_string(json_object_get(doc, "detail")));
    detail = strdup(json_string_value(json_object_get(doc, "detail")));
    json_decref(doc);
    return detail;
}

static void expect_rejection(const char *request, long status)
{
    struct reply reply = exchange(request);

    free(check_rejection(&reply, status));
    free(reply.data);
}

static void smuggled_request_is_not_answered(void **state)
{
    const char *second = "GET /api/v2/buildinfo HTTP/1.1\r\nHost: x\r\n\r\n";
    char request[512];
    struct reply reply;
    char *detail;

    (void)state;
    snprintf(request, sizeof(request),
             "POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
             "Content-Length: 0\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(second), second);
    reply = exchange(request);
    detail = check_rejection(&reply, 400);
    assert_null(strstr(reply.data, "\"version\""));
    assert_non_null(strstr(detail, "Content-Length"));
    free(detail);
    free(reply.data);
}

static void equal_content_lengths_are_read_once(void **state)
{
    struct reply reply;

    (void)state;
    /* Go keeps one of several Content-Length headers that agree. */
    reply = exchange("POST /api/v2/users/validate-password HTTP/1.1\r\n"
                     "Host: x\r\nContent-Length: 16\r\nContent-Length: 16\r\n"
                     "Connection: close\r\n\r\n{\"password\":\"x\"}");
    assert_int_equal(count_responses(reply.data), 1);
    assert_int_equal(status_of(reply.data), 200);
    free(reply.data);
}

static void transfer_encoding_with_length_rejected(void **state)
{
    (void)state;
    expect_rejection(
        "POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\nGET /api/v2/buildinfo HTTP/1.1\r\nHost: x\r\n\r\n",
        400);
    expect_rejection("POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                     "0\r\n\r\n",
                     400);
}

static void other_transfer_codings_get_501(void **state)
{
    (void)state;
    expect_rejection("POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: gzip\r\n\r\n",
                     501);
    expect_rejection("POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                     501);
    expect_rejection(
        "POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\n",
        501);
}

static void chunked_body_is_read(void **state)
{
    struct reply reply;

    (void)state;
    reply = exchange("POST /api/v2/users/validate-password HTTP/1.1\r\n"
                     "Host: x\r\nTransfer-Encoding: Chunked\r\n"
                     "Connection: close\r\n\r\n"
                     "10\r\n{\"password\":\"x\"}\r\n0\r\n\r\n");
    assert_int_equal(status_of(reply.data), 200);
    free(reply.data);
}

static void transfer_encoding_on_1_0_rejected(void **state)
{
    struct reply reply;
    char *detail;

    (void)state;
    /* HTTP/1.0 has no transfer codings: the framing is faulty even though
     * the body would read as chunked. */
    reply = exchange("POST /api/v2/users/validate-password HTTP/1.0\r\n"
                     "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "10\r\n{\"password\":\"x\"}\r\n0\r\n\r\n");
    detail = check_rejection(&reply, 400);
    assert_non_null(strstr(detail, "Transfer-Encoding"));
    free(detail);
    free(reply.data);
}

static void http_1_1_needs_one_host(void **state)
{
    char *detail;
    struct reply reply;

    (void)state;
    reply = exchange("GET /api/v2/buildinfo HTTP/1.1\r\n\r\n");
    detail = check_rejection(&reply, 400);
    assert_non_null(strstr(detail, "Host"));
    free(detail);
    free(reply.data);

    expect_rejection(
        "GET /api/v2/buildinfo HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400);

    /* An empty Host is still a Host header. */
    reply = exchange("GET /api/v2/buildinfo HTTP/1.1\r\nHost:\r\n"
                     "Connection: close\r\n\r\n");
    assert_int_equal(status_of(reply.data), 200);
    free(reply.data);
}

static void http_1_0_needs_no_host(void **state)
{
    struct reply reply;

    (void)state;
    reply = exchange("GET /api/v2/buildinfo HTTP/1.0\r\n\r\n");
    assert_int_equal(status_of(reply.data), 200);
    assert_non_null(strstr(reply.data, "\"version\""));
    free(reply.data);
}

/* Return the status of GET /users/me sent with one extra header line. */
static long me_status_with(const char *header)
{
    char request[512];
    struct reply reply;
    long status;

    snprintf(request, sizeof(request),
             "GET /api/v2/users/me HTTP/1.1\r\nHost: x\r\n%s\r\n"
             "Connection: close\r\n\r\n",
             header);
    reply = exchange(request);
    status = status_of(reply.data);
    free(reply.data);
    return status;
}

static void blanks_around_token_headers_are_ignored(void **state)
{
    static const char *const forms[] = {
        "Coder-Session-Token: %s ",
        "Coder-Session-Token:\t%s\t",
        "Coder-Session-Token:  %s \t ",
        "Authorization: Bearer %s ",
        "Authorization: Bearer \t %s\t",
        "Authorization: bearer %s",
        "Cookie: coder_session_token=%s ",
        "Cookie: coder_session_token=%s\t; theme=dark",
        "Cookie: coder_session_token=\"%s\" ",
    };
    char header[256];

    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        snprintf(header, sizeof(header), forms[i], token);
        print_message("%s\n", forms[i]);
        assert_int_equal(me_status_with(header), 200);
    }
}

static void blanks_inside_cookies_and_queries_stay(void **state)
{
    char header[256];
    char path[256];
    struct response res;

    (void)state;
    /* Go keeps the blank after "=" as part of the cookie's value. */
    snprintf(header, sizeof(header), "Cookie: coder_session_token= %s", token);
    assert_int_equal(me_status_with(header), 401);

    snprintf(path, sizeof(path), "/api/v2/users/me?coder_session_token=%s%%20",
             token);
    res = harness_call(server, "GET", path, NULL, NULL);
    assert_int_equal(res.status, 401);
    response_release(&res);
}

static void hang_ups_are_debug_lines(void **state)
{
    const char *const args[] = {"--verbose", NULL};
    struct harness *h = harness_start(args);
    int fd = connect_to(harness_port(h));
    char *log;
    const char *line;

    (void)state;
    send_all(fd, "POST /api/v2/users/login HTTP/1.1\r\nHost: x\r\n"
                 "Content-Length: 100\r\n\r\n{\"email\":");
    /* Hang up only once the server has read the headers, so that the
     * hang-up reaches it on its own. */
    assert_true(harness_wait_log(h, "path=/api/v2/users/login", 30));
    close(fd);
    assert_true(harness_wait_log(h, "msg=\"request aborted\"", 30));
    assert_true(
        harness_wait_log(h, "Connection was closed by remote side", 30));

    log = harness_log(h);
    line = strstr(log, "Connection was closed by remote side");
    while (line > log && line[-1] != '\n')
        line--;
    assert_true(strncmp(strstr(line, "level="), "level=debug ", 12) == 0);
    line = strstr(log, "msg=\"request aborted\"");
    while (line > log && line[-1] != '\n')
        line--;
    assert_true(strncmp(strstr(line, "level="), "level=info ", 11) == 0);
    assert_null(strstr(log, "level=warn module=http"));
    free(log);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoded_slash_stays_in_its_segment),
        cmocka_unit_test(requests_cut_before_their_headers_end),
        cmocka_unit_test(smuggled_request_is_not_answered),
        cmocka_unit_test(equal_content_lengths_are_read_once),
        cmocka_unit_test(transfer_encoding_with_length_rejected),
        cmocka_unit_test(other_transfer_codings_get_501),
        cmocka_unit_test(chunked_body_is_read),
        cmocka_unit_test(transfer_encoding_on_1_0_rejected),
        cmocka_unit_test(http_1_1_needs_one_host),
        cmocka_unit_test(http_1_0_needs_no_host),
        cmocka_unit_test(blanks_around_token_headers_are_ignored),
        cmocka_unit_test(blanks_inside_cookies_and_queries_stay),
        cmocka_unit_test(hang_ups_are_debug_lines),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
