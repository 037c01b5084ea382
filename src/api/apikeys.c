/* SPDX-License-Identifier: MIT */
/*
 * API keys of a user: session-style keys for the CLI, named tokens with
 * their lifetimes and scopes, and looking keys up and revoking them. A key
 * the caller may not see is "not found", never "forbidden", so that key ids
 * and token names of other users do not leak.
 */
#include "api/api_internal.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/tokenname.h"
#include "http/httpd.h"
#include "util/duration.h"
#include "util/timestamp.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Maximum length of a token name, in bytes. Coder sets no limit; this one
 * keeps names usable in a path segment and a table column. */
#define TOKEN_NAME_MAX 128

/* Generated names tried before giving up on finding a free one. */
#define NAME_ATTEMPTS 8

static const char bad_lifetime[] = "Failed to validate create API key request.";

/* Owners get the admin maximum, which is the shorter one by default. */
static int64_t max_lifetime_for(const struct api_call *call,
                                const struct user *target)
{
    const struct api_settings *s = &call->api->settings;

    if (strlist_contains(&target->roles, RBAC_ROLE_NAME_OWNER))
        return s->max_admin_token_lifetime;
    return s->max_token_lifetime;
}

/* Mint a key from draft and send 201 {"key": token}. */
static void send_new_key(struct api_call *call, const struct apikey *draft)
{
    struct store_key_guard guard = {0};
    char token[APIKEY_TOKEN_LEN + 1];
    json_t *reply;

    /* A key that a concurrent password change or logout revokes cannot
     * mint one that outlives it. */
    guard.presented_key_id = call->auth.key.id;
    if (api_issue_key(call, draft, &guard, token) != 0)
        return;
    reply = json_object();
    json_object_set_new(reply, "key", json_string(token));
    api_json(call, 201, reply);
    OPENSSL_cleanse(token, sizeof(token));
}

/* Resolve {user} and check that the caller may mint keys for it. Returns
 * 0, or -1 after sending the response. */
static int resolve_for_create(struct api_call *call, struct user *target)
{
    if (api_resolve_live_user(call, target) != 0)
        return -1;
    if (!rbac_allowed(&call->subject, RBAC_APIKEY_CREATE, target->id)) {
        user_release(target);
        api_forbidden(call);
        return -1;
    }
    return 0;
}

/* ----- POST /users/{user}/keys ------------------------------------------- */

static void post_session_key(struct api_call *call)
{
    struct user target = {0};
    struct apikey draft = {0};
    int64_t lifetime = call->api->settings.default_token_lifetime;

    if (resolve_for_create(call, &target) != 0)
        return;
    memcpy(draft.user_id, target.id, sizeof(draft.user_id));
    draft.login_type = LOGIN_TYPE_PASSWORD;
    draft.scope = APIKEY_SCOPE_ALL;
    draft.lifetime_seconds = lifetime / DURATION_NS_PER_SECOND;
    draft.expires_at = call->now + lifetime / 1000;
    draft.token_name = "";
    send_new_key(call, &draft);
    user_release(&target);
}

/* ----- POST /users/{user}/keys/tokens ------------------------------------ */

struct token_request {
    int64_t lifetime; /* nanoseconds; 0 = the default */
    char *scope;
    char *token_name;
};

static const struct api_field token_fields[] = {
    {"lifetime", API_FIELD_INT64, offsetof(struct token_request, lifetime),
     API_NO_PRESENCE},
    {"scope", API_FIELD_STRING, offsetof(struct token_request, scope),
     API_NO_PRESENCE},
    {"token_name", API_FIELD_STRING, offsetof(struct token_request, token_name),
     API_NO_PRESENCE},
};

/* Check the lifetime against the target's maximum. Returns 0, or -1 after
 * sending the 400. */
static int check_lifetime(struct api_call *call, int64_t lifetime, int64_t max)
{
    char limit[DURATION_STR_MAX];
    char detail[128];

    if (lifetime < 0) {
        api_error(call, 400, bad_lifetime,
                  "lifetime must be positive number greater than 0", NULL);
        return -1;
    }
    if (lifetime > max) {
        duration_format(max, limit, sizeof(limit));
        snprintf(detail, sizeof(detail), "lifetime must be less than %s",
                 limit);
        api_error(call, 400, bad_lifetime, detail, NULL);
        return -1;
    }
    return 0;
}

