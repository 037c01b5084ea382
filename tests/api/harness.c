/* SPDX-License-Identifier: MIT */
/* Starts the real server for black-box tests and talks HTTP to it. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <curl/curl.h>

extern char **environ;

#define START_TIMEOUT_SECONDS 60
#define MAX_ARGS 64

struct harness {
    char dir[256];
    char db_path[512];
    char *pg_admin;   /* administrative connection string, or NULL */
    char pg_name[64]; /* database created for this server */
    char *pg_url;     /* connection string given to the server */
    char *args[MAX_ARGS];
    size_t nargs;
    size_t nfixed; /* arguments every start shares */
    pid_t pid;
    int port;
    char base_url[64];
    CURL *curl;

    pthread_t reader;
    bool reader_running;
    int log_fd;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    char *log;
    size_t log_len;
    bool eof;
    struct harness *next_live;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* Databases this process has created, for unique names. */
static unsigned databases_created;

/* Every harness not yet freed. A failed assertion skips the harness_free
 * of the test it ends, so the servers still running are killed at exit
 * instead of outliving the test program. */
static struct harness *live;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

static void kill_live_servers(void)
{
    pthread_mutex_lock(&live_lock);
    for (struct harness *h = live; h != NULL; h = h->next_live) {
        if (h->pid > 0)
            kill(h->pid, SIGKILL);
    }
    pthread_mutex_unlock(&live_lock);
}

static void forget_live(struct harness *h)
{
    pthread_mutex_lock(&live_lock);
    for (struct harness **p = &live; *p != NULL; p = &(*p)->next_live) {
        if (*p == h) {
            *p = h->next_live;
            break;
        }
    }
    pthread_mutex_unlock(&live_lock);
}

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    atexit(kill_live_servers);
}

static char *xdup(const char *s)
{
    char *copy = strdup(s);

    if (copy == NULL)
        abort();
    return copy;
}

static void append_log(struct harness *h, const char *data, size_t len)
{
    pthread_mutex_lock(&h->lock);
    h->log = realloc(h->log, h->log_len + len + 1);
    if (h->log == NULL)
        abort();
    memcpy(h->log + h->log_len, data, len);
    h->log_len += len;
    h->log[h->log_len] = '\0';
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
}

