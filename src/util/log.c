/* SPDX-License-Identifier: MIT */
/* Structured key=value logging to stderr. */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/timestamp.h"

#define LOG_LINE_MAX 4096

static atomic_int min_level = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    atomic_store(&min_level, (int)level);
}

int log_enabled(enum log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

struct line {
    char text[LOG_LINE_MAX];
    size_t len;
};

static void line_putc(struct line *line, char c)
{
    /* Keep one byte for the newline. */
    if (line->len < sizeof(line->text) - 1)
        line->text[line->len++] = c;
}

static void line_puts(struct line *line, const char *str)
{
    while (*str != '\0')
        line_putc(line, *str++);
}

static int needs_quotes(const char *value)
{
    const unsigned char *p = (const unsigned char *)value;

    if (*p == '\0')
        return 1;
    for (; *p != '\0'; p++) {
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p >= 0x7f)
            return 1;
    }
    return 0;
}

static void line_put_value(struct line *line, const char *value)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)value;

    if (!needs_quotes(value)) {
        line_puts(line, value);
        return;
    }
    line_putc(line, '"');
    for (; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            line_putc(line, '\\');
            line_putc(line, (char)*p);
        } else if (*p == '\n') {
            line_puts(line, "\\n");
        } else if (*p < ' ' || *p >= 0x7f) {
            line_puts(line, "\\x");
            line_putc(line, hex[*p >> 4]);
            line_putc(line, hex[*p & 0xf]);
        } else {
            line_putc(line, (char)*p);
        }
    }
    line_putc(line, '"');
}

static void line_put_field(struct line *line, const char *key,
                           const char *value)
{
    line_putc(line, ' ');
    line_puts(line, key);
    line_putc(line, '=');
    line_put_value(line, value ? value : "");
}

static void log_vkv(enum log_level level, const char *module, const char *msg,
                    const char *error, va_list ap)
{
    struct line line;
    char ts[TIMESTAMP_STR_MAX];
    const char *key;
    ssize_t ignored;

    line.len = 0;
    timestamp_format(timestamp_now(), ts, sizeof(ts));
    line_puts(&line, "ts=");
    line_puts(&line, ts);
    line_put_field(&line, "level", level_names[level]);
    line_put_field(&line, "module", module);
    line_puts(&line, " msg=");
    line_putc(&line, '"');
    line_puts(&line, msg);
    line_putc(&line, '"');
    while ((key = va_arg(ap, const char *)) != NULL)
        line_put_field(&line, key, va_arg(ap, const char *));
    if (error != NULL)
        line_put_field(&line, "error", error);
    line.text[line.len++] = '\n';

    ignored = write(STDERR_FILENO, line.text, line.len);
    (void)ignored;
}

void log_kv(enum log_level level, const char *module, const char *msg, ...)
{
    va_list ap;

    if (!log_enabled(level))
        return;
    va_start(ap, msg);
    log_vkv(level, module, msg, NULL, ap);
    va_end(ap);
}

void log_kv_errno(enum log_level level, const char *module, const char *msg,
                  ...)
{
    char error[256];
    int saved = errno;
    va_list ap;

    if (!log_enabled(level))
        return;
    if (strerror_r(saved, error, sizeof(error)) != 0)
        snprintf(error, sizeof(error), "errno %d", saved);
    va_start(ap, msg);
    log_vkv(level, module, msg, error, ap);
    va_end(ap);
}
