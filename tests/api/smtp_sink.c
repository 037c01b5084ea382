/* SPDX-License-Identifier: MIT */
/* A recording SMTP server on loopback for tests. */
#include "smtp_sink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/base64.h"

#define MAX_MESSAGES 64
#define LINE_MAX_BYTES 4096
#define DATA_MAX_BYTES (1u << 20)
/* A client silent for this long is dropped, so a stuck test ends. */
#define IDLE_TIMEOUT_MS 30000

struct smtp_sink {
    struct smtp_sink_options options;
    int listen_fd;
    int stop_pipe[2];
    int port;
    pthread_t thread;

    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct smtp_sink_message messages[MAX_MESSAGES];
    size_t count;
    size_t rejected;
    size_t connections;
    bool released;
    bool stopping;
};

/* The state of one client connection. */
struct session {
    struct smtp_sink *sink;
    int fd;
    char in[LINE_MAX_BYTES * 2];
    size_t in_len;
    struct smtp_sink_message pending;
};

static char *dup_or_die(const char *s)
{
    char *copy = strdup(s);

    if (copy == NULL)
        abort();
    return copy;
}

static void message_release(struct smtp_sink_message *m)
{
    free(m->helo);
    free(m->mail_from);
    free(m->rcpt_to);
    free(m->data);
    free(m->auth_user);
    free(m->auth_password);
    free(m->auth_identity);
    memset(m, 0, sizeof(*m));
}

static void set_field(char **field, const char *value)
{
    free(*field);
    *field = dup_or_die(value);
}

static int send_line(struct session *s, const char *line)
{
    char out[LINE_MAX_BYTES];
    int len = snprintf(out, sizeof(out), "%s\r\n", line);

    return send(s->fd, out, (size_t)len, MSG_NOSIGNAL) == len ? 0 : -1;
}

/* Read one CRLF-terminated line into line without its CRLF. Returns 0,
 * or -1 on end of input, a stop request, a timeout or an overlong line. */
static int read_line(struct session *s, char *line, size_t size)
{
    for (;;) {
        char *end = memchr(s->in, '\n', s->in_len);
        struct pollfd fds[2] = {{s->fd, POLLIN, 0},
                                {s->sink->stop_pipe[0], POLLIN, 0}};
        ssize_t n;

        if (end != NULL) {
            size_t len = (size_t)(end - s->in);
            size_t keep = s->in_len - len - 1;

            if (len > 0 && s->in[len - 1] == '\r')
                len--;
            if (len >= size)
                return -1;
            memcpy(line, s->in, len);
            line[len] = '\0';
            memmove(s->in, end + 1, keep);
            s->in_len = keep;
            return 0;
        }
        if (s->in_len == sizeof(s->in))
            return -1;
        if (poll(fds, 2, IDLE_TIMEOUT_MS) <= 0 || fds[1].revents != 0)
            return -1;
        n = recv(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len, 0);
        if (n <= 0)
            return -1;
        s->in_len += (size_t)n;
    }
}

/* Take the address out of "FROM:<a@b> SIZE=1" or "TO:<a@b>". */
static void envelope_address(const char *arg, char *out, size_t size)
{
    const char *start = strchr(arg, '<');
    const char *end = start ? strchr(start, '>') : NULL;
    size_t len = start && end ? (size_t)(end - start - 1) : 0;

    if (len >= size)
        len = size - 1;
    memcpy(out, start ? start + 1 : "", len);
    out[len] = '\0';
}

static void decode_base64(const char *text, char *out, size_t size, size_t *len)
{
    char trimmed[LINE_MAX_BYTES];
    size_t n = strlen(text);

    if (n >= sizeof(trimmed))
        n = sizeof(trimmed) - 1;
    memcpy(trimmed, text, n);
    while (n > 0 && trimmed[n - 1] == '=')
        n--;
    trimmed[n] = '\0';
    *len = 0;
    if (base64_raw_decode(trimmed, (unsigned char *)out, size - 1, len) != 0)
        *len = 0;
    out[*len] = '\0';
}