static int check_scope(struct api_call *call, const char *name,
                       enum apikey_scope *scope)
{
    char detail[256];
    json_t *validations;

    if (name == NULL || name[0] == '\0') {
        *scope = APIKEY_SCOPE_ALL;
        return 0;
    }
    if (apikey_scope_parse(name, scope) == 0)
        return 0;
    snprintf(detail, sizeof(detail),
             "invalid or unsupported API key scope: \"%.64s\"", name);
    validations = json_array();
    api_validation_add(validations, "scope",
                       "must be \"all\" or \"application_connect\"");
    api_error(call, 400, "Failed to create API key.", detail, validations);
    return -1;
}

static int check_token_name(struct api_call *call, const char *name)
{
    json_t *validations;

    if (name == NULL || strlen(name) <= TOKEN_NAME_MAX)
        return 0;
    validations = json_array();
    api_validation_add(validations, "token_name",
                       "must be at most 128 bytes long");
    api_error(call, 400, "Validation failed.", NULL, validations);
    return -1;
}

/* Pick a generated name the user has no token of yet. Returns 0, or -1
 * after sending a 500. */
static int generate_name(struct api_call *call, const char *user_id,
                         char out[TOKENNAME_MAX])
{
    struct apikey existing = {0};
    enum store_result result;

    for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
        if (tokenname_generate(out) != 0) {
            api_internal_error(call, "Failed to create API key.",
                               "cannot generate a token name");
            return -1;
        }
        result = store_apikey_get_token_by_name(call->api->store, user_id, out,
                                                &existing);
        if (result == STORE_NOT_FOUND)
            return 0;
        if (result != STORE_OK) {
            api_store_failure(call, result, "Failed to create API key.");
            return -1;
        }
        apikey_release(&existing);
    }
    /* Every attempt was taken: the insert then reports the conflict. */
    return 0;
}

static void create_token(struct api_call *call, const struct user *target,
                         const struct token_request *body)
{
    struct apikey draft = {0};
    char generated[TOKENNAME_MAX];
    int64_t lifetime = body->lifetime;

    if (check_token_name(call, body->token_name) != 0 ||
        check_scope(call, body->scope, &draft.scope) != 0 ||
        check_lifetime(call, lifetime, max_lifetime_for(call, target)) != 0)
        return;
    if (lifetime == 0)
        lifetime = call->api->settings.default_token_lifetime;
    if (body->token_name != NULL && body->token_name[0] != '\0') {
        draft.token_name = body->token_name;
    } else {
        if (generate_name(call, target->id, generated) != 0)
            return;
        draft.token_name = generated;
    }
    memcpy(draft.user_id, target->id, sizeof(draft.user_id));
    draft.login_type = LOGIN_TYPE_TOKEN;
    draft.lifetime_seconds = lifetime / DURATION_NS_PER_SECOND;
    draft.expires_at = call->now + lifetime / 1000;
    send_new_key(call, &draft);
}

static void post_token(struct api_call *call)
{
    struct user target = {0};
    struct token_request body = {0};

    if (resolve_for_create(call, &target) != 0)
        return;
    if (api_decode(call, "codersdk.CreateTokenRequest", token_fields,
                   COUNT(token_fields), &body) == 0)
        create_token(call, &target, &body);
    api_decode_release(token_fields, COUNT(token_fields), &body);
    user_release(&target);
}

/* ----- GET /users/{user}/keys/tokens ------------------------------------- */

/* Parse a boolean as Go's strconv.ParseBool does; anything else is false,
 * as Coder treats an unparseable include_all. */
static bool parse_go_bool(const char *text)
{
    static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};

    for (size_t i = 0; text != NULL && i < COUNT(yes); i++) {
        if (strcmp(text, yes[i]) == 0)
            return true;
    }
    return false;
}

static json_t *render_token_rows(struct api_call *call,
                                 const struct store_apikey_row *rows,
                                 size_t count)
{
    json_t *array = json_array();

    for (size_t i = 0; i < count; i++) {
        json_t *item;

        if (!rbac_allowed(&call->subject, RBAC_APIKEY_READ,
                          rows[i].key.user_id))
            continue;
        item = api_render_apikey(&rows[i].key);
        json_object_set_new(item, "username", api_string(rows[i].username));
        json_array_append_new(array, item);
    }
    /* Coder sends null rather than [] when there is nothing to show. */
    if (json_array_size(array) == 0) {
        json_decref(array);
        return json_null();
    }
    return array;
}

