/* SPDX-License-Identifier: MIT */
/* Rejecting requests whose length or host is ambiguous. */
#include "http/framing.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char malformed[] = "The request is malformed.";

static const struct framing_error no_host = {
    400, malformed, "An HTTP/1.1 request must have a Host header."};
static const struct framing_error many_hosts = {
    400, malformed, "The request has more than one Host header."};
static const struct framing_error lengths_differ = {
    400, malformed,
    "The request has Content-Length headers with different values."};
static const struct framing_error length_and_coding = {
    400, malformed,
    "The request has both a Transfer-Encoding and a Content-Length header."};
static const struct framing_error coding_on_1_0 = {
    400, malformed,
    "An HTTP/1.0 request cannot have a Transfer-Encoding "
    "header."};
static const struct framing_error unknown_coding = {
    501, "The request's transfer coding is not supported.",
    "Only a single \"Transfer-Encoding: chunked\" header is supported."};

struct framing_headers {
    unsigned hosts;
    unsigned lengths;
    unsigned codings;
    bool lengths_differ;
    const char *length;
    const char *coding;
};

/* Report whether a and b are equal when the spaces and tabs at their ends
 * are ignored. libmicrohttpd has already dropped those at their starts. */
static bool same_value(const char *a, const char *b)
{
    size_t alen = strlen(a);
    size_t blen = strlen(b);

    while (alen > 0 && (a[alen - 1] == ' ' || a[alen - 1] == '\t'))
        alen--;
    while (blen > 0 && (b[blen - 1] == ' ' || b[blen - 1] == '\t'))
        blen--;
    return alen == blen && memcmp(a, b, alen) == 0;
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind,
                                 const char *name, const char *value)
{
    struct framing_headers *seen = cls;

    (void)kind;
    if (value == NULL)
        value = "";
    if (strcasecmp(name, MHD_HTTP_HEADER_HOST) == 0) {
        seen->hosts++;
    } else if (strcasecmp(name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (seen->length != NULL && !same_value(seen->length, value))
            seen->lengths_differ = true;
        if (seen->length == NULL)
            seen->length = value;
        seen->lengths++;
    } else if (strcasecmp(name, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (seen->coding == NULL)
            seen->coding = value;
        seen->codings++;
    }
    return MHD_YES;
}

/* libmicrohttpd reads a body as chunked only for this exact value, in any
 * case. With any other value it would read until the connection closes. */
static bool is_chunked(const char *coding)
{
    return strcasecmp(coding, "chunked") == 0;
}

static const struct framing_error *check_coding(const struct framing_headers *s,
                                                bool http_1_0)
{
    if (http_1_0)
        return &coding_on_1_0;
    if (s->codings > 1 || !is_chunked(s->coding))
        return &unknown_coding;
    if (s->lengths > 0)
        return &length_and_coding;
    return NULL;
}

const struct framing_error *framing_check(struct MHD_Connection *conn,
                                          const char *version)
{
    struct framing_headers seen = {0};
    bool http_1_0 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0;

    MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &seen);
    if (seen.codings > 0)
        return check_coding(&seen, http_1_0);
    if (seen.lengths_differ)
        return &lengths_differ;
    if (!http_1_0 && seen.hosts == 0)
        return &no_host;
    if (seen.hosts > 1)
        return &many_hosts;
    return NULL;
}