/* AUTH PLAIN: "authzid\0user\0password", base64 encoded. */
static int auth_plain(struct session *s, const char *initial)
{
    char line[LINE_MAX_BYTES];
    char decoded[LINE_MAX_BYTES];
    size_t len;
    const char *user;
    const char *password;

    if (initial == NULL || initial[0] == '\0') {
        if (send_line(s, "334 ") != 0 || read_line(s, line, sizeof(line)))
            return -1;
        initial = line;
    }
    decode_base64(initial, decoded, sizeof(decoded), &len);
    user = memchr(decoded, '\0', len);
    password = user ? memchr(user + 1, '\0', len - (size_t)(user - decoded) - 1)
                    : NULL;
    if (user == NULL || password == NULL)
        return send_line(s, "501 malformed PLAIN response");
    set_field(&s->pending.auth_identity, decoded);
    set_field(&s->pending.auth_user, user + 1);
    set_field(&s->pending.auth_password, password + 1);
    return send_line(s, "235 authenticated");
}

/* AUTH LOGIN: the user name and the password, each asked for in turn. */
static int auth_login(struct session *s)
{
    char line[LINE_MAX_BYTES];
    char decoded[LINE_MAX_BYTES];
    size_t len;

    if (send_line(s, "334 VXNlcm5hbWU6") != 0 ||
        read_line(s, line, sizeof(line)) != 0)
        return -1;
    decode_base64(line, decoded, sizeof(decoded), &len);
    set_field(&s->pending.auth_user, decoded);
    if (send_line(s, "334 UGFzc3dvcmQ6") != 0 ||
        read_line(s, line, sizeof(line)) != 0)
        return -1;
    decode_base64(line, decoded, sizeof(decoded), &len);
    set_field(&s->pending.auth_password, decoded);
    return send_line(s, "235 authenticated");
}

static int reply_ehlo(struct session *s, const char *name)
{
    set_field(&s->pending.helo, name);
    if (s->sink->options.offer_auth)
        return send_line(s, "250-usher-test-sink") != 0 ||
                       send_line(s, "250 AUTH PLAIN LOGIN") != 0
                   ? -1
                   : 0;
    return send_line(s, "250 usher-test-sink");
}

static void add_recipient(struct session *s, const char *address)
{
    size_t old = s->pending.rcpt_to ? strlen(s->pending.rcpt_to) : 0;
    char *joined = malloc(old + strlen(address) + 2);

    if (joined == NULL)
        abort();
    snprintf(joined, old + strlen(address) + 2, "%s%s%s",
             old ? s->pending.rcpt_to : "", old ? "," : "", address);
    free(s->pending.rcpt_to);
    s->pending.rcpt_to = joined;
}

static void store_message(struct session *s, char *data)
{
    struct smtp_sink *sink = s->sink;
    struct smtp_sink_message *m;

    pthread_mutex_lock(&sink->lock);
    if (sink->count < MAX_MESSAGES) {
        m = &sink->messages[sink->count++];
        m->helo = dup_or_die(s->pending.helo ? s->pending.helo : "");
        m->mail_from =
            dup_or_die(s->pending.mail_from ? s->pending.mail_from : "");
        m->rcpt_to = dup_or_die(s->pending.rcpt_to ? s->pending.rcpt_to : "");
        m->auth_user =
            dup_or_die(s->pending.auth_user ? s->pending.auth_user : "");
        m->auth_password = dup_or_die(
            s->pending.auth_password ? s->pending.auth_password : "");
        m->auth_identity = dup_or_die(
            s->pending.auth_identity ? s->pending.auth_identity : "");
        m->data = data;
        data = NULL;
    }
    pthread_cond_broadcast(&sink->changed);
    pthread_mutex_unlock(&sink->lock);
    free(data);
}

