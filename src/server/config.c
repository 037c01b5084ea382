/* SPDX-License-Identifier: MIT */
/* The option table of `usher server` and its parser. */
#include "server/config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/duration.h"
#include "util/mem.h"
#include "util/number.h"
#include "util/smtp.h"

enum option_type {
    OPTION_STRING,
    OPTION_BOOL,
    OPTION_DURATION,
    OPTION_INTEGER,
};

struct option {
    const char *name; /* without the leading "--" */
    const char *env;
    enum option_type type;
    const char *default_value;
    const char *unit;
    int64_t min;
    int64_t max;
    size_t offset;
    const char *help;
};

#define FIELD(name) offsetof(struct server_config, name)

static const struct option options[] = {
    {"http-address", "CODER_HTTP_ADDRESS", OPTION_STRING, "127.0.0.1:3000",
     "host:port", 0, 0, FIELD(http_address),
     "Address to serve the API on. Port 0 picks a free port."},
    {"access-url", "CODER_ACCESS_URL", OPTION_STRING, "", "URL", 0, 0,
     FIELD(access_url),
     "URL clients use to reach this server, reported as dashboard_url. "
     "Empty means http://<http-address>."},
    {"sqlite-path", "USHER_SQLITE_PATH", OPTION_STRING, "usher.db", "path", 0,
     0, FIELD(sqlite_path),
     "SQLite database file, created when missing. Used unless "
     "--postgres-url is set."},
    {"postgres-url", "CODER_PG_CONNECTION_URL", OPTION_STRING, "",
     "URL or key=value list", 0, 0, FIELD(postgres_url),
     "PostgreSQL connection string. When set, PostgreSQL is the store."},
    {"postgres-max-connections", "USHER_PG_MAX_CONNECTIONS", OPTION_INTEGER,
     "8", "connections", 1, 1000, FIELD(postgres_max_connections),
     "Most PostgreSQL connections one server keeps open."},
    {"session-duration", "CODER_SESSION_DURATION", OPTION_DURATION, "24h",
     "duration", 1, INT64_MAX, FIELD(session_duration),
     "Lifetime of a login session, extended while the session is in use."},
    {"disable-session-expiry-refresh", "CODER_DISABLE_SESSION_EXPIRY_REFRESH",
     OPTION_BOOL, "false", "bool", 0, 0, FIELD(disable_session_expiry_refresh),
     "Keep session and token expiry fixed instead of extending it on use."},
    {"secure-auth-cookie", "CODER_SECURE_AUTH_COOKIE", OPTION_BOOL, "false",
     "bool", 0, 0, FIELD(secure_auth_cookie),
     "Mark the session cookie Secure, for deployments served over HTTPS."},
    {"disable-password-auth", "CODER_DISABLE_PASSWORD_AUTH", OPTION_BOOL,
     "false", "bool", 0, 0, FIELD(disable_password_auth),
     "Refuse password logins and password-based accounts."},
    {"default-token-lifetime", "CODER_DEFAULT_TOKEN_LIFETIME", OPTION_DURATION,
     "168h", "duration", 1, INT64_MAX, FIELD(default_token_lifetime),
     "Lifetime of a new API token when the request names none."},
    {"max-token-lifetime", "CODER_MAX_TOKEN_LIFETIME", OPTION_DURATION,
     "876600h", "duration", 1, INT64_MAX, FIELD(max_token_lifetime),
     "Longest lifetime a user may request for an API token."},
    {"max-admin-token-lifetime", "CODER_MAX_ADMIN_TOKEN_LIFETIME",
     OPTION_DURATION, "168h", "duration", 1, INT64_MAX,
     FIELD(max_admin_token_lifetime),
     "Longest lifetime of an API token of a user with the owner role."},
    {"ssh-keygen-algorithm", "CODER_SSH_KEYGEN_ALGORITHM", OPTION_STRING,
     "ed25519", "ed25519|ecdsa|rsa4096", 0, 0, FIELD(ssh_keygen_algorithm_name),
     "Algorithm of the git SSH key generated for each user."},
    {"rate-limit-api", "CODER_RATE_LIMIT_API", OPTION_INTEGER, "512",
     "requests per minute", -1, 1000000000, FIELD(rate_limit_api),
     "Requests each user (or client address) may make to one route per "
     "minute; -1 disables the limit."},
    {"rate-limit-disable-all", "CODER_RATE_LIMIT_DISABLE_ALL", OPTION_BOOL,
     "false", "bool", 0, 0, FIELD(rate_limit_disable_all),
     "Disable every rate limit, the login limit included."},
    {"http-idle-timeout", "USHER_HTTP_IDLE_TIMEOUT", OPTION_DURATION, "60s",
     "duration", DURATION_NS_PER_SECOND, 86400 * DURATION_NS_PER_SECOND,
     FIELD(http_idle_timeout),
     "Time after which an idle client connection is closed (whole "
     "seconds)."},
    {"http-threads", "USHER_HTTP_THREADS", OPTION_INTEGER, "0", "threads", 0,
     256, FIELD(http_threads),
     "Threads that serve connections; 0 means one per CPU, at least 2."},
    {"hash-threads", "USHER_HASH_THREADS", OPTION_INTEGER, "0", "threads", 0,
     256, FIELD(hash_threads),
     "Threads for password hashing and key generation; 0 means one per "
     "CPU."},
    {"email-smarthost", "CODER_EMAIL_SMARTHOST", OPTION_STRING, "", "host:port",
     0, 0, FIELD(email_smarthost),
     "SMTP server that sends password-reset codes. Empty disables mail. "
     "Port 465 connects with TLS from the start."},
    {"email-from", "CODER_EMAIL_FROM", OPTION_STRING, "", "address", 0, 0,
     FIELD(email_from),
     "Sender of outgoing mail, as an address or \"Name <address>\"."},
    {"email-hello", "CODER_EMAIL_HELLO", OPTION_STRING, "localhost",
     "host name", 0, 0, FIELD(email_hello),
     "Host name sent in the SMTP EHLO greeting."},
    {"email-force-tls", "CODER_EMAIL_FORCE_TLS", OPTION_BOOL, "false", "bool",
     0, 0, FIELD(email_force_tls),
     "Connect to the SMTP server with TLS from the start (SMTPS), whatever "
     "the port."},
    {"email-auth-identity", "CODER_EMAIL_AUTH_IDENTITY", OPTION_STRING, "",
     "name", 0, 0, FIELD(email_auth_identity),
     "Authorization identity sent with PLAIN authentication."},
    {"email-auth-username", "CODER_EMAIL_AUTH_USERNAME", OPTION_STRING, "",
     "name", 0, 0, FIELD(email_auth_username),
     "User name for SMTP authentication (PLAIN, else LOGIN); empty sends "
     "without logging in."},
    {"email-auth-password", "CODER_EMAIL_AUTH_PASSWORD", OPTION_STRING, "",
     "password", 0, 0, FIELD(email_auth_password),
     "Password for SMTP authentication."},
    {"email-auth-password-file", "CODER_EMAIL_AUTH_PASSWORD_FILE",
     OPTION_STRING, "", "path", 0, 0, FIELD(email_auth_password_file),
     "File holding the SMTP password, read before each message; one "
     "trailing newline is ignored. Wins over --email-auth-password."},
    {"email-tls-starttls", "CODER_EMAIL_TLS_STARTTLS", OPTION_BOOL, "false",
     "bool", 0, 0, FIELD(email_tls_starttls),
     "Upgrade a plain SMTP connection with STARTTLS, and fail when the "
     "server does not offer it."},
    {"email-tls-server-name", "CODER_EMAIL_TLS_SERVERNAME", OPTION_STRING, "",
     "host name", 0, 0, FIELD(email_tls_server_name),
     "Name to verify the SMTP server's certificate against; empty means "
     "the smarthost's host."},
    {"email-tls-skip-verify", "CODER_EMAIL_TLS_SKIPVERIFY", OPTION_BOOL,
     "false", "bool", 0, 0, FIELD(email_tls_skip_verify),
     "Accept any certificate from the SMTP server (insecure)."},
    {"email-tls-ca-cert-file", "CODER_EMAIL_TLS_CACERTFILE", OPTION_STRING, "",
     "path", 0, 0, FIELD(email_tls_ca_file),
     "PEM file of certificate authorities that the SMTP server's "
     "certificate must chain to; empty uses the system's."},
    {"email-tls-cert-file", "CODER_EMAIL_TLS_CERTFILE", OPTION_STRING, "",
     "path", 0, 0, FIELD(email_tls_cert_file),
     "PEM client certificate presented to the SMTP server."},
    {"email-tls-cert-key-file", "CODER_EMAIL_TLS_CERTKEYFILE", OPTION_STRING,
     "", "path", 0, 0, FIELD(email_tls_key_file),
     "PEM private key of --email-tls-cert-file."},
    {"clock-offset", "USHER_CLOCK_OFFSET", OPTION_DURATION, "0s", "duration", 0,
     100LL * 8766 * DURATION_NS_PER_HOUR, FIELD(clock_offset),
     "Time added to the system clock for every request: expiry checks, "
     "last-use times and the timestamps the server stores. Meant for "
     "testing sessions, tokens and reset codes over time; keep 0s in "
     "production."},
    {"verbose", "CODER_VERBOSE", OPTION_BOOL, "false", "bool", 0, 0,
     FIELD(verbose), "Also write debug log lines."},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static int parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
    static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* Store text as option's value in config, or describe why it is bad. */
static int set_option(struct server_config *config, const struct option *opt,
                      const char *text, const char *source, char *err,
                      size_t errsize)
{
    char *field = (char *)config + opt->offset;
    int64_t number;

    switch (opt->type) {
    case OPTION_STRING:
        free(*(char **)field);
        *(char **)field = xstrdup(text);
        return 0;
    case OPTION_BOOL:
        if (parse_bool(text, (bool *)field) == 0)
            return 0;
        snprintf(err, errsize,
                 "invalid value \"%s\" for %s: expected true or false", text,
                 source);
        return -1;
    case OPTION_DURATION:
        if (duration_parse(text, &number) == 0 && number >= opt->min &&
            number <= opt->max) {
            *(int64_t *)field = number;
            return 0;
        }
        snprintf(err, errsize,
                 "invalid value \"%s\" for %s: expected a positive duration "
                 "such as 24h, 90m or 30s",
                 text, source);
        return -1;
    case OPTION_INTEGER:
        if (number_parse_i64(text, opt->min, opt->max, &number) == NUMBER_OK) {
            *(int64_t *)field = number;
            return 0;
        }
        snprintf(err, errsize,
                 "invalid value \"%s\" for %s: expected an integer from "
                 "%lld to %lld",
                 text, source, (long long)opt->min, (long long)opt->max);
        return -1;
    }
    return -1;
}

static const struct option *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (strlen(options[i].name) == len &&
            strncmp(options[i].name, name, len) == 0)
            return &options[i];
    }
    return NULL;
}

