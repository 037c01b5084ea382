/* SPDX-License-Identifier: MIT */
/*
 * The route table and the middleware every request passes: refusals from
 * the HTTP layer, authentication, rate limits, then the route's handler.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timestamp.h"

#define RATE_WINDOW (60LL * TIMESTAMP_US_PER_SECOND)

static const struct api_route *const route_tables[] = {
    api_routes_buildinfo,      api_routes_auth,
    api_routes_users,          api_routes_users_list,
    api_routes_users_create,   api_routes_users_admin,
    api_routes_users_password, api_routes_users_roles,
    api_routes_organizations,  api_routes_apikeys,
    api_routes_gitsshkey,      api_routes_appearance,
    api_routes_autofill,       api_routes_otp,
};

/* The data httpd passes when no route matched. */
static const struct api_route fallback_route = {NULL, NULL, NULL, 0};

const void *api_fallback_route(void)
{
    return &fallback_route;
}

static char *keep(struct api *api, const char *s)
{
    char *copy;

    if (s == NULL)
        return NULL;
    copy = xstrdup(s);
    if (api->nstrings < sizeof(api->strings) / sizeof(api->strings[0]))
        api->strings[api->nstrings++] = copy;
    return copy;
}

static void copy_settings(struct api *api, const struct api_settings *s)
{
    api->settings = *s;
    api->settings.version = keep(api, s->version);
    api->settings.external_url = keep(api, s->external_url);
    api->settings.access_url = keep(api, s->access_url);
    api->settings.email_smarthost = keep(api, s->email_smarthost);
    api->settings.email_from = keep(api, s->email_from);
    api->settings.email_hello = keep(api, s->email_hello);
    api->settings.email_auth_identity = keep(api, s->email_auth_identity);
    api->settings.email_auth_username = keep(api, s->email_auth_username);
    api->settings.email_auth_password = keep(api, s->email_auth_password);
    api->settings.email_auth_password_file =
        keep(api, s->email_auth_password_file);
    api->settings.email_tls_server_name = keep(api, s->email_tls_server_name);
    api->settings.email_tls_ca_file = keep(api, s->email_tls_ca_file);
    api->settings.email_tls_cert_file = keep(api, s->email_tls_cert_file);
    api->settings.email_tls_key_file = keep(api, s->email_tls_key_file);
}

struct api *api_new(const struct api_settings *settings, struct store *store,
                    struct router *router)
{
    struct api *api = xcalloc(1, sizeof(*api));
    char prefixed[256];

    copy_settings(api, settings);
    api->store = store;
    if (api_mail_start(api) != 0) {
        log_kv(LOG_ERROR, "api", "cannot start the mail sender", NULL);
        api_free(api);
        return NULL;
    }
    if (settings->rate_limit_api > 0)
        api->limit_api = ratelimit_new(settings->rate_limit_api, RATE_WINDOW);
    if (settings->rate_limit_login > 0)
        api->limit_login =
            ratelimit_new(settings->rate_limit_login, RATE_WINDOW);
    if (store_deployment_id(store, api->deployment_id) != STORE_OK) {
        log_kv(LOG_ERROR, "api", "cannot read the deployment id", "detail",
               store_last_error(), NULL);
        api_free(api);
        return NULL;
    }

    for (size_t t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]);
         t++) {
        for (const struct api_route *r = route_tables[t]; r->method != NULL;
             r++) {
            snprintf(prefixed, sizeof(prefixed), "/api/v2%s", r->pattern);
            if (router_add(router, r->method, prefixed, r->flags, r) != 0) {
                log_kv(LOG_ERROR, "api", "cannot add route", "method",
                       r->method, "pattern", prefixed, NULL);
                api_free(api);
                return NULL;
            }
        }
    }
    return api;
}

void api_free(struct api *api)
{
    if (api == NULL)
        return;
    api_mail_stop(api);
    ratelimit_free(api->limit_api);
    ratelimit_free(api->limit_login);
    for (size_t i = 0; i < api->nstrings; i++)
        free(api->strings[i]);
    free(api);
}

static bool handle_rejection(struct api_call *call)
{
    switch (http_request_rejection(call->req)) {
    case HTTP_REJECT_NONE:
        return false;
    case HTTP_REJECT_BODY_TOO_LARGE:
        api_error(call, 413, "Request body is too large.",
                  "The request body must not exceed 1 MiB.", NULL);
        return true;
    case HTTP_REJECT_OVERLOADED:
        http_response_add_header(call->req, "Retry-After", "1");
        api_error(call, 503, "The server is busy. Try again shortly.",
                  "Too many slow requests (logins, account changes) are "
                  "waiting.",
                  NULL);
        return true;
    }
    return false;
}

/* Owners may skip the limits by asking, as in Coder. */
static bool bypasses_limits(struct api_call *call)
{
    const char *bypass =
        http_request_header(call->req, "X-Coder-Bypass-Ratelimit");

    return call->authenticated && bypass != NULL &&
           strcmp(bypass, "true") == 0 &&
           (call->subject.roles & RBAC_ROLE_OWNER) != 0;
}

/*
 * Apply the per-minute limits, per user once authenticated and otherwise
 * (and always with by_address) per client address. Returns true when the
 * request was refused.
 */
static bool rate_limited(struct api_call *call, const struct api_route *route,
                         bool by_address)
{
    struct api *api = call->api;
    char key[512];
    bool by_user = call->authenticated && !by_address;
    bool allowed = true;

    if (by_user && bypasses_limits(call))
        return false;
    snprintf(key, sizeof(key), "%s %s %s",
             by_user ? call->auth.user.id : http_request_remote_ip(call->req),
             route->method, route->pattern);
    if (api->limit_api != NULL)
        allowed = ratelimit_allow(api->limit_api, key, call->now);
    if (allowed && api->limit_login != NULL && (route->flags & API_LOGIN_LIMIT))
        allowed = ratelimit_allow(api->limit_login, key, call->now);
    if (allowed)
        return false;
    http_response_add_header(call->req, "Retry-After", "60");
    api_error(call, 429,
              "You've been rate limited for sending too many requests!", NULL,
              NULL);
    return true;
}

void api_handle(void *ctx, struct http_request *req, const void *data)
{
    const struct api_route *route = data;
    struct api_call call = {0};

    call.api = ctx;
    call.req = req;
    call.now = timestamp_now() + call.api->settings.clock_offset;

    if (route == &fallback_route) {
        if (http_request_wrong_method(req))
            api_error(&call, 405, "Method not allowed.", NULL, NULL);
        else
            api_error(&call, 404, "Route not found.", NULL, NULL);
        return;
    }
    if (handle_rejection(&call))
        return;
    if (api_csrf_rejected(&call))
        return;
    if ((route->flags & API_AUTH) && api_authenticate(&call) != 0) {
        /* Failed attempts count against the client's address, so keys
         * cannot be probed at full speed; a 429 replaces the 401. */
        rate_limited(&call, route, true);
        goto out;
    }
    if (rate_limited(&call, route, false))
        goto out;
    route->handler(&call);

out:
    if (call.authenticated)
        store_auth_release(&call.auth);
}
