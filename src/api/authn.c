/* SPDX-License-Identifier: MIT */
/*
 * API key authentication, run before every handler that needs a session:
 * find the token, check it against the store, keep the key alive while it
 * is used, and refuse users who are not active.
 */
#include "api/api_internal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "util/duration.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timestamp.h"

#define SESSION_COOKIE "coder_session_token"
#define SESSION_HEADER "Coder-Session-Token"

/* Bookkeeping writes happen at most once an hour per key. */
#define TOUCH_INTERVAL (3600LL * TIMESTAMP_US_PER_SECOND)

static const char signed_out[] = "You are signed out or your session has "
                                 "expired. Please sign in again to continue.";

static const char *nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/*
 * Return the presented token: the cookie, then the query parameter, then
 * Coder's header, then an Authorization bearer token, the first non-empty
 * one winning. As in Go, header values and the token after "Bearer" come
 * without the spaces and tabs around them. A cookie loses only those
 * after it, and a query parameter keeps them all.
 */
static const char *find_token(struct http_request *req)
{
    const char *token = nonempty(http_request_cookie(req, SESSION_COOKIE));
    const char *auth;

    if (token == NULL)
        token = nonempty(http_request_query(req, SESSION_COOKIE));
    if (token == NULL)
        token = nonempty(http_request_header(req, SESSION_HEADER));
    if (token != NULL)
        return token;
    auth = http_request_header(req, "Authorization");
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    auth += 7;
    while (*auth == ' ' || *auth == '\t')
        auth++;
    return nonempty(auth);
}

/* Write a time as Go's time.Time.String() does for UTC times. */
static void format_go_time(int64_t ts, char *out, size_t size)
{
    char rfc[TIMESTAMP_STR_MAX];
    char *t;
    size_t len;

    timestamp_format(ts, rfc, sizeof(rfc));
    t = strchr(rfc, 'T');
    if (t != NULL)
        *t = ' ';
    len = strlen(rfc);
    if (len > 0 && rfc[len - 1] == 'Z')
        rfc[len - 1] = '\0';
    snprintf(out, size, "%s +0000 UTC", rfc);
}

static int reject(struct api_call *call, const char *detail)
{
    api_error(call, 401, signed_out, detail, NULL);
    return -1;
}

static int lookup_failure(struct api_call *call, enum store_result result)
{
    if (result == STORE_UNAVAILABLE) {
        api_store_failure(call, result, NULL);
        return -1;
    }
    api_internal_error(call,
                       "An internal error occurred. Please try again or "
                       "contact the system administrator.",
                       store_last_error());
    return -1;
}

/* Record use of the key at most hourly, and slide its expiry forward. */
static void touch_key(struct api_call *call, struct apikey *key)
{
    const struct api_settings *s = &call->api->settings;
    int64_t lifetime = key->lifetime_seconds * TIMESTAMP_US_PER_SECOND;
    bool used = call->now - key->last_used > TOUCH_INTERVAL;
    bool extend = !s->disable_session_expiry_refresh &&
                  key->expires_at - call->now <= lifetime - TOUCH_INTERVAL;
    enum store_result result;

    if (used) {
        key->last_used = call->now;
        str_copy(key->ip_address, http_request_remote_ip(call->req),
                 sizeof(key->ip_address));
    }
    if (extend)
        key->expires_at = call->now + lifetime;
    if (!used && !extend)
        return;

    /* A failed bookkeeping write must not fail the request itself. */
    result = store_apikey_touch(call->api->store, key->id, key->last_used,
                                key->expires_at, key->ip_address);
    if (result == STORE_OK && used)
        result = store_user_touch(call->api->store, key->user_id, call->now);
    if (result == STORE_OK && used) {
        call->auth.user.last_seen_at = call->now;
        call->auth.user.updated_at = call->now;
    }
    if (result != STORE_OK)
        log_kv(LOG_WARN, "auth", "cannot record API key use", "request_id",
               http_request_id(call->req), "detail", store_last_error(), NULL);
}

