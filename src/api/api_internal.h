#ifndef USHER_API_API_INTERNAL_H
#define USHER_API_API_INTERNAL_H

/*
 * Shared by the files of src/api: the API object, the per-request handler
 * context, and helpers to read request bodies and write Coder's response
 * shapes.
 */

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"
#include "core/rbac.h"
#include "http/ratelimit.h"
#include "http/request.h"
#include "store/store.h"
#include "util/smtp.h"
#include "util/workpool.h"

struct api {
    struct api_settings settings;
    struct store *store;
    struct ratelimit *limit_api;
    struct ratelimit *limit_login;
    char deployment_id[UUID_STR_LEN + 1];
    /* Copies of the settings' strings, owned by the API. */
    char *strings[24];
    size_t nstrings;
    /* The relay for outgoing mail, built from the settings. */
    struct smtp_config smtp;
    /* One thread that sends queued mail, so that no request waits for
     * the relay. */
    struct workpool *mail_pool;
    /* Set at shutdown: mail still queued then is dropped, not sent. */
    atomic_bool mail_stopping;
    bool curl_ready; /* curl_global_init succeeded */
};

/* Route flags, combined with HTTPD_ROUTE_BLOCKING from http/httpd.h. */
enum api_route_flag {
    API_AUTH = 1u << 0,        /* a valid API key is required */
    API_LOGIN_LIMIT = 1u << 1, /* the stricter login rate limit applies */
};

struct api_call;

struct api_route {
    const char *method;
    const char *pattern;
    void (*handler)(struct api_call *call);
    unsigned flags;
};

/* The context of one request as a handler sees it. */
struct api_call {
    struct api *api;
    struct http_request *req;
    int64_t now;
    /* Set for routes with API_AUTH once the key was accepted. */
    bool authenticated;
    struct store_auth auth;
    struct rbac_subject subject;
};

/* The route tables of each resource, terminated by a NULL method. */
extern const struct api_route api_routes_buildinfo[];
extern const struct api_route api_routes_auth[];
extern const struct api_route api_routes_users[];
extern const struct api_route api_routes_users_list[];
extern const struct api_route api_routes_users_create[];
extern const struct api_route api_routes_users_admin[];
extern const struct api_route api_routes_users_password[];
extern const struct api_route api_routes_users_roles[];
extern const struct api_route api_routes_organizations[];
extern const struct api_route api_routes_apikeys[];
extern const struct api_route api_routes_gitsshkey[];
extern const struct api_route api_routes_appearance[];
extern const struct api_route api_routes_autofill[];
extern const struct api_route api_routes_otp[];

/* ----- responses (respond.c) ---------------------------------------------- */

/* Return a JSON string of s, repairing bytes that are not UTF-8. */
json_t *api_string(const char *s);

/* Send body (reference stolen) as JSON with the given status. */
void api_json(struct api_call *call, unsigned status, json_t *body);

/* Send text as a text/plain body with the given status. */
void api_text(struct api_call *call, unsigned status, const char *text);

/* Send an empty response, such as 204. */
void api_empty(struct api_call *call, unsigned status);

/* Send Coder's error shape; detail and validations may be NULL. The
 * validations reference is stolen. */
void api_error(struct api_call *call, unsigned status, const char *message,
               const char *detail, json_t *validations);

/* Append one {"field","detail"} entry to a validations array. */
void api_validation_add(json_t *validations, const char *field,
                        const char *detail);

/* The canonical 404 and 403 bodies. */
void api_not_found(struct api_call *call);
void api_forbidden(struct api_call *call);

/*
 * Answer a failed store call: 503 while the database is unreachable,
 * otherwise 500 with message. The failure is logged with the request id.
 */
void api_store_failure(struct api_call *call, enum store_result result,
                       const char *message);

/* Log an internal failure and send 500 with message. */
void api_internal_error(struct api_call *call, const char *message,
                        const char *detail);

/* ----- request bodies (decode.c) ------------------------------------------ */

enum api_field_type {
    API_FIELD_STRING,       /* char *, heap copy, NULL when absent */
    API_FIELD_BOOL,         /* bool */
    API_FIELD_INT64,        /* int64_t */
    API_FIELD_STRING_ARRAY, /* struct strlist */
    API_FIELD_OBJECT,       /* any JSON object; only its type is checked */
};

struct api_field {
    const char *name;
    enum api_field_type type;
    size_t offset;
    /* Offset of a bool set when the key is present and not null, or
     * API_NO_PRESENCE. */
    size_t present_offset;
};

