/* SPDX-License-Identifier: MIT */
/* Many connections at once, kept alive, and closed when idle. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define CONNECTIONS 1000

static const char request[] =
    "GET /api/v2/buildinfo HTTP/1.1\r\nHost: x\r\n\r\n";

static double monotonic_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void raise_file_limit(void)
{
    struct rlimit limit;

    assert_int_equal(getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_max < CONNECTIONS + 64)
        fail_msg("the open-file limit %lu is too low for this test",
                 (unsigned long)limit.rlim_max);
    limit.rlim_cur = limit.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &limit), 0);
}

/* Start a non-blocking connect to the server. */
static int start_connect(int port)
{
    struct sockaddr_in addr = {0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int rc;

    assert_true(fd >= 0);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    assert_true(rc == 0 || errno == EINPROGRESS);
    return fd;
}

struct conn {
    int fd;
    size_t sent;
    char reply[2048];
    size_t received;
    int done;
};

/* Drive every connection until each has sent its request and read a full
 * response, or the deadline passes. Returns how many finished. */
static int exchange_all(struct conn *conns, int n, double deadline)
{
    struct pollfd *pfds = calloc((size_t)n, sizeof(*pfds));
    int finished = 0;

    while (finished < n && monotonic_seconds() < deadline) {
        for (int i = 0; i < n; i++) {
            pfds[i].fd = conns[i].done ? -1 : conns[i].fd;
            pfds[i].events =
                conns[i].sent < sizeof(request) - 1 ? POLLOUT : POLLIN;
        }
        if (poll(pfds, (nfds_t)n, 1000) <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            struct conn *c = &conns[i];
            ssize_t got;

            if (c->done || pfds[i].revents == 0)
                continue;
            if (c->sent < sizeof(request) - 1) {
                got = write(c->fd, request + c->sent,
                            sizeof(request) - 1 - c->sent);
                if (got > 0)
                    c->sent += (size_t)got;
                continue;
            }
            got = read(c->fd, c->reply + c->received,
                       sizeof(c->reply) - 1 - c->received);
            if (got <= 0) {
                c->done = -1;
                finished++;
                continue;
            }
            c->received += (size_t)got;
            c->reply[c->received] = '\0';
            if (strstr(c->reply, "\"deployment_id\"") != NULL) {
                c->done = 1;
                finished++;
            }
        }
    }
    free(pfds);
    return finished;
}

/* Wait until the server has closed every connection (read returns 0),
 * or the deadline passes. Returns how many were closed. */
static int wait_all_closed(struct conn *conns, int n, double deadline)
{
    struct pollfd *pfds = calloc((size_t)n, sizeof(*pfds));
    int closed = 0;
    char buf[256];

    for (int i = 0; i < n; i++)
        conns[i].done = 0;
    while (closed < n && monotonic_seconds() < deadline) {
        for (int i = 0; i < n; i++) {
            pfds[i].fd = conns[i].done ? -1 : conns[i].fd;
            pfds[i].events = POLLIN;
        }
        if (poll(pfds, (nfds_t)n, 1000) <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            if (conns[i].done || pfds[i].revents == 0)
                continue;
            if (read(conns[i].fd, buf, sizeof(buf)) <= 0) {
                conns[i].done = 1;
                closed++;
            }
        }
    }
    free(pfds);
    return closed;
}

static void burst_of_keepalive_connections(void **state)
{
    const char *const args[] = {"--http-idle-timeout", "3s", NULL};
    struct harness *h;
    struct conn *conns = calloc(CONNECTIONS, sizeof(*conns));
    struct response res;
    double start;
    int ok = 0;

    (void)state;
    raise_file_limit();
    h = harness_start(args);
    for (int i = 0; i < CONNECTIONS; i++)
        conns[i].fd = start_connect(harness_port(h));
    assert_int_equal(exchange_all(conns, CONNECTIONS, monotonic_seconds() + 60),
                     CONNECTIONS);
    for (int i = 0; i < CONNECTIONS; i++)
        ok += conns[i].done == 1 &&
              strncmp(conns[i].reply, "HTTP/1.1 200", 12) == 0;
    assert_int_equal(ok, CONNECTIONS);

    /* With all of them held open, a new client is still served. */
    start = monotonic_seconds();
    res = harness_call(h, "GET", "/api/v2/users/first", NULL, NULL);
    assert_int_equal(res.status, 404);
    response_release(&res);
    print_message("new request answered in %.3f s\n",
                  monotonic_seconds() - start);

    /* Idle connections are closed by the server after the timeout. */
    assert_int_equal(
        wait_all_closed(conns, CONNECTIONS, monotonic_seconds() + 60),
        CONNECTIONS);
    for (int i = 0; i < CONNECTIONS; i++)
        close(conns[i].fd);
    free(conns);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_of_keepalive_connections),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