int api_authenticate(struct api_call *call)
{
    const char *token = find_token(call->req);
    char id[APIKEY_ID_LEN + 1];
    char secret[APIKEY_SECRET_LEN + 1];
    char reason[160];
    char detail[256];
    struct user *user = &call->auth.user;
    enum store_result result;
    bool match;

    if (token == NULL)
        return reject(call, "Cookie \"coder_session_token\" or query "
                            "parameter must be provided.");
    if (apikey_parse(token, id, secret, reason, sizeof(reason)) != 0) {
        snprintf(detail, sizeof(detail), "Invalid API key format: %s", reason);
        return reject(call, detail);
    }
    result = store_auth_lookup(call->api->store, id, &call->auth);
    if (result == STORE_NOT_FOUND) {
        OPENSSL_cleanse(secret, sizeof(secret));
        return reject(call, "API key is invalid.");
    }
    if (result != STORE_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        return lookup_failure(call, result);
    }
    call->authenticated = true;
    match = apikey_secret_matches(call->auth.key.hashed_secret, secret);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (!match)
        return reject(call, "API key secret is invalid.");
    if (user->deleted)
        return reject(call, "API key is invalid.");
    if ((call->auth.key.login_type == LOGIN_TYPE_GITHUB ||
         call->auth.key.login_type == LOGIN_TYPE_OIDC) &&
        !call->auth.link_present)
        return reject(call,
                      "You must re-authenticate with the login provider.");
    if (call->auth.key.expires_at < call->now) {
        char when[64];

        format_go_time(call->auth.key.expires_at, when, sizeof(when));
        snprintf(detail, sizeof(detail), "API key expired at \"%s\".", when);
        return reject(call, detail);
    }

    touch_key(call, &call->auth.key);
    if (user->status == USER_STATUS_DORMANT) {
        result = store_user_activate_if_dormant(call->api->store, user->id,
                                                call->now);
        if (result != STORE_OK)
            return lookup_failure(call, result);
        user->status = USER_STATUS_ACTIVE;
    }
    if (user->status != USER_STATUS_ACTIVE) {
        snprintf(detail, sizeof(detail),
                 "User is not active (status = \"%s\"). Contact an admin to "
                 "reactivate your account.",
                 user_status_name(user->status));
        api_error(call, 401, detail, NULL, NULL);
        return -1;
    }

    call->subject.user_id = user->id;
    call->subject.roles = rbac_roles_from_names(&user->roles);
    call->subject.scope = call->auth.key.scope;
    http_request_set_user(call->req, user->id);
    return 0;
}

int api_issue_key(struct api_call *call, const struct apikey *draft,
                  const struct store_key_guard *guard,
                  char token[APIKEY_TOKEN_LEN + 1])
{
    struct apikey key = *draft;
    char secret[APIKEY_SECRET_LEN + 1];
    enum store_result result;
    int rc = -1;

    if (apikey_generate(key.id, secret, token) != 0 ||
        apikey_hash_secret(secret, key.hashed_secret) != 0) {
        api_internal_error(call, "Failed to create API key.",
                           "cannot generate a random key");
        goto out;
    }
    key.created_at = call->now;
    key.updated_at = call->now;
    key.last_used = 0;
    str_copy(key.ip_address, http_request_remote_ip(call->req),
             sizeof(key.ip_address));

    result = store_apikey_insert(call->api->store, &key, guard);
    if (result == STORE_NOT_FOUND) {
        /* A concurrent password change, deletion or logout came first. */
        log_kv(LOG_INFO, "api", "key not issued: credentials changed",
               "request_id", http_request_id(call->req), "user_id", key.user_id,
               NULL);
        if (guard != NULL && guard->password_hash != NULL)
            api_error(call, 401, "Incorrect email or password.", NULL, NULL);
        else
            reject(call, "API key is invalid.");
        goto out;
    }
    if (result == STORE_CONFLICT) {
        char message[256];

        snprintf(message, sizeof(message),
                 "A token with name \"%s\" already exists.",
                 key.token_name ? key.token_name : "");
        json_t *validations = json_array();

        api_validation_add(validations, "name",
                           "This value is already in use and should be "
                           "unique.");
        api_error(call, 409, message, NULL, validations);
        goto out;
    }
    if (result != STORE_OK) {
        api_store_failure(call, result, "Failed to create API key.");
        goto out;
    }
    rc = 0;

out:
    OPENSSL_cleanse(secret, sizeof(secret));
    if (rc != 0)
        OPENSSL_cleanse(token, APIKEY_TOKEN_LEN + 1);
    return rc;
}

void api_set_session_cookie(struct api_call *call, const char *token)
{
    char cookie[256];

    snprintf(cookie, sizeof(cookie),
             SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax%s", token,
             call->api->settings.secure_auth_cookie ? "; Secure" : "");
    http_response_add_header(call->req, "Set-Cookie", cookie);
    OPENSSL_cleanse(cookie, sizeof(cookie));
}

void api_clear_session_cookie(struct api_call *call)
{
    http_response_add_header(call->req, "Set-Cookie",
                             SESSION_COOKIE "=; Path=/; Max-Age=0");
}
