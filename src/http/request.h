#ifndef USHER_HTTP_REQUEST_H
#define USHER_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One HTTP request and the response being built for it. A handler reads
 * the request through these accessors and sets exactly one response. All
 * returned strings stay valid until the request ends.
 */
struct http_request;

/* Why the HTTP layer refused a request before any handler ran. */
enum http_rejection {
    HTTP_REJECT_NONE,
    HTTP_REJECT_BODY_TOO_LARGE, /* body over the configured maximum */
    HTTP_REJECT_OVERLOADED,     /* the queue for slow work is full */
};

const char *http_request_method(const struct http_request *req);

/* The decoded path, without the query string. */
const char *http_request_path(const struct http_request *req);

/* The route pattern that matched, or NULL. */
const char *http_request_pattern(const struct http_request *req);

/* A random id that names the request in every log line it causes. */
const char *http_request_id(const struct http_request *req);

/* The client's IP address as text. */
const char *http_request_remote_ip(const struct http_request *req);

enum http_rejection http_request_rejection(const struct http_request *req);

/* Report whether the path matched a pattern only for other methods. */
bool http_request_wrong_method(const struct http_request *req);

/*
 * Return the first value of a header (names ignore case) without the
 * spaces and tabs around it, as Go's server gives it, or NULL.
 */
const char *http_request_header(struct http_request *req, const char *name);

/*
 * Return a cookie value (surrounding double quotes removed) without the
 * spaces and tabs after it, or NULL. Spaces right after "=" stay part of
 * the value, as in Go.
 */
const char *http_request_cookie(struct http_request *req, const char *name);

/*
 * Return the first value of a decoded query parameter, or NULL when it is
 * absent. A parameter given without "=" has the value "".
 */
const char *http_request_query(const struct http_request *req,
                               const char *name);

/*
 * Call fn for every query parameter in order, until it returns non-zero.
 * Returns the last value fn returned, or 0.
 */
int http_request_query_each(const struct http_request *req,
                            int (*fn)(void *ctx, const char *name,
                                      const char *value),
                            void *ctx);

/* Return the value captured for a "{name}" path segment, or NULL. */
const char *http_request_param(const struct http_request *req,
                               const char *name);

/* Return the request body and its length (NUL-terminated; may be empty). */
const char *http_request_body(const struct http_request *req, size_t *len);

/* Record the authenticated user, for the access log. */
void http_request_set_user(struct http_request *req, const char *user_id);

/* Return the user recorded with http_request_set_user, or "". */
const char *http_request_user(const struct http_request *req);

/*
 * Set the response: status and a body of len bytes with the given content
 * type, taking ownership of body (a malloc'd buffer). A NULL body sends no
 * body. A second call replaces the first.
 */
void http_response_set(struct http_request *req, unsigned status,
                       const char *content_type, char *body, size_t len);

/* Add a response header; name and value are copied. */
void http_response_add_header(struct http_request *req, const char *name,
                              const char *value);

/* Return the status set so far, or 0. */
unsigned http_response_status(const struct http_request *req);

#endif
