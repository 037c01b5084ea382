#ifndef USHER_HTTP_REQUEST_INTERNAL_H
#define USHER_HTTP_REQUEST_INTERNAL_H

/* The request record shared by request.c and httpd.c. */

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"
#include "http/router.h"
#include "util/buf.h"
#include "util/uuid.h"

struct http_header {
    char *name;
    char *value;
};

enum http_request_state {
    HTTP_STATE_RECEIVING, /* headers seen, body arriving */
    HTTP_STATE_QUEUED,    /* handed to the work pool, connection suspended */
    HTTP_STATE_DONE,      /* response ready to send */
};

struct http_request {
    struct MHD_Connection *conn;
    char *method;
    char *path;     /* decoded by libmicrohttpd */
    char *raw_path; /* as sent, for routing */
    bool begun;     /* the headers are in and the request was routed */
    bool close;     /* close the connection after the response */
    char id[UUID_STR_LEN + 1];
    char remote_ip[64];
    int64_t started_at;
    enum http_request_state state;
    enum http_rejection rejection;
    struct router_match match;
    struct buf body;
    char user_id[UUID_STR_LEN + 1];

    unsigned status;
    char *content_type;
    char *response_body;
    size_t response_len;
    struct http_header *headers;
    size_t nheaders;

    /* Trimmed copies of header values, freed with the request. */
    char **trimmed;
    size_t ntrimmed;
};

/* Free everything the request owns, and the request. */
void http_request_free(struct http_request *req);

#endif