/* Collect the server's stderr; mirror it when HARNESS_VERBOSE is set. */
static void *read_log(void *arg)
{
    struct harness *h = arg;
    char chunk[4096];
    bool verbose = getenv("HARNESS_VERBOSE") != NULL;

    for (;;) {
        ssize_t n = read(h->log_fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (verbose)
            fwrite(chunk, 1, (size_t)n, stderr);
        append_log(h, chunk, (size_t)n);
    }
    pthread_mutex_lock(&h->lock);
    h->eof = true;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* Wait until the log shows the listening line of the newest start, or the
 * server exits. Returns the port, or -1. */
static int wait_listening(struct harness *h, size_t from)
{
    struct timespec deadline;
    int port = -1;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += START_TIMEOUT_SECONDS;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        const char *line =
            h->log ? strstr(h->log + from, "msg=\"listening\"") : NULL;
        const char *addr = line ? strstr(line, "address=") : NULL;

        if (addr != NULL) {
            const char *colon = strchr(addr, ':');

            port = colon ? (int)strtol(colon + 1, NULL, 10) : -1;
            break;
        }
        if (h->eof)
            break;
        if (pthread_cond_timedwait(&h->changed, &h->lock, &deadline) ==
            ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&h->lock);
    return port;
}

static void create_pg_database(struct harness *h)
{
    PGconn *conn = PQconnectdb(h->pg_admin);
    char sql[128];
    PGresult *res;
    char url[1024];

    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
    /* The counter keeps names apart within one process, the pid and the
     * random part across processes sharing the cluster. */
    snprintf(h->pg_name, sizeof(h->pg_name), "usher_test_%d_%u_%ld",
             (int)getpid(), ++databases_created, (long)random() % 100000);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", h->pg_name);
    res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("cannot create database: %s", PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    snprintf(url, sizeof(url), "%s dbname=%s", h->pg_admin, h->pg_name);
    h->pg_url = xdup(url);
}

static void drop_pg_database(struct harness *h)
{
    PGconn *conn;
    char sql[128];

    if (h->pg_admin == NULL || h->pg_name[0] == '\0')
        return;
    conn = PQconnectdb(h->pg_admin);
    if (PQstatus(conn) == CONNECTION_OK) {
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 h->pg_name);
        PQclear(PQexec(conn, sql));
    }
    PQfinish(conn);
}

/* Start the server process and its log reader; returns where in the log
 * this start's lines begin. */
static size_t spawn_process(struct harness *h)
{
    const char *binary = getenv("USHER_BINARY");
    posix_spawn_file_actions_t actions;
    int pipefd[2];
    char *argv[MAX_ARGS + 2];
    size_t from;
    int rc;

    if (binary == NULL)
        fail_msg("USHER_BINARY is not set");
    if (pipe(pipefd) != 0)
        fail_msg("pipe: %s", strerror(errno));
    fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    argv[0] = (char *)binary;
    for (size_t i = 0; i < h->nargs; i++)
        argv[i + 1] = h->args[i];
    argv[h->nargs + 1] = NULL;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                     O_WRONLY, 0);
    rc = posix_spawn(&h->pid, binary, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0)
        fail_msg("cannot start %s: %s", binary, strerror(rc));

    pthread_mutex_lock(&h->lock);
    from = h->log_len;
    h->eof = false;
    pthread_mutex_unlock(&h->lock);
    h->log_fd = pipefd[0];
    pthread_create(&h->reader, NULL, read_log, h);
    h->reader_running = true;
    return from;
}

static void await_listening(struct harness *h, size_t from)
{
    h->port = wait_listening(h, from);
    if (h->port <= 0) {
        fprintf(stderr, "server log:\n%s\n", h->log ? h->log : "");
        fail_msg("the server did not start listening");
    }
    snprintf(h->base_url, sizeof(h->base_url), "http://127.0.0.1:%d", h->port);
}

static void spawn(struct harness *h)
{
    await_listening(h, spawn_process(h));
}

static void add_arg(struct harness *h, const char *arg)
{
    if (h->nargs == MAX_ARGS)
        fail_msg("too many server arguments");
    h->args[h->nargs++] = xdup(arg);
}

/* Allocate a harness with its own temporary directory and HTTP client. */
static struct harness *harness_new(void)
{
    struct harness *h = calloc(1, sizeof(*h));
    const char *tmp = getenv("TMPDIR");

    if (h == NULL)
        abort();
    pthread_once(&curl_once, init_curl);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->changed, NULL);
    snprintf(h->dir, sizeof(h->dir), "%s/usher-test-XXXXXX",
             tmp ? tmp : "/tmp");
    if (mkdtemp(h->dir) == NULL)
        fail_msg("mkdtemp: %s", strerror(errno));
    h->curl = curl_easy_init();
    pthread_mutex_lock(&live_lock);
    h->next_live = live;
    live = h;
    pthread_mutex_unlock(&live_lock);
    return h;
}

/* Add the arguments every server gets: a free port and the store. */
static void add_common_args(struct harness *h, const char *const *args)
{
    add_arg(h, "server");
    add_arg(h, "--http-address");
    add_arg(h, "127.0.0.1:0");
    if (h->pg_url != NULL) {
        add_arg(h, "--postgres-url");
        add_arg(h, h->pg_url);
    } else {
        add_arg(h, "--sqlite-path");
        add_arg(h, h->db_path);
    }
    add_arg(h, "--rate-limit-disable-all");
    h->nfixed = h->nargs;
    for (size_t i = 0; args != NULL && args[i] != NULL; i++)
        add_arg(h, args[i]);
}