static void list_tokens(struct api_call *call)
{
    struct user target = {0};
    struct store_apikey_row *rows = NULL;
    size_t count = 0;
    bool all;
    enum store_result result;

    if (api_resolve_user(call, &target) != 0)
        return;
    all = parse_go_bool(http_request_query(call->req, "include_all"));
    result = store_apikey_list_tokens(call->api->store, all ? NULL : target.id,
                                      &rows, &count);
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error fetching API keys.");
    } else {
        api_json(call, 200, render_token_rows(call, rows, count));
        store_free_apikey_rows(rows, count);
    }
    user_release(&target);
}

/* ----- GET /users/{user}/keys/tokens/tokenconfig ------------------------- */

static void get_token_config(struct api_call *call)
{
    struct user target = {0};
    json_t *reply;

    if (api_resolve_user(call, &target) != 0)
        return;
    reply = json_object();
    json_object_set_new(reply, "max_token_lifetime",
                        json_integer(max_lifetime_for(call, &target)));
    api_json(call, 200, reply);
    user_release(&target);
}

/* ----- GET /users/{user}/keys/tokens/{keyname} --------------------------- */

/* Send a looked-up key, or 404 when it is missing or not the caller's to
 * see. Releases key. */
static void send_key(struct api_call *call, enum store_result result,
                     struct apikey *key)
{
    if (result == STORE_NOT_FOUND) {
        api_not_found(call);
        return;
    }
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error fetching API key.");
        return;
    }
    if (rbac_allowed(&call->subject, RBAC_APIKEY_READ, key->user_id))
        api_json(call, 200, api_render_apikey(key));
    else
        api_not_found(call);
    apikey_release(key);
}

static void get_token_by_name(struct api_call *call)
{
    struct user target = {0};
    struct apikey key = {0};
    enum store_result result;

    if (api_resolve_user(call, &target) != 0)
        return;
    result = store_apikey_get_token_by_name(
        call->api->store, target.id, http_request_param(call->req, "keyname"),
        &key);
    send_key(call, result, &key);
    user_release(&target);
}

/* ----- GET and DELETE /users/{user}/keys/{keyid} ------------------------- */

/*
 * Coder resolves {user} but looks the key up by id alone, so any visible
 * user in the path reaches any key the caller may see.
 */
static void get_key(struct api_call *call)
{
    struct user target = {0};
    struct apikey key = {0};
    enum store_result result;

    if (api_resolve_user(call, &target) != 0)
        return;
    result = store_apikey_get(call->api->store,
                              http_request_param(call->req, "keyid"), &key);
    send_key(call, result, &key);
    user_release(&target);
}

static void delete_key(struct api_call *call)
{
    struct user target = {0};
    struct apikey key = {0};
    enum store_result result;

    if (api_resolve_user(call, &target) != 0)
        return;
    result = store_apikey_get(call->api->store,
                              http_request_param(call->req, "keyid"), &key);
    if (result == STORE_OK &&
        !rbac_allowed(&call->subject, RBAC_APIKEY_DELETE, key.user_id))
        result = STORE_NOT_FOUND;
    if (result == STORE_OK)
        result = store_apikey_delete(call->api->store, key.id);
    if (result == STORE_OK)
        api_empty(call, 204);
    else if (result == STORE_NOT_FOUND)
        api_not_found(call);
    else
        api_store_failure(call, result, "Internal error deleting API key.");
    apikey_release(&key);
    user_release(&target);
}

const struct api_route api_routes_apikeys[] = {
    /* Minting runs on the work pool like every route that issues keys:
     * it draws from the CSPRNG and may try several generated names. */
    {"POST", "/users/{user}/keys", post_session_key,
     API_AUTH | HTTPD_ROUTE_BLOCKING},
    {"GET", "/users/{user}/keys/tokens", list_tokens, API_AUTH},
    {"POST", "/users/{user}/keys/tokens", post_token,
     API_AUTH | HTTPD_ROUTE_BLOCKING},
    {"GET", "/users/{user}/keys/tokens/tokenconfig", get_token_config,
     API_AUTH},
    {"GET", "/users/{user}/keys/tokens/{keyname}", get_token_by_name, API_AUTH},
    {"GET", "/users/{user}/keys/{keyid}", get_key, API_AUTH},
    {"DELETE", "/users/{user}/keys/{keyid}", delete_key, API_AUTH},
    {NULL, NULL, NULL, 0},
};
