/* SPDX-License-Identifier: MIT */
/* Accessors for requests and the responses handlers build. */
#include "http/request_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/str.h"

const char *http_request_method(const struct http_request *req)
{
    return req->method;
}

const char *http_request_path(const struct http_request *req)
{
    return req->path;
}

const char *http_request_pattern(const struct http_request *req)
{
    return req->match.pattern;
}

const char *http_request_id(const struct http_request *req)
{
    return req->id;
}

const char *http_request_remote_ip(const struct http_request *req)
{
    return req->remote_ip;
}

enum http_rejection http_request_rejection(const struct http_request *req)
{
    return req->rejection;
}

bool http_request_wrong_method(const struct http_request *req)
{
    return req->match.wrong_method != 0;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Return a copy of len bytes of value that lives until the request ends. */
static const char *keep_copy(struct http_request *req, const char *value,
                             size_t len)
{
    char *copy = xstrndup(value, len);

    req->trimmed =
        xrealloc(req->trimmed, (req->ntrimmed + 1) * sizeof(*req->trimmed));
    req->trimmed[req->ntrimmed++] = copy;
    return copy;
}

/* Return the length of value without the spaces and tabs at its end. */
static size_t trimmed_length(const char *value)
{
    size_t len = strlen(value);

    while (len > 0 && is_ows(value[len - 1]))
        len--;
    return len;
}

const char *http_request_header(struct http_request *req, const char *name)
{
    const char *value =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
    size_t len;

    /* libmicrohttpd drops the spaces and tabs before a value but keeps
     * those after it, while Go's server drops both. */
    if (value == NULL)
        return NULL;
    len = trimmed_length(value);
    return value[len] == '\0' ? value : keep_copy(req, value, len);
}

const char *http_request_cookie(struct http_request *req, const char *name)
{
    const char *value =
        MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
    size_t len;

    /* Go trims each "name=value" pair of the Cookie header and then
     * removes the double quotes around the value. libmicrohttpd removes
     * quotes only when they end the pair. */
    if (value == NULL)
        return NULL;
    len = trimmed_length(value);
    if (value[len] == '\0')
        return value;
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
        return keep_copy(req, value + 1, len - 2);
    return keep_copy(req, value, len);
}

const char *http_request_query(const struct http_request *req, const char *name)
{
    const char *value = NULL;
    size_t len = 0;

    if (MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name,
                                      strlen(name), &value, &len) != MHD_YES)
        return NULL;
    return value ? value : "";
}

struct query_walk {
    int (*fn)(void *ctx, const char *name, const char *value);
    void *ctx;
    int result;
};

static enum MHD_Result on_query_value(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value)
{
    struct query_walk *walk = cls;

    (void)kind;
    walk->result = walk->fn(walk->ctx, key, value ? value : "");
    return walk->result == 0 ? MHD_YES : MHD_NO;
}

int http_request_query_each(const struct http_request *req,
                            int (*fn)(void *ctx, const char *name,
                                      const char *value),
                            void *ctx)
{
    struct query_walk walk = {fn, ctx, 0};

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, on_query_value,
                              &walk);
    return walk.result;
}

const char *http_request_param(const struct http_request *req, const char *name)
{
    return router_match_param(&req->match, name);
}

const char *http_request_body(const struct http_request *req, size_t *len)
{
    *len = req->body.len;
    return req->body.data ? req->body.data : "";
}

void http_request_set_user(struct http_request *req, const char *user_id)
{
    str_copy(req->user_id, user_id, sizeof(req->user_id));
}

const char *http_request_user(const struct http_request *req)
{
    return req->user_id;
}

void http_response_set(struct http_request *req, unsigned status,
                       const char *content_type, char *body, size_t len)
{
    free(req->content_type);
    free(req->response_body);
    req->status = status;
    req->content_type = xstrdup(content_type);
    req->response_body = body;
    req->response_len = body ? len : 0;
}

void http_response_add_header(struct http_request *req, const char *name,
                              const char *value)
{
    req->headers =
        xrealloc(req->headers, (req->nheaders + 1) * sizeof(*req->headers));
    req->headers[req->nheaders].name = xstrdup(name);
    req->headers[req->nheaders].value = xstrdup(value);
    req->nheaders++;
}

unsigned http_response_status(const struct http_request *req)
{
    return req->status;
}

void http_request_free(struct http_request *req)
{
    if (req == NULL)
        return;
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->headers);
    /* The copies may be session tokens. */
    for (size_t i = 0; i < req->ntrimmed; i++) {
        OPENSSL_cleanse(req->trimmed[i], strlen(req->trimmed[i]));
        free(req->trimmed[i]);
    }
    free(req->trimmed);
    free(req->content_type);
    free(req->response_body);
    router_match_release(&req->match);
    buf_release(&req->body);
    free(req->method);
    free(req->path);
    free(req->raw_path);
    free(req);
}