/* Read the message after DATA up to the lone "." line. */
static int receive_data(struct session *s)
{
    char line[LINE_MAX_BYTES];
    char *data = malloc(DATA_MAX_BYTES);
    size_t len = 0;

    if (data == NULL)
        abort();
    if (send_line(s, "354 end with <CRLF>.<CRLF>") != 0)
        goto fail;
    for (;;) {
        const char *text = line;
        size_t n;

        if (read_line(s, line, sizeof(line)) != 0)
            goto fail;
        if (strcmp(line, ".") == 0)
            break;
        if (line[0] == '.')
            text++;
        n = strlen(text);
        if (len + n + 3 > DATA_MAX_BYTES)
            goto fail;
        memcpy(data + len, text, n);
        memcpy(data + len + n, "\r\n", 2);
        len += n + 2;
    }
    data[len] = '\0';
    store_message(s, data);
    free(s->pending.mail_from);
    free(s->pending.rcpt_to);
    s->pending.mail_from = NULL;
    s->pending.rcpt_to = NULL;
    return send_line(s, "250 queued");

fail:
    free(data);
    return -1;
}

static void count_rejection(struct smtp_sink *sink)
{
    pthread_mutex_lock(&sink->lock);
    sink->rejected++;
    pthread_cond_broadcast(&sink->changed);
    pthread_mutex_unlock(&sink->lock);
}

/* Answer one command. Returns 1 after QUIT, 0 to go on, -1 on failure. */
static int handle_command(struct session *s, char *line)
{
    char address[LINE_MAX_BYTES];
    char *arg = strchr(line, ' ');

    if (arg != NULL)
        *arg++ = '\0';
    if (strcasecmp(line, "EHLO") == 0 || strcasecmp(line, "HELO") == 0)
        return reply_ehlo(s, arg ? arg : "");
    if (strcasecmp(line, "AUTH") == 0 && s->sink->options.offer_auth) {
        char *mech = arg ? arg : "";
        char *initial = strchr(mech, ' ');

        if (initial != NULL)
            *initial++ = '\0';
        if (strcasecmp(mech, "PLAIN") == 0)
            return auth_plain(s, initial);
        if (strcasecmp(mech, "LOGIN") == 0)
            return auth_login(s);
        return send_line(s, "504 unsupported mechanism");
    }
    if (strcasecmp(line, "MAIL") == 0) {
        envelope_address(arg ? arg : "", address, sizeof(address));
        set_field(&s->pending.mail_from, address);
        return send_line(s, "250 sender ok");
    }
    if (strcasecmp(line, "RCPT") == 0) {
        if (s->sink->options.reject_recipients) {
            count_rejection(s->sink);
            return send_line(s, "550 no such mailbox here");
        }
        envelope_address(arg ? arg : "", address, sizeof(address));
        add_recipient(s, address);
        return send_line(s, "250 recipient ok");
    }
    if (strcasecmp(line, "DATA") == 0)
        return receive_data(s);
    if (strcasecmp(line, "RSET") == 0 || strcasecmp(line, "NOOP") == 0)
        return send_line(s, "250 ok");
    if (strcasecmp(line, "QUIT") == 0)
        return send_line(s, "221 bye") == 0 ? 1 : -1;
    return send_line(s, "502 command not implemented");
}

static void serve_client(struct smtp_sink *sink, int fd)
{
    struct session *s = calloc(1, sizeof(*s));
    char line[LINE_MAX_BYTES];

    if (s == NULL)
        abort();
    s->sink = sink;
    s->fd = fd;
    pthread_mutex_lock(&sink->lock);
    sink->connections++;
    pthread_cond_broadcast(&sink->changed);
    while (sink->options.hold_greeting && !sink->released && !sink->stopping)
        pthread_cond_wait(&sink->changed, &sink->lock);
    pthread_mutex_unlock(&sink->lock);
    if (send_line(s, "220 usher-test-sink ESMTP") == 0) {
        while (read_line(s, line, sizeof(line)) == 0) {
            if (handle_command(s, line) != 0)
                break;
        }
    }
    message_release(&s->pending);
    free(s);
    close(fd);
}

