/* SPDX-License-Identifier: MIT */
/*
 * POST /users: an owner or user admin creates an account. Unlike the first
 * user, new accounts start dormant unless the request names a status, and
 * they get no site roles.
 */
#include "api/accounts.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "http/httpd.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/quote.h"
#include "util/uuid.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct create_user_request {
    char *email;
    char *username;
    char *name;
    char *password;
    char *login_type;
    char *user_status;
    bool has_user_status;
    struct strlist organization_ids;
    /* Older clients send one organization here; it joins the list. */
    char *organization_id;
};

static const struct api_field create_user_fields[] = {
    {"email", API_FIELD_STRING, offsetof(struct create_user_request, email),
     API_NO_PRESENCE},
    {"username", API_FIELD_STRING,
     offsetof(struct create_user_request, username), API_NO_PRESENCE},
    {"name", API_FIELD_STRING, offsetof(struct create_user_request, name),
     API_NO_PRESENCE},
    {"password", API_FIELD_STRING,
     offsetof(struct create_user_request, password), API_NO_PRESENCE},
    {"login_type", API_FIELD_STRING,
     offsetof(struct create_user_request, login_type), API_NO_PRESENCE},
    {"user_status", API_FIELD_STRING,
     offsetof(struct create_user_request, user_status),
     offsetof(struct create_user_request, has_user_status)},
    {"organization_ids", API_FIELD_STRING_ARRAY,
     offsetof(struct create_user_request, organization_ids), API_NO_PRESENCE},
    {"organization_id", API_FIELD_STRING,
     offsetof(struct create_user_request, organization_id), API_NO_PRESENCE},
};

static void wipe(char *secret)
{
    if (secret != NULL)
        OPENSSL_cleanse(secret, strlen(secret));
}

/*
 * Parse one organization id into out, or send the 400 Coder's JSON decoder
 * gives for a bad UUID (google/uuid's error text) and return -1.
 */
static int parse_org_id(struct api_call *call, const char *text,
                        struct strlist *out)
{
    char id[UUID_STR_LEN + 1];
    size_t len = strlen(text);
    char detail[64];

    if (uuid_parse(text, id) == 0) {
        strlist_push(out, id);
        return 0;
    }
    if (len == 32 || len == 36 || len == 38 || len == 45)
        snprintf(detail, sizeof(detail), "invalid UUID format");
    else
        snprintf(detail, sizeof(detail), "invalid UUID length: %zu", len);
    api_error(call, 400, "Request body must be valid JSON.", detail, NULL);
    return -1;
}

static int parse_org_ids(struct api_call *call,
                         const struct create_user_request *body,
                         struct strlist *out)
{
    for (size_t i = 0; i < body->organization_ids.len; i++) {
        if (parse_org_id(call, body->organization_ids.items[i], out) != 0)
            return -1;
    }
    if (body->organization_id != NULL &&
        parse_org_id(call, body->organization_id, out) != 0)
        return -1;
    return 0;
}

/* Run the declarative checks; returns -1 after sending the 400. */
static int validate_body(struct api_call *call,
                         const struct create_user_request *body)
{
    json_t *validations = json_array();
    enum user_status status;

    api_validate(validations, "email", body->email, "required,email");
    api_validate(validations, "username", body->username, "required,username");
    api_validate(validations, "name", body->name, "user_real_name");
    if (body->has_user_status &&
        user_status_parse(body->user_status, &status) != 0) {
        struct buf detail;

        buf_init(&detail, (size_t)-1 / 2);
        buf_printf(&detail,
                   "Validation failed for tag \"oneof\" with value: \"%s\"",
                   body->user_status);
        api_validation_add(validations, "user_status", detail.data);
        buf_release(&detail);
    }
    return api_validation_result(call, validations);
}

static void missing_organizations(struct api_call *call)
{
    json_t *validations = json_array();

    api_validation_add(validations, "organization_ids",
                       "Missing values, this cannot be empty");
    api_error(call, 400,
              "No organization specified to place the user as a member of. "
              "It is required to specify at least one organization id to "
              "place the user in.",
              "required at least 1 value for the array 'organization_ids'",
              validations);
}

/* Send 409 when a user that is not deleted has the username or e-mail. */
static int check_not_taken(struct api_call *call,
                           const struct create_user_request *body)
{
    struct user existing = {0};
    enum store_result result;

    result =
        store_user_get_by_username(call->api->store, body->username, &existing);
    if (result == STORE_NOT_FOUND)
        result =
            store_user_get_by_email(call->api->store, body->email, &existing);
    user_release(&existing);
    if (result == STORE_NOT_FOUND)
        return 0;
    if (result == STORE_OK)
        api_error(call, 409, "User already exists.", NULL, NULL);
    else
        api_store_failure(call, result, "Internal error fetching user.");
    return -1;
}

static void org_not_found(struct api_call *call, const char *id)
{
    struct buf message;

    buf_init(&message, (size_t)-1 / 2);
    buf_printf(&message,
               "Organization does not exist with the provided id \"%s\".", id);
    api_error(call, 404, message.data, NULL, NULL);
    buf_release(&message);
}

/*
 * Replace the nil UUID with the default organization's id, check that every
 * other organization exists, and drop repeats. Returns -1 after sending the
 * response.
 */