/* Set up, without starting it, a server on a new database. */
static struct harness *start_new(const char *const *args)
{
    const char *backend = getenv("USHER_TEST_BACKEND");
    const char *pg = NULL;
    struct harness *h;

    if (backend != NULL && strcmp(backend, "postgres") == 0) {
        pg = getenv("USHER_TEST_POSTGRES_ADMIN");
        if (pg == NULL || pg[0] == '\0')
            fail_msg("USHER_TEST_BACKEND=postgres needs "
                     "USHER_TEST_POSTGRES_ADMIN");
    }
    h = harness_new();
    snprintf(h->db_path, sizeof(h->db_path), "%s/usher.db", h->dir);
    if (pg != NULL) {
        h->pg_admin = xdup(pg);
        create_pg_database(h);
    }
    add_common_args(h, args);
    return h;
}

struct harness *harness_start(const char *const *args)
{
    struct harness *h = start_new(args);

    spawn(h);
    return h;
}

/* Set up, without starting it, a server on primary's database. */
static struct harness *new_replica(struct harness *primary,
                                   const char *const *args)
{
    struct harness *h = harness_new();

    /* The primary owns the database: only its harness_free removes it. */
    snprintf(h->db_path, sizeof(h->db_path), "%s", primary->db_path);
    if (primary->pg_url != NULL) {
        h->pg_admin = xdup(primary->pg_admin);
        h->pg_url = xdup(primary->pg_url);
    }
    add_common_args(h, args);
    return h;
}

struct harness *harness_start_replica(struct harness *primary,
                                      const char *const *args)
{
    struct harness *h = new_replica(primary, args);

    spawn(h);
    return h;
}

void harness_start_together(struct harness **out, size_t count,
                            const char *const *args)
{
    size_t from[16];

    if (count == 0 || count > sizeof(from) / sizeof(from[0]))
        fail_msg("harness_start_together: bad count %zu", count);
    out[0] = start_new(args);
    for (size_t i = 1; i < count; i++)
        out[i] = new_replica(out[0], args);
    for (size_t i = 0; i < count; i++)
        from[i] = spawn_process(out[i]);
    for (size_t i = 0; i < count; i++)
        await_listening(out[i], from[i]);
}

static void reap(struct harness *h, int *status)
{
    while (waitpid(h->pid, status, 0) < 0 && errno == EINTR)
        ;
    h->pid = 0;
    if (h->reader_running) {
        pthread_join(h->reader, NULL);
        close(h->log_fd);
        h->reader_running = false;
    }
}

