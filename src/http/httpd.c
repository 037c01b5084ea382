/* SPDX-License-Identifier: MIT */
/* libmicrohttpd glue: listening, request bodies, slow work and access logs. */
#include "http/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "http/framing.h"
#include "http/request_internal.h"
#include "http/urlpath.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/number.h"
#include "util/str.h"
#include "util/timestamp.h"

#define LISTEN_BACKLOG 4096

struct httpd {
    struct httpd_config config;
    struct MHD_Daemon *daemon;
    int listen_fd;
    char address[128];
    atomic_bool stopping;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned long in_flight;
};

/* ----- listening socket -------------------------------------------------- */

static int split_address(const char *address, char *host, size_t hostsize,
                         char *port, size_t portsize)
{
    const char *colon = strrchr(address, ':');
    const char *start = address;
    size_t hostlen;

    if (colon == NULL)
        return -1;
    hostlen = (size_t)(colon - address);
    if (hostlen >= 2 && address[0] == '[' && colon[-1] == ']') {
        start++;
        hostlen -= 2;
    }
    if (hostlen >= hostsize || strlen(colon + 1) >= portsize ||
        colon[1] == '\0')
        return -1;
    memcpy(host, start, hostlen);
    host[hostlen] = '\0';
    snprintf(port, portsize, "%s", colon + 1);
    return 0;
}

static void format_sockaddr(const struct sockaddr *sa, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "";
    unsigned port = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
        snprintf(out, size, "%s:%u", host, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
        snprintf(out, size, "[%s]:%u", host, port);
    } else {
        snprintf(out, size, "unknown");
    }
}

static int open_listener(const char *address, char *bound, size_t boundsize,
                         char *err, size_t errsize)
{
    char host[256];
    char port[16];
    struct addrinfo hints = {0};
    struct addrinfo *result = NULL;
    struct sockaddr_storage local;
    socklen_t local_len = sizeof(local);
    int fd = -1;
    int one = 1;
    int rc;

    int64_t port_number;

    if (split_address(address, host, sizeof(host), port, sizeof(port)) != 0 ||
        number_parse_i64(port, 0, 65535, &port_number) != NUMBER_OK) {
        snprintf(err, errsize,
                 "invalid address %s: expected host:port with a port from 0 "
                 "to 65535",
                 address);
        return -1;
    }
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &result);
    if (rc != 0) {
        snprintf(err, errsize, "cannot resolve %s: %s", address,
                 gai_strerror(rc));
        return -1;
    }
    fd = socket(result->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, result->ai_addr, result->ai_addrlen) != 0 ||
        listen(fd, LISTEN_BACKLOG) != 0 ||
        getsockname(fd, (struct sockaddr *)&local, &local_len) != 0) {
        snprintf(err, errsize, "cannot listen on %s: %s", address,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(result);
        return -1;
    }
    freeaddrinfo(result);
    format_sockaddr((struct sockaddr *)&local, bound, boundsize);
    return fd;
}

/* ----- requests ---------------------------------------------------------- */

/* Keep the host part of a socket address: no ":port", no brackets. */
static void format_remote_ip(const struct sockaddr *sa, char *out, size_t size)
{
    char addr[128];
    char *colon;

    format_sockaddr(sa, addr, sizeof(addr));
    colon = strrchr(addr, ':');
    if (colon != NULL)
        *colon = '\0';
    if (addr[0] == '[') {
        addr[strlen(addr) - 1] = '\0';
        str_copy(out, addr + 1, size);
    } else {
        str_copy(out, addr, size);
    }
}

/* Start the record of a request from its request line's target, before
 * any header is read. */
static struct http_request *request_new(struct MHD_Connection *conn,
                                        const char *target)
{
    struct http_request *req = xcalloc(1, sizeof(*req));
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *query = strchr(target, '?');

    req->conn = conn;
    req->raw_path =
        query ? xstrndup(target, (size_t)(query - target)) : xstrdup(target);
    req->started_at = timestamp_monotonic();
    if (uuid_generate(req->id) != 0)
        str_copy(req->id, UUID_NIL, sizeof(req->id));
    if (info != NULL && info->client_addr != NULL)
        format_remote_ip(info->client_addr, req->remote_ip,
                         sizeof(req->remote_ip));
    return req;
}