static int apply_defaults_and_env(struct server_config *config, char *err,
                                  size_t errsize)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option *opt = &options[i];
        const char *env = getenv(opt->env);
        char source[128];

        if (set_option(config, opt, opt->default_value, "default", err,
                       errsize) != 0)
            return -1;
        if (env == NULL)
            continue;
        snprintf(source, sizeof(source), "%s", opt->env);
        if (set_option(config, opt, env, source, err, errsize) != 0)
            return -1;
    }
    return 0;
}

/* Parse one "--name[=value]" argument, taking the value from the next
 * argument when needed. Advances *index past what it used. */
static int apply_argument(struct server_config *config, int argc, char **argv,
                          int *index, char *err, size_t errsize)
{
    const char *arg = argv[*index];
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct option *opt;
    const char *value;
    char source[128];

    if (strncmp(arg, "--", 2) != 0 || len == 0) {
        snprintf(err, errsize, "unexpected argument \"%s\"", arg);
        return -1;
    }
    opt = find_option(name, len);
    if (opt == NULL) {
        snprintf(err, errsize, "unknown option \"--%.*s\"", (int)len, name);
        return -1;
    }
    snprintf(source, sizeof(source), "--%s", opt->name);
    if (eq != NULL) {
        value = eq + 1;
    } else if (opt->type == OPTION_BOOL) {
        value = "true";
    } else if (*index + 1 < argc) {
        value = argv[++*index];
    } else {
        snprintf(err, errsize, "option --%s needs a value", opt->name);
        return -1;
    }
    return set_option(config, opt, value, source, err, errsize);
}

