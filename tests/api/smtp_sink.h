#ifndef USHER_TESTS_API_SMTP_SINK_H
#define USHER_TESTS_API_SMTP_SINK_H

/*
 * A small SMTP server for tests: a thread of the test process that
 * listens on a free loopback port, accepts every message (or rejects
 * every recipient when asked) and records what it received.
 */

#include <stdbool.h>
#include <stddef.h>

struct smtp_sink;

struct smtp_sink_options {
    /* Offer AUTH PLAIN and LOGIN and record the credentials given. */
    bool offer_auth;
    /* Answer every RCPT TO with 550, so no message is accepted. */
    bool reject_recipients;
    /* Accept connections but send no greeting until smtp_sink_release. */
    bool hold_greeting;
};

/* One received message. Strings are owned by the sink. */
struct smtp_sink_message {
    char *helo;      /* name given with EHLO or HELO */
    char *mail_from; /* address of MAIL FROM, without brackets */
    char *rcpt_to;   /* addresses of RCPT TO, comma-separated */
    char *data;      /* the message as sent, dot-stuffing removed */
    char *auth_user; /* "" when the client did not authenticate */
    char *auth_password;
    char *auth_identity; /* authorization identity of AUTH PLAIN */
};

/* Start a sink with options (NULL for the defaults). Aborts the test on
 * failure. */
struct smtp_sink *smtp_sink_start(const struct smtp_sink_options *options);

/* Return the port the sink listens on, on 127.0.0.1. */
int smtp_sink_port(const struct smtp_sink *sink);

/*
 * Wait until at least count messages have arrived (or, with
 * reject_recipients, count recipients were rejected), for at most
 * timeout_seconds. Returns the number received (or rejected) by then.
 */
size_t smtp_sink_wait(struct smtp_sink *sink, size_t count,
                      int timeout_seconds);

/* Wait until at least count connections were accepted, for at most
 * timeout_seconds. Returns the number accepted by then. */
size_t smtp_sink_wait_connections(struct smtp_sink *sink, size_t count,
                                  int timeout_seconds);

/* Let held connections (see hold_greeting) go on. */
void smtp_sink_release(struct smtp_sink *sink);

/* Return the number of messages received so far. */
size_t smtp_sink_count(struct smtp_sink *sink);

/* Return message i (0 = the first received); valid until the sink stops. */
const struct smtp_sink_message *smtp_sink_message(struct smtp_sink *sink,
                                                  size_t i);

/* Stop the thread, close the socket and free everything. NULL is ok. */
void smtp_sink_stop(struct smtp_sink *sink);

#endif