#define API_NO_PRESENCE ((size_t)-1)

/*
 * Decode the request body as one JSON object into target, matching keys to
 * fields ignoring case and skipping unknown keys, as Coder's decoder does.
 * type_name (such as "codersdk.LoginWithPasswordRequest") appears in
 * error details. On failure a 400 response is sent and -1 returned;
 * target then needs api_decode_release all the same.
 */
int api_decode(struct api_call *call, const char *type_name,
               const struct api_field *fields, size_t nfields, void *target);

/* Free what api_decode stored in target. */
void api_decode_release(const struct api_field *fields, size_t nfields,
                        void *target);

/*
 * Check value against Coder's validation tags, a comma-separated list of
 * "required", "email", "username" and "user_real_name", and append an
 * entry naming the first failing tag to validations.
 */
void api_validate(json_t *validations, const char *field, const char *value,
                  const char *tags);

/* Send 400 "Validation failed." when validations has entries; returns -1
 * then, 0 otherwise. The reference is stolen either way. */
int api_validation_result(struct api_call *call, json_t *validations);

/* ----- JSON of API types (render.c) --------------------------------------- */

json_t *api_render_user(const struct user *user);
/* As api_render_user, but organization_ids is null when empty, as
 * Coder's user listing has it. */
json_t *api_render_listed_user(const struct user *user);
json_t *api_render_organization(const struct organization *org);
json_t *api_render_apikey(const struct apikey *key);
json_t *api_render_time(int64_t ts);
json_t *api_render_slim_roles(const struct strlist *roles);

/* ----- authentication (authn.c, csrf.c) ---------------------------------- */

/*
 * Check the request's CSRF token and give the client a token cookie when
 * it has none. Returns true after sending a 400 for a state-changing
 * request authenticated only by the session cookie whose X-CSRF-TOKEN
 * does not match that cookie.
 */
bool api_csrf_rejected(struct api_call *call);

/*
 * Authenticate the request's API key. Returns 0 with call->auth and
 * call->subject set, or -1 after sending the 401 or 500 response.
 */
int api_authenticate(struct api_call *call);

/*
 * Mint an API key for user_id and return the full token in token. The key
 * records the client address of the request. It is stored only if the
 * user is not deleted and guard (NULL for none) still holds: the password
 * hash that the request verified, or the key that authenticated it.
 * Returns 0, or -1 after sending the response: 401 when the user or the
 * guarded credential changed meanwhile, 409 for a taken token name, 500.
 */
int api_issue_key(struct api_call *call, const struct apikey *draft,
                  const struct store_key_guard *guard,
                  char token[APIKEY_TOKEN_LEN + 1]);

/* Add the Set-Cookie header of a session token (or of its removal). */
void api_set_session_cookie(struct api_call *call, const char *token);
void api_clear_session_cookie(struct api_call *call);

/* ----- outgoing mail (mail.c) -------------------------------------------- */

/* Start the mail thread and libcurl. Returns 0 or -1. */
int api_mail_start(struct api *api);

/*
 * Let the message being sent finish, drop (and log) the ones still queued,
 * then stop the thread, so that an unreachable relay cannot hold up
 * shutdown. Safe to call twice.
 */
void api_mail_stop(struct api *api);

/*
 * Queue message (RFC 5322 text, taken over and wiped once handled) for the
 * recipient address to, and return at once. What happens to it is only
 * logged, with request_id: mail that cannot be sent, because no relay is
 * configured, the queue is full or the relay fails, is dropped.
 */
void api_mail_queue(struct api *api, const char *request_id, const char *to,
                    char *message);

/* ----- the {user} path parameter (userparam.c) ---------------------------- */

/*
 * Resolve {user}: "me", a UUID or a username, as the caller may see it.
 * Returns 0 with the user in out, or -1 after sending Coder's 400 (or a
 * 500 when the store fails).
 */
int api_resolve_user(struct api_call *call, struct user *out);

/*
 * Resolve {user} as api_resolve_user does, for routes that change the
 * user. A deleted user, still reachable by its id, gets the same 400 as a
 * user that does not exist.
 */
int api_resolve_live_user(struct api_call *call, struct user *out);

/*
 * Send 200 with the current record of user id, as the routes that change a
 * user reply. A user that vanished meanwhile gets the {user} 400; a store
 * failure gets api_store_failure with message.
 */
void api_reply_user(struct api_call *call, const char *id, const char *message);

#endif
