#ifndef USHER_TESTS_API_HARNESS_H
#define USHER_TESTS_API_HARNESS_H

/*
 * Black-box test harness: starts the real usher binary on a free loopback
 * port with a fresh database and talks to it over HTTP with libcurl.
 *
 * The binary comes from $USHER_BINARY. The store is a new SQLite file in a
 * temporary directory or, when $USHER_TEST_BACKEND is "postgres", a new
 * PostgreSQL database created through $USHER_TEST_POSTGRES_ADMIN (a libpq
 * key=value connection string with the right to create databases) and
 * dropped afterwards.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct harness;

/* A response: status, raw body, parsed JSON (NULL when not JSON) and the
 * raw header block. */
struct response {
    long status;
    char *body;
    json_t *json;
    char *headers;
};

/* Extra request options for harness_send. */
struct request {
    const char *method;
    const char *path;       /* appended to the server's base URL */
    const char *token;      /* sent as Coder-Session-Token unless NULL */
    const char *cookie;     /* full Cookie header value, or NULL */
    const char *body;       /* NULL sends no body */
    size_t body_len;        /* 0 means strlen(body) */
    const char *headers[8]; /* extra "Name: value" lines, NULL-terminated */
};

/*
 * Start a server with the given extra arguments (NULL-terminated, may be
 * NULL). Rate limits are off unless args turn them on. Aborts the test on
 * failure.
 */
struct harness *harness_start(const char *const *args);

/*
 * Start a second server on the database of primary, with its own port and
 * log. The primary keeps owning the database, so free every replica before
 * the primary. Aborts the test on failure.
 */
struct harness *harness_start_replica(struct harness *primary,
                                      const char *const *args);

/*
 * Start count servers (at most 16) at the same moment on one new database
 * and wait until each listens. out[0] owns the database, as
 * harness_start's server does; the others are its replicas.
 */
void harness_start_together(struct harness **out, size_t count,
                            const char *const *args);

/* Stop the server with SIGTERM and return its exit status. */
int harness_stop(struct harness *h);

/* Kill the server with SIGKILL and wait for it. */
void harness_kill(struct harness *h);

/* Start the server again on the same database (after stop or kill). */
void harness_restart(struct harness *h);

/*
 * Stop the server if running and start it again on the same database and
 * port, with args (NULL-terminated, may be NULL) in place of the extra
 * arguments given so far.
 */
void harness_restart_with(struct harness *h, const char *const *args);

/*
 * Stop the server if running, failing the test unless it exits with status
 * 0, and remove its database. NULL is ok.
 */
void harness_free(struct harness *h);

/* Return "http://127.0.0.1:<port>". */
const char *harness_base_url(const struct harness *h);

/* Return the port the server listens on. */
int harness_port(const struct harness *h);

/* Return the PID of the running server. */
int harness_pid(const struct harness *h);

/* Return the path of the SQLite file (NULL on PostgreSQL). */
const char *harness_sqlite_path(const struct harness *h);

/* Return the PostgreSQL connection string the server uses (NULL on
 * SQLite). */
const char *harness_postgres_url(const struct harness *h);

/* Report whether the server's log so far contains needle. */
bool harness_log_contains(struct harness *h, const char *needle);

/* Wait up to timeout_seconds for needle to appear in the server's log;
 * returns whether it did. */
bool harness_wait_log(struct harness *h, const char *needle,
                      int timeout_seconds);

/* Return a copy of the server's log so far; the caller frees it. */
char *harness_log(struct harness *h);

/* Send a request and return the response; release it afterwards. */
struct response harness_send(struct harness *h, const struct request *req);

/* Shorthand for harness_send with method, path, token and body. */
struct response harness_call(struct harness *h, const char *method,
                             const char *path, const char *token,
                             const char *body);

void response_release(struct response *res);

/* Return the string at key of the response object, or NULL. */
const char *response_string(const struct response *res, const char *key);

/* Return the value of the first header called name (ignoring case) in a
 * malloc'd string, or NULL. */
char *response_header(const struct response *res, const char *name);

/* Return the value of the Set-Cookie header that sets the cookie called
 * name in a malloc'd string, or NULL. */
char *response_cookie(const struct response *res, const char *name);

/* Report whether the response has a validation entry for field. */
bool response_has_validation(const struct response *res, const char *field);

/*
 * Create the first user and log in; returns the session token (malloc'd).
 * Aborts the test when either step fails.
 */
char *harness_setup_owner(struct harness *h, const char *email,
                          const char *username, const char *password);

/* Log in and return the session token (malloc'd), or NULL on failure. */
char *harness_login(struct harness *h, const char *email, const char *password);

/* A password that passes the strength rule. */
#define HARNESS_PASSWORD "Correct-Horse-Battery-42"

#endif