int harness_stop(struct harness *h)
{
    int status = 0;

    if (h->pid == 0)
        return -1;
    kill(h->pid, SIGTERM);
    reap(h, &status);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void harness_kill(struct harness *h)
{
    int status;

    if (h->pid == 0)
        return;
    kill(h->pid, SIGKILL);
    reap(h, &status);
}

void harness_restart(struct harness *h)
{
    char port_arg[32];

    if (h->pid != 0)
        harness_stop(h);
    /* Keep the port so that the base URL stays valid. */
    snprintf(port_arg, sizeof(port_arg), "127.0.0.1:%d", h->port);
    free(h->args[2]);
    h->args[2] = xdup(port_arg);
    curl_easy_cleanup(h->curl);
    h->curl = curl_easy_init();
    spawn(h);
}

void harness_restart_with(struct harness *h, const char *const *args)
{
    int status;

    if (h->pid != 0 && (status = harness_stop(h)) != 0) {
        fprintf(stderr, "server log:\n%s\n", h->log ? h->log : "");
        fail_msg("the server exited with status %d", status);
    }
    while (h->nargs > h->nfixed)
        free(h->args[--h->nargs]);
    for (size_t i = 0; args != NULL && args[i] != NULL; i++)
        add_arg(h, args[i]);
    harness_restart(h);
}

static void remove_dir(const char *dir)
{
    static const char *const names[] = {"usher.db", "usher.db-wal",
                                        "usher.db-shm"};
    char path[600];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

void harness_free(struct harness *h)
{
    int status;

    if (h == NULL)
        return;
    /* A server that does not stop cleanly (or, in the sanitizer build,
     * leaks) fails the test that started it. */
    if (h->pid != 0 && (status = harness_stop(h)) != 0) {
        fprintf(stderr, "server log:\n%s\n", h->log ? h->log : "");
        fail_msg("the server exited with status %d", status);
    }
    forget_live(h);
    drop_pg_database(h);
    remove_dir(h->dir);
    curl_easy_cleanup(h->curl);
    for (size_t i = 0; i < h->nargs; i++)
        free(h->args[i]);
    free(h->pg_admin);
    free(h->pg_url);
    free(h->log);
    pthread_cond_destroy(&h->changed);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

const char *harness_base_url(const struct harness *h)
{
    return h->base_url;
}

int harness_port(const struct harness *h)
{
    return h->port;
}

int harness_pid(const struct harness *h)
{
    return (int)h->pid;
}

const char *harness_sqlite_path(const struct harness *h)
{
    return h->pg_url ? NULL : h->db_path;
}

const char *harness_postgres_url(const struct harness *h)
{
    return h->pg_url;
}

bool harness_log_contains(struct harness *h, const char *needle)
{
    bool found;

    pthread_mutex_lock(&h->lock);
    found = h->log != NULL && strstr(h->log, needle) != NULL;
    pthread_mutex_unlock(&h->lock);
    return found;
}

bool harness_wait_log(struct harness *h, const char *needle,
                      int timeout_seconds)
{
    struct timespec deadline;
    bool found;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_seconds;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        found = h->log != NULL && strstr(h->log, needle) != NULL;
        if (found || h->eof)
            break;
        if (pthread_cond_timedwait(&h->changed, &h->lock, &deadline) ==
            ETIMEDOUT)
            break;
    }
    found = h->log != NULL && strstr(h->log, needle) != NULL;
    pthread_mutex_unlock(&h->lock);
    return found;
}

char *harness_log(struct harness *h)
{
    char *copy;

    pthread_mutex_lock(&h->lock);
    copy = xdup(h->log ? h->log : "");
    pthread_mutex_unlock(&h->lock);
    return copy;
}

struct growing {
    char *data;
    size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct growing *g = userdata;
    size_t n = size * nmemb;

    g->data = realloc(g->data, g->len + n + 1);
    if (g->data == NULL)
        abort();
    memcpy(g->data + g->len, ptr, n);
    g->len += n;
    g->data[g->len] = '\0';
    return n;
}

struct response harness_send(struct harness *h, const struct request *req)
{
    struct response res = {0};
    struct growing body = {0};
    struct growing headers = {0};
    struct curl_slist *list = NULL;
    size_t url_len = strlen(h->base_url) + strlen(req->path) + 1;
    char *url = malloc(url_len);
    char line[512];
    CURLcode rc;

    if (url == NULL)
        abort();
    snprintf(url, url_len, "%s%s", h->base_url, req->path);
    curl_easy_reset(h->curl);
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h->curl, CURLOPT_PATH_AS_IS, 1L);
    if (strcmp(req->method, "HEAD") == 0)
        curl_easy_setopt(h->curl, CURLOPT_NOBODY, 1L);
    if (req->body != NULL) {
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(
            h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
            (curl_off_t)(req->body_len ? req->body_len : strlen(req->body)));
        list = curl_slist_append(list, "Content-Type: application/json");
    }
    list = curl_slist_append(list, "Accept: application/json");
    if (req->token != NULL) {
        snprintf(line, sizeof(line), "Coder-Session-Token: %s", req->token);
        list = curl_slist_append(list, line);
    }
    if (req->cookie != NULL)
        curl_easy_setopt(h->curl, CURLOPT_COOKIE, req->cookie);
    for (size_t i = 0; i < 8 && req->headers[i] != NULL; i++)
        list = curl_slist_append(list, req->headers[i]);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, list);

    rc = curl_easy_perform(h->curl);
    curl_slist_free_all(list);
    free(url);
    if (rc != CURLE_OK)
        fail_msg("%s %s failed: %s", req->method, req->path,
                 curl_easy_strerror(rc));
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &res.status);
    res.body = body.data ? body.data : xdup("");
    res.headers = headers.data ? headers.data : xdup("");
    res.json = json_loads(res.body, JSON_DECODE_ANY, NULL);
    return res;
}