static int validate_email(const struct server_config *config, char *err,
                          size_t errsize)
{
    char host[SMTP_HOST_MAX];
    unsigned port;

    if (config->email_smarthost[0] != '\0' &&
        smtp_parse_smarthost(config->email_smarthost, host, &port) != 0) {
        snprintf(err, errsize,
                 "invalid value \"%s\" for --email-smarthost: expected "
                 "host:port, such as smtp.example.com:587",
                 config->email_smarthost);
        return -1;
    }
    if ((config->email_tls_cert_file[0] == '\0') !=
        (config->email_tls_key_file[0] == '\0')) {
        snprintf(err, errsize,
                 "--email-tls-cert-file and --email-tls-cert-key-file must be "
                 "set together");
        return -1;
    }
    return 0;
}

static int validate(struct server_config *config, char *err, size_t errsize)
{
    if (gitsshkey_algorithm_parse(config->ssh_keygen_algorithm_name,
                                  &config->ssh_keygen_algorithm) != 0) {
        snprintf(err, errsize,
                 "invalid key type: %s, must be one of: ed25519,ecdsa,rsa4096",
                 config->ssh_keygen_algorithm_name);
        return -1;
    }
    if (config->http_address[0] == '\0') {
        snprintf(err, errsize, "--http-address must not be empty");
        return -1;
    }
    if (config->postgres_url[0] == '\0' && config->sqlite_path[0] == '\0') {
        snprintf(err, errsize, "--sqlite-path must not be empty");
        return -1;
    }
    return validate_email(config, err, errsize);
}