static int resolve_orgs(struct api_call *call, const struct strlist *ids,
                        struct strlist *out)
{
    for (size_t i = 0; i < ids->len; i++) {
        struct organization org = {0};
        enum store_result result;

        if (strcmp(ids->items[i], UUID_NIL) == 0)
            result = store_org_get_default(call->api->store, &org);
        else
            result = store_org_get_by_id(call->api->store, ids->items[i], &org);
        if (result == STORE_NOT_FOUND) {
            org_not_found(call, ids->items[i]);
            return -1;
        }
        if (result != STORE_OK) {
            api_store_failure(call, result,
                              "Internal error fetching organization.");
            return -1;
        }
        if (!strlist_contains(out, org.id))
            strlist_push(out, org.id);
        organization_release(&org);
    }
    return 0;
}

static void unsupported_login_type(struct api_call *call, const char *name)
{
    char *quoted = quote_go_str(name);
    struct buf message;

    buf_init(&message, (size_t)-1 / 2);
    buf_printf(&message,
               "Unsupported login type %s for manually creating new users.",
               quoted);
    api_error(call, 400, message.data, NULL, NULL);
    buf_release(&message);
    free(quoted);
}

/* Apply the rules of the login type. Returns -1 after sending the 400. */
static int check_login_type(struct api_call *call, const char *name,
                            const char *password, enum login_type *type)
{
    char reason[256];
    json_t *validations;

    if (login_type_parse(name, type) != 0) {
        unsupported_login_type(call, name);
        return -1;
    }
    switch (*type) {
    case LOGIN_TYPE_PASSWORD:
        if (password_check_strength(password, reason, sizeof(reason)) == 0)
            return 0;
        validations = json_array();
        api_validation_add(validations, "password", reason);
        api_error(call, 400, "Password not strong enough!", NULL, validations);
        return -1;
    case LOGIN_TYPE_NONE:
    case LOGIN_TYPE_GITHUB:
        return 0;
    case LOGIN_TYPE_OIDC:
        /* NOTE: this build has no OIDC login, so OIDC is never configured. */
        api_error(call, 400,
                  "You must configure OIDC before creating OIDC users.", NULL,
                  NULL);
        return -1;
    case LOGIN_TYPE_TOKEN:
        break;
    }
    unsupported_login_type(call, name);
    return -1;
}

/* The checks Coder makes before it looks anything up. */
static int check_request(struct api_call *call,
                         const struct create_user_request *body,
                         const char *login_type, const struct strlist *orgs)
{
    bool is_password = strcmp(login_type, "password") == 0;

    if (!is_password && body->password != NULL && body->password[0] != '\0') {
        char *quoted = quote_go_str(login_type);
        struct buf message;

        buf_init(&message, (size_t)-1 / 2);
        buf_printf(&message,
                   "Password cannot be set for non-password (%s) "
                   "authentication.",
                   quoted);
        api_error(call, 400, message.data, NULL, NULL);
        buf_release(&message);
        free(quoted);
        return -1;
    }
    if (is_password && call->api->settings.disable_password_auth) {
        api_error(call, 403,
                  "Password based authentication is disabled! Unable to "
                  "provision new users with password authentication.",
                  NULL, NULL);
        return -1;
    }
    if (orgs->len == 0) {
        missing_organizations(call);
        return -1;
    }
    return 0;
}

static void create_account(struct api_call *call,
                           const struct create_user_request *body,
                           enum login_type type, struct strlist *orgs)
{
    struct user user = {0};
    enum accounts_result created;

    user.username = xstrdup(body->username);
    user.email = xstrdup(body->email);
    user.name = xstrdup(body->name ? body->name : "");
    user.avatar_url = xstrdup("");
    user.status = USER_STATUS_DORMANT;
    if (body->has_user_status)
        user_status_parse(body->user_status, &user.status);
    user.login_type = type;
    strlist_copy(&user.organization_ids, orgs);

    created = accounts_create(call, &user, body->password, false);
    if (created == ACCOUNTS_OK)
        api_json(call, 201, api_render_user(&user));
    else if (created == ACCOUNTS_CONFLICT)
        api_error(call, 409, "User already exists.", NULL, NULL);
    else if (created == ACCOUNTS_NO_SUCH_ORG)
        org_not_found(call, orgs->items[0]);
    user_release(&user);
}

static void post_user(struct api_call *call)
{
    struct create_user_request body = {0};
    struct strlist requested = {0};
    struct strlist orgs = {0};
    const char *login_type;
    enum login_type type;

    if (api_decode(call, "codersdk.CreateUserRequestWithOrgs",
                   create_user_fields, COUNT(create_user_fields), &body) != 0)
        goto out;
    if (parse_org_ids(call, &body, &requested) != 0)
        goto out;
    if (validate_body(call, &body) != 0)
        goto out;
    login_type = body.login_type != NULL && body.login_type[0] != '\0'
                     ? body.login_type
                     : "password";
    if (check_request(call, &body, login_type, &requested) != 0)
        goto out;

    /* Checked before any lookup, so that callers who may not create users
     * learn nothing about which names are taken. */
    if (!rbac_allowed(&call->subject, RBAC_USER_CREATE, NULL)) {
        api_error(call, 403, "You are not authorized to create users.", NULL,
                  NULL);
        goto out;
    }
    if (check_not_taken(call, &body) != 0)
        goto out;
    if (resolve_orgs(call, &requested, &orgs) != 0)
        goto out;
    if (check_login_type(call, login_type, body.password ? body.password : "",
                         &type) != 0)
        goto out;
    create_account(call, &body, type, &orgs);

out:
    strlist_release(&orgs);
    strlist_release(&requested);
    wipe(body.password);
    api_decode_release(create_user_fields, COUNT(create_user_fields), &body);
}

const struct api_route api_routes_users_create[] = {
    {"POST", "/users", post_user, API_AUTH | HTTPD_ROUTE_BLOCKING},
    {NULL, NULL, NULL, 0},
};
