#ifndef USHER_API_API_H
#define USHER_API_API_H

#include <stdbool.h>
#include <stdint.h>

#include "core/gitsshkey.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

/*
 * The Users API: the route table, the handler context and the middleware
 * that runs before every handler (request limits, rate limits and
 * authentication). Handlers live in one file per resource.
 */

/* What the handlers need from the server's configuration. */
struct api_settings {
    const char *version;      /* semantic version with a leading "v" */
    const char *external_url; /* link to the build's source */
    const char *access_url;   /* reported as dashboard_url */
    int64_t session_duration; /* nanoseconds, also below */
    bool disable_session_expiry_refresh;
    bool secure_auth_cookie;
    bool disable_password_auth;
    int64_t default_token_lifetime;
    int64_t max_token_lifetime;
    int64_t max_admin_token_lifetime;
    enum gitsshkey_algorithm ssh_keygen_algorithm;
    /* Requests per minute per caller and route; 0 disables the limit. */
    unsigned rate_limit_api;
    /* Requests per minute per caller to the login routes; 0 disables. */
    unsigned rate_limit_login;
    /* Outgoing mail for password-reset codes; NULL smarthost = none. */
    const char *email_smarthost;
    const char *email_from;
    const char *email_hello;
    const char *email_auth_identity;
    const char *email_auth_username;
    const char *email_auth_password;
    const char *email_auth_password_file;
    bool email_force_tls;
    bool email_tls_starttls;
    const char *email_tls_server_name;
    bool email_tls_skip_verify;
    const char *email_tls_ca_file;
    const char *email_tls_cert_file;
    const char *email_tls_key_file;
    /* Microseconds added to the system clock for every request. */
    int64_t clock_offset;
};

struct api;

/*
 * Build the API on a store: register every route in router (which must
 * outlive the API). The settings are copied. Returns NULL on failure.
 */
struct api *api_new(const struct api_settings *settings, struct store *store,
                    struct router *router);

/* Free the API. NULL is ok. */
void api_free(struct api *api);

/* The httpd handler: runs middleware and then the route's handler. */
void api_handle(void *api, struct http_request *req, const void *route);

/* The route data httpd passes when no route matched. */
const void *api_fallback_route(void);

#endif
