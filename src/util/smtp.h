#ifndef USHER_UTIL_SMTP_H
#define USHER_UTIL_SMTP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Sending one message through an SMTP relay (the "smarthost") with
 * libcurl. The connection is TLS from the start when force_tls is set or
 * the port is 465, upgraded with STARTTLS when starttls is set, and plain
 * otherwise, as Coder's mail sender does. Authentication uses PLAIN, else
 * LOGIN, when a user name is set and the server offers either.
 *
 * NOTE: with a user name set and a relay that offers no AUTH, libcurl sends
 * without logging in, where Coder gives up on the message.
 */

/* Largest host part of a smarthost, brackets of an IPv6 address included. */
#define SMTP_HOST_MAX 256

struct smtp_config {
    const char *smarthost; /* "host:port" or "[ipv6]:port" */
    const char *hello;     /* host name sent with EHLO */
    const char *from;      /* "address" or "Name <address>" */
    const char *auth_identity;
    const char *auth_username; /* "" or NULL: no authentication */
    const char *auth_password;
    /* When set, the password is read from this file before each message,
     * without one trailing newline. */
    const char *auth_password_file;
    bool force_tls;
    bool starttls;
    const char *tls_server_name; /* certificate name; "" = the host */
    bool tls_skip_verify;
    const char *tls_ca_file;
    const char *tls_cert_file;
    const char *tls_key_file;
    /* Whole-transfer limit in seconds. */
    long timeout_seconds;
};

/*
 * Split a smarthost into its host (IPv6 addresses keep their brackets) and
 * port. Returns 0, or -1 when the text is not host:port with a port from 1
 * to 65535 or the host does not fit SMTP_HOST_MAX bytes.
 */
int smtp_parse_smarthost(const char *smarthost, char host[SMTP_HOST_MAX],
                         unsigned *port);

/*
 * Write the bare address of a mailbox ("a@b" from "Name <a@b>" or from
 * "a@b") to out. Returns 0, or -1 when there is no address, it contains
 * spaces, angle brackets or control characters, or it does not fit.
 */
int smtp_mailbox_address(const char *mailbox, char *out, size_t size);

/*
 * Deliver message (RFC 5322 text with CRLF line ends, not dot-stuffed) to
 * the one recipient address to. Blocks until the relay accepts or rejects
 * the message, at most config->timeout_seconds. Returns 0, or -1 with the
 * reason in err. The reason never contains the message or the password.
 */
int smtp_send(const struct smtp_config *config, const char *to,
              const char *message, char *err, size_t errsize);

#endif
