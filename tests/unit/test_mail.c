/* SPDX-License-Identifier: MIT */
/* Composing plain-text mail messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mail.h"
#include "util/timestamp.h"

/* 2025-12-04T15:07:09.5Z, a Thursday. */
#define THURSDAY 1764860829500000LL

static struct mail_message sample(void)
{
    struct mail_message m = {0};

    m.from = "Usher <usher@example.com>";
    m.to = "alice@example.com";
    m.subject = "Hello";
    m.message_id = "abc@localhost";
    m.date = THURSDAY;
    m.body = "line one\n.dot line\nline three";
    return m;
}

static void date_format(void **state)
{
    char date[MAIL_DATE_MAX];

    (void)state;
    mail_format_date(THURSDAY, date);
    assert_string_equal(date, "Thu, 04 Dec 2025 15:07:09 +0000");
    mail_format_date(0, date);
    assert_string_equal(date, "Thu, 01 Jan 1970 00:00:00 +0000");
    mail_format_date(951782400LL * TIMESTAMP_US_PER_SECOND, date);
    assert_string_equal(date, "Tue, 29 Feb 2000 00:00:00 +0000");
    mail_format_date(-1, date);
    assert_string_equal(date, "");
    mail_format_date(253402300800LL * TIMESTAMP_US_PER_SECOND, date);
    assert_string_equal(date, "");
}

static void compose_headers_and_body(void **state)
{
    struct mail_message m = sample();
    struct buf out;

    (void)state;
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), 0);
    assert_string_equal(out.data, "From: Usher <usher@example.com>\r\n"
                                  "To: alice@example.com\r\n"
                                  "Subject: Hello\r\n"
                                  "Date: Thu, 04 Dec 2025 15:07:09 +0000\r\n"
                                  "Message-ID: <abc@localhost>\r\n"
                                  "MIME-Version: 1.0\r\n"
                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                  "Content-Transfer-Encoding: 8bit\r\n"
                                  "\r\n"
                                  "line one\r\n"
                                  ".dot line\r\n"
                                  "line three\r\n");
    buf_release(&out);
}

static void compose_keeps_crlf_and_utf8(void **state)
{
    struct mail_message m = sample();
    struct buf out;

    (void)state;
    m.body = "Gr\xc3\xbc\xc3\x9f"
             "e\r\n\nend\n";
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), 0);
    assert_non_null(strstr(out.data, "\r\n\r\nGr\xc3\xbc\xc3\x9f"
                                     "e\r\n\r\nend\r\n"));
    assert_int_equal(out.data[out.len - 1], '\n');
    assert_null(strstr(out.data, "\r\n\r\n\r\n\r\n"));
    buf_release(&out);
}

/* A value with CR or LF could add headers; other controls and non-ASCII
 * bytes would need an encoding this module does not write. */
static void compose_rejects_bad_headers(void **state)
{
    static const char *const values[] = {
        "a\r\nBcc: evil@example.com",
        "a\nb",
        "tab\there",
        "caf\xc3\xa9",
    };
    struct buf out;

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        struct mail_message m = sample();

        m.subject = values[i];
        buf_init(&out, 65536);
        assert_int_equal(mail_compose(&m, &out), -1);
        buf_release(&out);

        m = sample();
        m.to = values[i];
        buf_init(&out, 65536);
        assert_int_equal(mail_compose(&m, &out), -1);
        buf_release(&out);
    }
}

static void compose_rejects_bad_body(void **state)
{
    struct mail_message m = sample();
    char *line = malloc(1001);
    struct buf out;

    (void)state;
    memset(line, 'x', 999);
    line[999] = '\0';
    m.body = line;
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), -1);
    buf_release(&out);

    line[998] = '\0';
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), 0);
    buf_release(&out);

    m.body = "bare\rcarriage return";
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), -1);
    buf_release(&out);
    free(line);
}

static void compose_needs_id_and_date(void **state)
{
    struct mail_message m = sample();
    struct buf out;

    (void)state;
    m.message_id = "";
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), -1);
    buf_release(&out);

    m = sample();
    m.date = -5;
    buf_init(&out, 65536);
    assert_int_equal(mail_compose(&m, &out), -1);
    buf_release(&out);

    m = sample();
    buf_init(&out, 64);
    assert_int_equal(mail_compose(&m, &out), -1);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_format),
        cmocka_unit_test(compose_headers_and_body),
        cmocka_unit_test(compose_keeps_crlf_and_utf8),
        cmocka_unit_test(compose_rejects_bad_headers),
        cmocka_unit_test(compose_rejects_bad_body),
        cmocka_unit_test(compose_needs_id_and_date),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
