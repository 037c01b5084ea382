#ifndef USHER_HTTP_FRAMING_H
#define USHER_HTTP_FRAMING_H

#include <microhttpd.h>

/*
 * Checks on the headers that set where a request ends (Content-Length,
 * Transfer-Encoding) and which host it is for, run once the headers are
 * in and before any of the body is read. libmicrohttpd 0.9.75 uses the
 * first of several Content-Length headers, and the chunked coding over a
 * Content-Length. A proxy in front that reads the same bytes differently
 * would find a second request where the server reads a body, or the
 * reverse. Such requests are rejected, and their connection must be
 * closed after the error response so that no byte after the headers is
 * read as a request.
 */

struct framing_error {
    unsigned status;
    const char *message;
    const char *detail;
};

/*
 * Check the Host, Content-Length and Transfer-Encoding headers of the
 * request on conn, which uses the HTTP version given ("HTTP/1.1").
 * Returns NULL when they are acceptable, else a static error. The error
 * is a 400 for a missing or repeated Host header on HTTP/1.1, for
 * Content-Length headers that disagree, and for Transfer-Encoding together
 * with Content-Length or on HTTP/1.0. It is a 501 for a transfer coding
 * other than a single "chunked".
 */
const struct framing_error *framing_check(struct MHD_Connection *conn,
                                          const char *version);

#endif
