/* SPDX-License-Identifier: MIT */
/*
 * Requests written byte by byte on a raw socket, checked against how
 * Go's server and Coder's router treat them: encoded slashes in a path and
 * requests cut short.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoded_slash_stays_in_its_segment),
        cmocka_unit_test(requests_cut_before_their_headers_end),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