static void *run(void *arg)
{
    struct smtp_sink *sink = arg;

    for (;;) {
        struct pollfd fds[2] = {{sink->listen_fd, POLLIN, 0},
                                {sink->stop_pipe[0], POLLIN, 0}};
        int fd;

        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents != 0)
            break;
        fd = accept(sink->listen_fd, NULL, NULL);
        if (fd >= 0)
            serve_client(sink, fd);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in addr = {0};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

struct smtp_sink *smtp_sink_start(const struct smtp_sink_options *options)
{
    struct smtp_sink *sink = calloc(1, sizeof(*sink));

    if (sink == NULL)
        abort();
    if (options != NULL)
        sink->options = *options;
    pthread_mutex_init(&sink->lock, NULL);
    pthread_cond_init(&sink->changed, NULL);
    sink->listen_fd = listen_loopback(&sink->port);
    if (sink->listen_fd < 0 || pipe(sink->stop_pipe) != 0)
        fail_msg("cannot start the SMTP sink: %s", strerror(errno));
    if (pthread_create(&sink->thread, NULL, run, sink) != 0)
        fail_msg("cannot start the SMTP sink thread");
    return sink;
}

int smtp_sink_port(const struct smtp_sink *sink)
{
    return sink->port;
}

size_t smtp_sink_wait(struct smtp_sink *sink, size_t count, int timeout_seconds)
{
    struct timespec deadline;
    size_t seen;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_seconds;
    pthread_mutex_lock(&sink->lock);
    for (;;) {
        seen = sink->options.reject_recipients ? sink->rejected : sink->count;
        if (seen >= count)
            break;
        if (pthread_cond_timedwait(&sink->changed, &sink->lock, &deadline) ==
            ETIMEDOUT)
            break;
    }
    seen = sink->options.reject_recipients ? sink->rejected : sink->count;
    pthread_mutex_unlock(&sink->lock);
    return seen;
}

size_t smtp_sink_wait_connections(struct smtp_sink *sink, size_t count,
                                  int timeout_seconds)
{
    struct timespec deadline;
    size_t seen;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_seconds;
    pthread_mutex_lock(&sink->lock);
    while (sink->connections < count) {
        if (pthread_cond_timedwait(&sink->changed, &sink->lock, &deadline) ==
            ETIMEDOUT)
            break;
    }
    seen = sink->connections;
    pthread_mutex_unlock(&sink->lock);
    return seen;
}

void smtp_sink_release(struct smtp_sink *sink)
{
    pthread_mutex_lock(&sink->lock);
    sink->released = true;
    pthread_cond_broadcast(&sink->changed);
    pthread_mutex_unlock(&sink->lock);
}

size_t smtp_sink_count(struct smtp_sink *sink)
{
    size_t count;

    pthread_mutex_lock(&sink->lock);
    count = sink->count;
    pthread_mutex_unlock(&sink->lock);
    return count;
}

const struct smtp_sink_message *smtp_sink_message(struct smtp_sink *sink,
                                                  size_t i)
{
    const struct smtp_sink_message *m = NULL;

    pthread_mutex_lock(&sink->lock);
    if (i < sink->count)
        m = &sink->messages[i];
    pthread_mutex_unlock(&sink->lock);
    return m;
}

void smtp_sink_stop(struct smtp_sink *sink)
{
    if (sink == NULL)
        return;
    pthread_mutex_lock(&sink->lock);
    sink->stopping = true;
    pthread_cond_broadcast(&sink->changed);
    pthread_mutex_unlock(&sink->lock);
    if (write(sink->stop_pipe[1], "x", 1) != 1)
        abort();
    pthread_join(sink->thread, NULL);
    close(sink->listen_fd);
    close(sink->stop_pipe[0]);
    close(sink->stop_pipe[1]);
    for (size_t i = 0; i < sink->count; i++)
        message_release(&sink->messages[i]);
    pthread_cond_destroy(&sink->changed);
    pthread_mutex_destroy(&sink->lock);
    free(sink);
}
