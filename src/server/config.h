#ifndef USHER_SERVER_CONFIG_H
#define USHER_SERVER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/gitsshkey.h"

/*
 * Settings of `usher server`, from flags, environment variables and
 * defaults, in that order of precedence. Where Coder has a setting for the
 * same thing, the environment variable has Coder's name, so a Coder
 * deployment's environment carries over. Durations are nanoseconds.
 */
struct server_config {
    char *http_address;
    char *access_url;
    char *sqlite_path;
    char *postgres_url;
    int64_t postgres_max_connections;
    int64_t session_duration;
    bool disable_session_expiry_refresh;
    bool secure_auth_cookie;
    bool disable_password_auth;
    int64_t default_token_lifetime;
    int64_t max_token_lifetime;
    int64_t max_admin_token_lifetime;
    char *ssh_keygen_algorithm_name;
    enum gitsshkey_algorithm ssh_keygen_algorithm;
    int64_t rate_limit_api;
    bool rate_limit_disable_all;
    int64_t http_idle_timeout;
    int64_t http_threads;
    int64_t hash_threads;
    bool verbose;
    char *email_smarthost;
    char *email_from;
    char *email_hello;
    char *email_auth_identity;
    char *email_auth_username;
    char *email_auth_password;
    char *email_auth_password_file;
    bool email_force_tls;
    bool email_tls_starttls;
    char *email_tls_server_name;
    bool email_tls_skip_verify;
    char *email_tls_ca_file;
    char *email_tls_cert_file;
    char *email_tls_key_file;
    /* Nanoseconds added to the system clock; see --clock-offset. */
    int64_t clock_offset;
};

enum config_result {
    CONFIG_OK,
    CONFIG_HELP, /* --help was given; the help text was printed */
    CONFIG_ERROR,
};

/*
 * Fill config from argv (the arguments after "server"), the environment
 * and the defaults. On CONFIG_ERROR the message, naming the option and the
 * value, is in err.
 */
enum config_result config_load(struct server_config *config, int argc,
                               char **argv, char *err, size_t errsize);

/* Print every option with its environment variable, default and unit. */
void config_print_help(FILE *out);

/* Free the strings of config. */
void config_release(struct server_config *config);

#endif
