/* SPDX-License-Identifier: MIT */
/* Parsing smarthosts and mailboxes for SMTP delivery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/smtp.h"

static void smarthost_valid(void **state)
{
    static const struct {
        const char *text;
        const char *host;
        unsigned port;
    } cases[] = {
        {"smtp.example.com:587", "smtp.example.com", 587},
        {"127.0.0.1:25", "127.0.0.1", 25},
        {"[::1]:2525", "[::1]", 2525},
        {"mail:465", "mail", 465},
        {"h:65535", "h", 65535},
    };
    char host[SMTP_HOST_MAX];
    unsigned port = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("%s\n", cases[i].text);
        assert_int_equal(smtp_parse_smarthost(cases[i].text, host, &port), 0);
        assert_string_equal(host, cases[i].host);
        assert_int_equal(port, cases[i].port);
    }
}

static void smarthost_invalid(void **state)
{
    static const char *const cases[] = {
        "",
        "smtp.example.com",
        ":25",
        "host:",
        "host:0",
        "host:65536",
        "host:25x",
        "host: 25",
        "::1:25",
        "[::1]",
        "[]:25",
        "a b:25",
        "user@host:25",
        "host/path:25",
        "host:-25",
        "host:+25",
    };
    char host[SMTP_HOST_MAX];
    unsigned port = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("%s\n", cases[i]);
        assert_int_equal(smtp_parse_smarthost(cases[i], host, &port), -1);
    }
}

static void smarthost_host_too_long(void **state)
{
    char text[SMTP_HOST_MAX + 8];
    char host[SMTP_HOST_MAX];
    unsigned port;

    (void)state;
    memset(text, 'h', SMTP_HOST_MAX);
    memcpy(text + SMTP_HOST_MAX, ":25", 4);
    assert_int_equal(smtp_parse_smarthost(text, host, &port), -1);
    memcpy(text + SMTP_HOST_MAX - 1, ":25", 4);
    assert_int_equal(smtp_parse_smarthost(text, host, &port), 0);
    assert_int_equal(strlen(host), SMTP_HOST_MAX - 1);
}

static void mailbox_address(void **state)
{
    static const struct {
        const char *mailbox;
        const char *address;
    } cases[] = {
        {"usher@example.com", "usher@example.com"},
        {"  usher@example.com ", "usher@example.com"},
        {"Usher <usher@example.com>", "usher@example.com"},
        {"\"Usher, Inc.\" <no-reply@example.com>", "no-reply@example.com"},
    };
    char out[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(
            smtp_mailbox_address(cases[i].mailbox, out, sizeof(out)), 0);
        assert_string_equal(out, cases[i].address);
    }
}

static void mailbox_invalid(void **state)
{
    static const char *const cases[] = {
        "",
        "   ",
        "Usher <>",
        "Usher <usher@example.com",
        "a b@example.com",
        "Usher <a\r\n@example.com>",
        "a\tb@example.com",
    };
    char out[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("%s\n", cases[i]);
        assert_int_equal(smtp_mailbox_address(cases[i], out, sizeof(out)), -1);
    }
    assert_int_equal(smtp_mailbox_address("abcdef@x", out, 8), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smarthost_valid),
        cmocka_unit_test(smarthost_invalid),
        cmocka_unit_test(smarthost_host_too_long),
        cmocka_unit_test(mailbox_address),
        cmocka_unit_test(mailbox_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
