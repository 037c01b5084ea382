#ifndef USHER_CORE_MAIL_H
#define USHER_CORE_MAIL_H

#include <stdint.h>

#include "util/buf.h"

/*
 * Plain-text e-mail messages in RFC 5322 form, ready for SMTP: CRLF line
 * ends, a UTF-8 body sent as 8bit, and header values that cannot break out
 * of their line.
 */

/* Room for an RFC 5322 date such as "Thu, 04 Dec 2025 15:07:00 +0000". */
#define MAIL_DATE_MAX 40

struct mail_message {
    const char *from;       /* header value: "address" or "Name <address>" */
    const char *to;         /* recipient address */
    const char *subject;    /* printable ASCII */
    const char *message_id; /* "unique@domain", without angle brackets */
    int64_t date;           /* microseconds since the Unix epoch */
    const char *body;       /* UTF-8 text with "\n" line ends */
};

/* Write ts as an RFC 5322 date in UTC, or "" outside years 1970 to 9999. */
void mail_format_date(int64_t ts, char out[MAIL_DATE_MAX]);

/*
 * Append the whole message, headers and body, to out. Returns 0, or -1
 * when a header value contains a control character or non-ASCII byte, a
 * body line is longer than SMTP's 998 octets, or out reaches its maximum.
 */
int mail_compose(const struct mail_message *message, struct buf *out);

#endif
