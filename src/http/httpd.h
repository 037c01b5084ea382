#ifndef USHER_HTTP_HTTPD_H
#define USHER_HTTP_HTTPD_H

#include <stddef.h>

#include "http/request.h"
#include "http/router.h"
#include "util/workpool.h"

/*
 * The HTTP/1.1 server: libmicrohttpd with a pool of epoll threads. It reads
 * each request, matches a route and passes the request to one handler
 * function with the route's data. Routes flagged HTTPD_ROUTE_BLOCKING run
 * on the work pool while their connection is suspended, so slow work
 * never stalls an epoll thread.
 */

/* Route flag: run the handler on the work pool. */
#define HTTPD_ROUTE_BLOCKING (1u << 31)

struct httpd;

struct httpd_config {
    /* epoll threads; fewer than 2 is raised to 2, since a single epoll
     * thread of libmicrohttpd 0.9.75 stalls on bursts of connections */
    unsigned threads;
    unsigned connection_limit;
    /* seconds an idle connection stays open */
    unsigned idle_timeout;
    /* largest request body accepted; larger ones are rejected unread */
    size_t max_body;
    /* per-connection memory for the request line and headers */
    size_t connection_memory;
    /* sent as X-Coder-Build-Version on every response */
    const char *build_version;
    const struct router *router;
    /* runs blocking routes; the server owns it from httpd_start on */
    struct workpool *workpool;
    /*
     * Called once per request with the matched route's data, or with
     * fallback_data when no route matched. It must set a response. It runs
     * on an epoll thread, or on the work pool for blocking routes.
     */
    void (*handle)(void *ctx, struct http_request *req, const void *data);
    void *ctx;
    const void *fallback_data;
};

/*
 * Bind and listen on address ("host:port"; port 0 picks a free port).
 * Connections wait in the backlog until httpd_start. Returns the server,
 * or NULL with the reason in err.
 */
struct httpd *httpd_bind(const char *address, char *err, size_t errsize);

/* Return the bound address as "host:port". */
const char *httpd_address(const struct httpd *httpd);

/*
 * Start serving with config, which is copied; the server takes ownership
 * of config->workpool. Returns 0, or -1 with the reason in err, in which
 * case the caller still owns the pool and must call httpd_stop.
 */
int httpd_start(struct httpd *httpd, const struct httpd_config *config,
                char *err, size_t errsize);

/*
 * Stop accepting connections, let requests in progress finish for up to
 * grace_seconds, finish the work pool's jobs, then close every connection
 * and free the server and its work pool. Also frees a server that was
 * bound but never started. NULL is ok.
 */
void httpd_stop(struct httpd *httpd, unsigned grace_seconds);

#endif
