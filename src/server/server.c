/* SPDX-License-Identifier: MIT */
/* Start-up, signal handling and shutdown of `usher server`. */
#include "server/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api/api.h"
#include "http/httpd.h"
#include "http/router.h"
#include "server/config.h"
#include "server/version.h"
#include "store/store.h"
#include "util/duration.h"
#include "util/log.h"
#include "util/workpool.h"

/* Seconds that requests in progress get to finish after a stop signal. */
#define SHUTDOWN_GRACE_SECONDS 10

/* Jobs that may wait for a hashing thread before new ones are refused. */
#define SLOW_QUEUE_MAX 1024

/* Nice value of the hashing threads: logins yield to token requests.
 * NOTE: a token request that arrives while both hashing threads run still
 * waits for the scheduler. Measured on 2 cores (bench/README.md), the p99
 * of paced reads beside logins was about 5 times that of the reads alone
 * at nice 5 and about 2 times with SCHED_IDLE hashing threads. SCHED_IDLE
 * would instead starve logins while requests keep the CPU busy. */
#define SLOW_NICE 5

/* Requests per minute per caller to the login routes, as in Coder. */
#define LOGIN_RATE_LIMIT 60

#define MAX_BODY (1u << 20)

/* libmicrohttpd's memory per connection, which bounds the request line
 * and headers together: about 127,000 bytes fit, so a 64 KiB search query
 * still gets a JSON response.
 * NOTE: libmicrohttpd 0.9.75 zeroes the whole of it twice per request.
 * Measured on 2 cores with wrk, 64 KiB served 12% more GET /users/me at 64
 * and 256 connections, and 32 KiB 16% and 30% more, but a 64 KiB query
 * would then get libmicrohttpd's HTML 431. Go's net/http, Coder's server,
 * accepts 1 MiB of headers. */
#define CONNECTION_MEMORY (128u * 1024u)

/* Raise the open-file limit to its hard maximum, since every client
 * connection takes a descriptor; return the limit now in force. */
static rlim_t raise_file_limit(void)
{
    struct rlimit limit;

    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1;
}

static void fill_settings(const struct server_config *config,
                          struct api_settings *s, const char *access_url)
{
    memset(s, 0, sizeof(*s));
    s->version = USHER_BUILD_VERSION;
    s->external_url = USHER_EXTERNAL_URL;
    s->access_url = access_url;
    s->session_duration = config->session_duration;
    s->disable_session_expiry_refresh = config->disable_session_expiry_refresh;
    s->secure_auth_cookie = config->secure_auth_cookie;
    s->disable_password_auth = config->disable_password_auth;
    s->default_token_lifetime = config->default_token_lifetime;
    s->max_token_lifetime = config->max_token_lifetime;
    s->max_admin_token_lifetime = config->max_admin_token_lifetime;
    s->ssh_keygen_algorithm = config->ssh_keygen_algorithm;
    if (!config->rate_limit_disable_all) {
        s->rate_limit_api =
            config->rate_limit_api > 0 ? (unsigned)config->rate_limit_api : 0;
        s->rate_limit_login = LOGIN_RATE_LIMIT;
    }
    s->email_smarthost =
        config->email_smarthost[0] ? config->email_smarthost : NULL;
    s->email_from = config->email_from;
    s->email_hello = config->email_hello;
    s->email_auth_identity = config->email_auth_identity;
    s->email_auth_username = config->email_auth_username;
    s->email_auth_password = config->email_auth_password;
    s->email_auth_password_file = config->email_auth_password_file;
    s->email_force_tls = config->email_force_tls;
    s->email_tls_starttls = config->email_tls_starttls;
    s->email_tls_server_name = config->email_tls_server_name;
    s->email_tls_skip_verify = config->email_tls_skip_verify;
    s->email_tls_ca_file = config->email_tls_ca_file;
    s->email_tls_cert_file = config->email_tls_cert_file;
    s->email_tls_key_file = config->email_tls_key_file;
    s->clock_offset = config->clock_offset / 1000;
}