/* Route a request whose headers are in. From here on it counts as in
 * flight until it completes. */
static void request_begin(struct httpd *httpd, struct http_request *req,
                          const char *url, const char *method)
{
    req->begun = true;
    req->method = xstrdup(method);
    req->path = xstrdup(url);
    buf_init(&req->body, httpd->config.max_body);
    router_match(httpd->config.router, method, req->raw_path, &req->match);

    pthread_mutex_lock(&httpd->lock);
    httpd->in_flight++;
    pthread_mutex_unlock(&httpd->lock);
    log_kv(LOG_DEBUG, "http", "request started", "request_id", req->id,
           "method", req->method, "path", req->path, NULL);
}

static void run_handler(struct httpd *httpd, struct http_request *req)
{
    const void *data = req->match.data;

    if (data == NULL)
        data = httpd->config.fallback_data;
    httpd->config.handle(httpd->config.ctx, req, data);
    if (req->status == 0)
        http_response_set(req, 500, NULL, NULL, 0);
    req->state = HTTP_STATE_DONE;
}

static enum MHD_Result queue_response(struct httpd *httpd,
                                      struct http_request *req)
{
    struct MHD_Response *response;
    enum MHD_Result result;

    response = MHD_create_response_from_buffer(
        req->response_len, req->response_body ? req->response_body : "",
        req->response_body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (response == NULL)
        return MHD_NO;
    req->response_body = NULL;
    if (req->content_type != NULL && req->response_len > 0)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                req->content_type);
    MHD_add_response_header(response, "X-Coder-Build-Version",
                            httpd->config.build_version);
    for (size_t i = 0; i < req->nheaders; i++)
        MHD_add_response_header(response, req->headers[i].name,
                                req->headers[i].value);
    if (req->close || atomic_load(&httpd->stopping))
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
    result = MHD_queue_response(req->conn, req->status, response);
    MHD_destroy_response(response);
    return result;
}

struct job {
    struct httpd *httpd;
    struct http_request *req;
};

static void on_job(void *arg)
{
    struct job *job = arg;
    struct http_request *req = job->req;

    run_handler(job->httpd, req);
    free(job);
    MHD_resume_connection(req->conn);
}

/* Hand a complete request to the work pool, or respond at once when the
 * pool's queue is full. */
static enum MHD_Result offload(struct httpd *httpd, struct http_request *req)
{
    struct job *job = xmalloc(sizeof(*job));

    job->httpd = httpd;
    job->req = req;
    req->state = HTTP_STATE_QUEUED;
    MHD_suspend_connection(req->conn);
    if (workpool_submit(httpd->config.workpool, on_job, job) == 0)
        return MHD_YES;

    free(job);
    req->rejection = HTTP_REJECT_OVERLOADED;
    run_handler(httpd, req);
    MHD_resume_connection(req->conn);
    return MHD_YES;
}

static bool declared_too_large(struct httpd *httpd, struct MHD_Connection *c)
{
    const char *length = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t value;

    if (length == NULL)
        return false;
    return number_parse_i64(length, 0, INT64_MAX, &value) == NUMBER_OK &&
           (uint64_t)value > httpd->config.max_body;
}

/*
 * Set an error response in Coder's shape without running the handler, and
 * mark the connection to close after it, because the bytes after the
 * headers can be neither trusted as a body nor read as a request.
 */
static void reject_framing(struct http_request *req,
                           const struct framing_error *error)
{
    json_t *body =
        json_pack("{ssss}", "message", error->message, "detail", error->detail);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    size_t len = text ? strlen(text) : 0;

    json_decref(body);
    if (text != NULL) {
        /* End the document with a newline, as Go's encoder does. */
        text = xrealloc(text, len + 2);
        text[len++] = '\n';
        text[len] = '\0';
    }
    http_response_set(req, error->status, "application/json; charset=utf-8",
                      text, len);
    req->close = true;
    req->state = HTTP_STATE_DONE;
}