struct response harness_call(struct harness *h, const char *method,
                             const char *path, const char *token,
                             const char *body)
{
    struct request req = {0};

    req.method = method;
    req.path = path;
    req.token = token;
    req.body = body;
    return harness_send(h, &req);
}

void response_release(struct response *res)
{
    free(res->body);
    free(res->headers);
    json_decref(res->json);
    memset(res, 0, sizeof(*res));
}

const char *response_string(const struct response *res, const char *key)
{
    json_t *value = json_object_get(res->json, key);

    return json_is_string(value) ? json_string_value(value) : NULL;
}

char *response_header(const struct response *res, const char *name)
{
    size_t len = strlen(name);
    const char *p = res->headers;

    while (p != NULL && *p != '\0') {
        const char *end = strstr(p, "\r\n");
        size_t line_len = end ? (size_t)(end - p) : strlen(p);

        if (line_len > len && strncasecmp(p, name, len) == 0 && p[len] == ':') {
            const char *value = p + len + 1;

            while (*value == ' ')
                value++;
            return strndup(value, (size_t)(p + line_len - value));
        }
        p = end ? end + 2 : NULL;
    }
    return NULL;
}

char *response_cookie(const struct response *res, const char *name)
{
    size_t len = strlen(name);
    const char *p = res->headers;

    while (p != NULL && *p != '\0') {
        const char *end = strstr(p, "\r\n");
        size_t line_len = end ? (size_t)(end - p) : strlen(p);

        if (line_len > 11 && strncasecmp(p, "Set-Cookie:", 11) == 0) {
            const char *value = p + 11;

            while (*value == ' ')
                value++;
            if (strncmp(value, name, len) == 0 && value[len] == '=')
                return strndup(value, (size_t)(p + line_len - value));
        }
        p = end ? end + 2 : NULL;
    }
    return NULL;
}

bool response_has_validation(const struct response *res, const char *field)
{
    json_t *list = json_object_get(res->json, "validations");
    size_t i;
    json_t *entry;

    json_array_foreach(list, i, entry)
    {
        json_t *name = json_object_get(entry, "field");

        if (json_is_string(name) && strcmp(json_string_value(name), field) == 0)
            return true;
    }
    return false;
}

char *harness_login(struct harness *h, const char *email, const char *password)
{
    json_t *body = json_pack("{ssss}", "email", email, "password", password);
    char *text = json_dumps(body, JSON_COMPACT);
    struct response res =
        harness_call(h, "POST", "/api/v2/users/login", NULL, text);
    char *token = NULL;

    if (res.status == 201 && response_string(&res, "session_token") != NULL)
        token = xdup(response_string(&res, "session_token"));
    response_release(&res);
    free(text);
    json_decref(body);
    return token;
}

char *harness_setup_owner(struct harness *h, const char *email,
                          const char *username, const char *password)
{
    json_t *body = json_pack("{ssssss}", "email", email, "username", username,
                             "password", password);
    char *text = json_dumps(body, JSON_COMPACT);
    struct response res =
        harness_call(h, "POST", "/api/v2/users/first", NULL, text);
    char *token;

    if (res.status != 201)
        fail_msg("POST /users/first: %ld %s", res.status, res.body);
    response_release(&res);
    free(text);
    json_decref(body);
    token = harness_login(h, email, password);
    if (token == NULL)
        fail_msg("cannot log in as %s", email);
    return token;
}