enum config_result config_load(struct server_config *config, int argc,
                               char **argv, char *err, size_t errsize)
{
    memset(config, 0, sizeof(*config));
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            config_print_help(stdout);
            return CONFIG_HELP;
        }
    }
    if (apply_defaults_and_env(config, err, errsize) != 0)
        return CONFIG_ERROR;
    for (int i = 0; i < argc; i++) {
        if (apply_argument(config, argc, argv, &i, err, errsize) != 0)
            return CONFIG_ERROR;
    }
    if (validate(config, err, errsize) != 0)
        return CONFIG_ERROR;
    return CONFIG_OK;
}

void config_print_help(FILE *out)
{
    fprintf(out, "usage: usher server [--option value ...]\n\n"
                 "Serve Coder's users API. Every option can also be set "
                 "through its\nenvironment variable; a flag wins over the "
                 "environment.\n\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option *opt = &options[i];
        const char *def = opt->default_value[0] ? opt->default_value : "\"\"";

        fprintf(out, "  --%s <%s>\n      env %s, default %s\n      %s\n\n",
                opt->name, opt->unit, opt->env, def, opt->help);
    }
}

void config_release(struct server_config *config)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (options[i].type == OPTION_STRING) {
            char **field = (char **)((char *)config + options[i].offset);

            free(*field);
            *field = NULL;
        }
    }
}