/* The first call for a request: its headers are in, its body unread. */
static enum MHD_Result on_headers(struct httpd *httpd, struct http_request *req,
                                  const char *url, const char *method,
                                  const char *version)
{
    const struct framing_error *error;

    request_begin(httpd, req, url, method);
    error = framing_check(req->conn, version);
    if (error != NULL) {
        reject_framing(req, error);
        return queue_response(httpd, req);
    }
    /* Refuse an oversized body before reading any of it. */
    if (declared_too_large(httpd, req->conn)) {
        req->rejection = HTTP_REJECT_BODY_TOO_LARGE;
        run_handler(httpd, req);
        return queue_response(httpd, req);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    struct httpd *httpd = cls;
    struct http_request *req = *state;

    if (req == NULL) {
        /* on_uri has made the record unless libmicrohttpd skipped it. */
        req = request_new(conn, url);
        *state = req;
    }
    if (!req->begun)
        return on_headers(httpd, req, url, method, version);
    if (req->state == HTTP_STATE_RECEIVING && *upload_size > 0) {
        if (req->rejection == HTTP_REJECT_NONE &&
            buf_append(&req->body, upload, *upload_size) != 0) {
            req->rejection = HTTP_REJECT_BODY_TOO_LARGE;
            buf_release(&req->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->state == HTTP_STATE_RECEIVING) {
        if ((req->match.flags & HTTPD_ROUTE_BLOCKING) &&
            req->rejection == HTTP_REJECT_NONE)
            return offload(httpd, req);
        run_handler(httpd, req);
    }
    if (req->state == HTTP_STATE_DONE)
        return queue_response(httpd, req);
    return MHD_YES;
}

/* Log a request cut short by its client (gone, or silent too long) at
 * info like any other. A request ended by a failure here is a warning. */
static enum log_level access_level(enum MHD_RequestTerminationCode code)
{
    switch (code) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
    case MHD_REQUEST_TERMINATED_READ_ERROR:
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return LOG_INFO;
    default:
        return LOG_WARN;
    }
}

static void log_access(struct http_request *req,
                       enum MHD_RequestTerminationCode code)
{
    char status[16];
    char duration[32];
    int64_t elapsed = timestamp_monotonic() - req->started_at;

    snprintf(status, sizeof(status), "%u",
             req->state == HTTP_STATE_DONE ? req->status : 0);
    snprintf(duration, sizeof(duration), "%.3f", (double)elapsed / 1000.0);
    /* The query string is never logged: it may carry a session token. */
    log_kv(access_level(code), "http",
           code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "request"
                                                       : "request aborted",
           "request_id", req->id, "method", req->method, "path", req->path,
           "status", status, "duration_ms", duration, "user_id", req->user_id,
           "remote", req->remote_ip, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
    struct httpd *httpd = cls;
    struct http_request *req = *state;

    (void)conn;
    if (req == NULL)
        return;
    *state = NULL;
    if (!req->begun) {
        /* The client left before the end of the headers, or libmicrohttpd
         * rejected the request itself. */
        log_kv(LOG_DEBUG, "http", "request ended before routing", "request_id",
               req->id, "remote", req->remote_ip, NULL);
        http_request_free(req);
        return;
    }
    log_access(req, code);
    http_request_free(req);

    pthread_mutex_lock(&httpd->lock);
    httpd->in_flight--;
    if (httpd->in_flight == 0)
        pthread_cond_broadcast(&httpd->idle);
    pthread_mutex_unlock(&httpd->lock);
}

/* Decode the path and the query parameters libmicrohttpd hands over. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *text)
{
    (void)cls;
    (void)conn;
    return urlpath_unescape(text);
}

/* Make the request's record as soon as its request line is read, while
 * the target is still as the client sent it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    return request_new(conn, uri);
}

/*
 * Starts of libmicrohttpd 0.9.75's messages about what a client did. The
 * client went away in the middle of a request or a response, or sent a
 * request that libmicrohttpd rejected itself. Any client can cause these
 * at will, so they are debug lines. Every other message stays a warning.
 */
static const char *const client_messages[] = {
    "Connection was closed by remote side",
    "Socket has been disconnected when reading",
    "Connection socket is closed when reading",
    "Failed to send data in request for",
    "Failed to send the response headers for",
    "Failed to send the response body for",
    "Failed to send the chunked response body for",
    "Failed to send the footers for",
    "Error processing request (HTTP response code",
    "Too large value of 'Content-Length' header",
    "Failed to parse `Content-Length' header",
    "Not enough memory in pool to allocate header record",
    "Received HTTP/1.1 request without `Host' header",
};

static enum log_level mhd_message_level(const char *fmt)
{
    for (size_t i = 0; i < sizeof(client_messages) / sizeof(*client_messages);
         i++) {
        if (str_has_prefix(fmt, client_messages[i]))
            return LOG_DEBUG;
    }
    return LOG_WARN;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char text[512];
    size_t len;

    (void)cls;
    vsnprintf(text, sizeof(text), fmt, ap);
    len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '.'))
        text[--len] = '\0';
    log_kv(mhd_message_level(fmt), "http", "libmicrohttpd", "detail", text,
           NULL);
}

struct httpd *httpd_bind(const char *address, char *err, size_t errsize)
{
    struct httpd *httpd = xcalloc(1, sizeof(*httpd));

    pthread_mutex_init(&httpd->lock, NULL);
    pthread_cond_init(&httpd->idle, NULL);
    httpd->listen_fd = open_listener(address, httpd->address,
                                     sizeof(httpd->address), err, errsize);
    if (httpd->listen_fd < 0) {
        pthread_cond_destroy(&httpd->idle);
        pthread_mutex_destroy(&httpd->lock);
        free(httpd);
        return NULL;
    }
    return httpd;
}

/*
 * Close new connections once the server is stopping. This takes the place
 * of MHD_quiesce_daemon, which in libmicrohttpd 0.9.75 races with the epoll
 * worker threads removing the listen socket from their epoll sets and then
 * aborts the process ("Failed to remove listen FD from epoll set").
 */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
                                 socklen_t addrlen)
{
    struct httpd *httpd = cls;

    (void)addr;
    (void)addrlen;
    return atomic_load(&httpd->stopping) ? MHD_NO : MHD_YES;
}

