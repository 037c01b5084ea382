#ifndef USHER_UTIL_LOG_H
#define USHER_UTIL_LOG_H

/*
 * Structured logging to stderr, one line per event:
 *
 *   ts=2026-01-02T03:04:05.678901Z level=info module=http msg="..." key=value
 *
 * Fields are given as NUL-terminated key/value string pairs closed by a NULL
 * key. A NULL value prints as an empty string. Values are quoted and escaped
 * when needed, so request data cannot forge a log line. Each line is written
 * with one write(2) call, so lines from different threads never interleave.
 */

enum log_level {
    LOG_DEBUG,
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR,
};

/* Set the lowest level that is written; the default is LOG_INFO. */
void log_set_level(enum log_level level);

/* Report whether a line at level would be written. */
int log_enabled(enum log_level level);

/* Write one line with the given fields. */
void log_kv(enum log_level level, const char *module, const char *msg, ...)
    __attribute__((sentinel));

/*
 * Write one line as log_kv does, with an extra error field holding
 * strerror() of the errno value at the time of the call.
 */
void log_kv_errno(enum log_level level, const char *module, const char *msg,
                  ...) __attribute__((sentinel));

#endif
