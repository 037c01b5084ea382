/* SPDX-License-Identifier: MIT */
/* Plain-text e-mail messages in RFC 5322 form. */
#include "core/mail.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/timestamp.h"

/* RFC 5321 limits a line to 1000 octets, CRLF included. */
#define LINE_MAX_OCTETS 998

/* First second of the year 10000, where four-digit years end. */
#define YEAR_10000 253402300800LL

void mail_format_date(int64_t ts, char out[MAIL_DATE_MAX])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    int64_t seconds = ts / TIMESTAMP_US_PER_SECOND;
    time_t t = (time_t)seconds;
    struct tm tm;

    out[0] = '\0';
    if (ts < 0 || seconds >= YEAR_10000 || gmtime_r(&t, &tm) == NULL)
        return;
    snprintf(out, MAIL_DATE_MAX, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Header values must stay on their line and need no RFC 2047 encoding. */
static bool header_value_ok(const char *value)
{
    if (value == NULL)
        return false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p < ' ' || *p >= 0x7f)
            return false;
    }
    return true;
}

static int append_header(struct buf *out, const char *name, const char *value)
{
    if (!header_value_ok(value))
        return -1;
    return buf_printf(out, "%s: %s\r\n", name, value);
}

/* Append body with every line ended by CRLF, bare CRs dropped. */
static int append_body(struct buf *out, const char *body)
{
    const char *line = body;

    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len > LINE_MAX_OCTETS || memchr(line, '\r', len) != NULL)
            return -1;
        if (buf_append(out, line, len) != 0 || buf_puts(out, "\r\n") != 0)
            return -1;
        line = end ? end + 1 : line + len;
    }
    return 0;
}

int mail_compose(const struct mail_message *message, struct buf *out)
{
    char date[MAIL_DATE_MAX];
    char id[512];

    mail_format_date(message->date, date);
    if (date[0] == '\0' || message->message_id == NULL ||
        message->message_id[0] == '\0')
        return -1;
    if (snprintf(id, sizeof(id), "<%s>", message->message_id) >=
        (int)sizeof(id))
        return -1;
    if (append_header(out, "From", message->from) != 0 ||
        append_header(out, "To", message->to) != 0 ||
        append_header(out, "Subject", message->subject) != 0 ||
        append_header(out, "Date", date) != 0 ||
        append_header(out, "Message-ID", id) != 0 ||
        append_header(out, "MIME-Version", "1.0") != 0 ||
        append_header(out, "Content-Type", "text/plain; charset=utf-8") != 0 ||
        append_header(out, "Content-Transfer-Encoding", "8bit") != 0 ||
        buf_puts(out, "\r\n") != 0)
        return -1;
    return append_body(out, message->body ? message->body : "");
}