int httpd_start(struct httpd *httpd, const struct httpd_config *config,
                char *err, size_t errsize)
{
    unsigned threads = config->threads < 2 ? 2 : config->threads;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;

    httpd->config = *config;
    /* NOTE: libmicrohttpd 0.9.75 itself sends the error for an invalid or huge
     * Content-Length or oversized headers, as HTML without
     * X-Coder-Build-Version. No callback runs first, no option replaces it.
     * NOTE: it also misses a hang-up that arrives together with the last
     * bytes of an unfinished request; such a socket waits for the idle
     * timeout. */
    httpd->daemon = MHD_start_daemon(
        flags, 0, on_accept, httpd, on_request, httpd,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
        httpd->listen_fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, config->connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, config->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, config->connection_memory,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, httpd,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_UNESCAPE_CALLBACK,
        unescape, NULL, MHD_OPTION_END);
    if (httpd->daemon == NULL) {
        snprintf(err, errsize, "cannot start the HTTP server on %s",
                 httpd->address);
        httpd->config.workpool = NULL;
        return -1;
    }
    return 0;
}

const char *httpd_address(const struct httpd *httpd)
{
    return httpd->address;
}

void httpd_stop(struct httpd *httpd, unsigned grace_seconds)
{
    struct timespec deadline;

    if (httpd == NULL)
        return;
    if (httpd->daemon == NULL) {
        close(httpd->listen_fd);
        goto out;
    }
    atomic_store(&httpd->stopping, true);

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += grace_seconds;
    pthread_mutex_lock(&httpd->lock);
    while (httpd->in_flight > 0) {
        if (pthread_cond_timedwait(&httpd->idle, &httpd->lock, &deadline) ==
            ETIMEDOUT)
            break;
    }
    if (httpd->in_flight > 0) {
        char pending[32];

        snprintf(pending, sizeof(pending), "%lu", httpd->in_flight);
        log_kv(LOG_WARN, "http", "closing connections with requests pending",
               "requests", pending, NULL);
    }
    pthread_mutex_unlock(&httpd->lock);

    /* Jobs still running resume their connections, so the pool must be
     * empty before the daemon goes away. */
    workpool_free(httpd->config.workpool);
    MHD_stop_daemon(httpd->daemon);

out:
    pthread_cond_destroy(&httpd->idle);
    pthread_mutex_destroy(&httpd->lock);
    free(httpd);
}