/* Block the stop signals in every thread; the main thread waits for them
 * with sigwait. Writes to closed sockets must not kill the process. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

struct running {
    struct store *store;
    struct router *router;
    struct api *api;
    struct httpd *httpd;
};

static int start(const struct server_config *config, struct running *run)
{
    struct store_config store_config = {0};
    struct api_settings settings;
    struct workpool *pool;
    struct httpd_config http = {0};
    char access_url[256];
    char err[512];
    unsigned cpus = cpu_count();
    rlim_t files = raise_file_limit();

    run->httpd = httpd_bind(config->http_address, err, sizeof(err));
    if (run->httpd == NULL) {
        log_kv(LOG_ERROR, "server", "cannot listen", "detail", err, NULL);
        return -1;
    }

    store_config.sqlite_path = config->sqlite_path;
    store_config.postgres_url = config->postgres_url;
    store_config.max_connections = (unsigned)config->postgres_max_connections;
    run->store = store_open(&store_config, err, sizeof(err));
    if (run->store == NULL) {
        log_kv(LOG_ERROR, "server", "cannot open the store", "detail", err,
               NULL);
        return -1;
    }
    if (config->access_url[0] != '\0')
        snprintf(access_url, sizeof(access_url), "%s", config->access_url);
    else
        snprintf(access_url, sizeof(access_url), "http://%s",
                 httpd_address(run->httpd));
    fill_settings(config, &settings, access_url);
    if (config->clock_offset != 0) {
        char offset[DURATION_STR_MAX];

        duration_format(config->clock_offset, offset, sizeof(offset));
        log_kv(LOG_WARN, "server",
               "the clock runs ahead of the system clock (--clock-offset)",
               "offset", offset, NULL);
    }
    run->router = router_new();
    run->api = api_new(&settings, run->store, run->router);
    if (run->api == NULL)
        return -1;

    pool = workpool_new(
        config->hash_threads > 0 ? (unsigned)config->hash_threads : cpus,
        SLOW_QUEUE_MAX, SLOW_NICE);
    if (pool == NULL)
        return -1;
    http.threads =
        config->http_threads > 0 ? (unsigned)config->http_threads : cpus;
    http.connection_limit = files > 256 ? (unsigned)(files - 128) : 128;
    http.idle_timeout =
        (unsigned)(config->http_idle_timeout / DURATION_NS_PER_SECOND);
    http.max_body = MAX_BODY;
    http.connection_memory = CONNECTION_MEMORY;
    http.build_version = USHER_BUILD_VERSION;
    http.router = run->router;
    http.workpool = pool;
    http.handle = api_handle;
    http.ctx = run->api;
    http.fallback_data = api_fallback_route();
    if (httpd_start(run->httpd, &http, err, sizeof(err)) != 0) {
        workpool_free(pool);
        log_kv(LOG_ERROR, "server", "cannot start the HTTP server", "detail",
               err, NULL);
        return -1;
    }
    log_kv(LOG_INFO, "server", "listening", "address",
           httpd_address(run->httpd), "access_url", access_url, "store",
           store_backend_name(run->store), "version", USHER_BUILD_VERSION,
           NULL);
    return 0;
}

static void stop(struct running *run)
{
    httpd_stop(run->httpd, SHUTDOWN_GRACE_SECONDS);
    api_free(run->api);
    router_free(run->router);
    store_free(run->store);
}

int server_main(int argc, char **argv)
{
    struct server_config config;
    struct running run = {0};
    char err[512];
    sigset_t set;
    int sig = 0;
    enum config_result loaded =
        config_load(&config, argc, argv, err, sizeof(err));

    if (loaded == CONFIG_HELP) {
        config_release(&config);
        return 0;
    }
    if (loaded == CONFIG_ERROR) {
        fprintf(stderr, "usher server: %s\n", err);
        fprintf(stderr, "Run 'usher server --help' for the options.\n");
        config_release(&config);
        return 2;
    }
    log_set_level(config.verbose ? LOG_DEBUG : LOG_INFO);
    block_signals(&set);
    log_kv(LOG_INFO, "server", "starting", "version", USHER_BUILD_VERSION,
           NULL);

    if (start(&config, &run) != 0) {
        stop(&run);
        config_release(&config);
        return 1;
    }
    while (sigwait(&set, &sig) != 0)
        ;
    log_kv(LOG_INFO, "server", "stopping", "signal", strsignal(sig), NULL);
    stop(&run);
    log_kv(LOG_INFO, "server", "stopped", NULL);
    config_release(&config);
    return 0;
}
