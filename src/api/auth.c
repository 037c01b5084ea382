/* SPDX-License-Identifier: MIT */
/*
 * Signing in: the first owner, password login and logout, the available
 * login methods and the password strength check.
 */
#include "api/accounts.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/password.h"
#include "http/httpd.h"
#include "util/duration.h"
#include "util/mem.h"
#include "util/timestamp.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void wipe(char *secret)
{
    if (secret != NULL)
        OPENSSL_cleanse(secret, strlen(secret));
}

/* ----- GET /users/first -------------------------------------------------- */

static void get_first_user(struct api_call *call)
{
    int64_t count = 0;
    enum store_result result = store_user_count(call->api->store, &count);

    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error fetching user count.");
        return;
    }
    if (count == 0) {
        api_error(call, 404, "The initial user has not been created!", NULL,
                  NULL);
        return;
    }
    api_error(call, 200, "The initial user has already been created!", NULL,
              NULL);
}

/* ----- POST /users/first ------------------------------------------------- */

struct first_user_request {
    char *email;
    char *username;
    char *name;
    char *password;
    bool trial;
};

static const struct api_field first_user_fields[] = {
    {"email", API_FIELD_STRING, offsetof(struct first_user_request, email),
     API_NO_PRESENCE},
    {"username", API_FIELD_STRING,
     offsetof(struct first_user_request, username), API_NO_PRESENCE},
    {"name", API_FIELD_STRING, offsetof(struct first_user_request, name),
     API_NO_PRESENCE},
    {"password", API_FIELD_STRING,
     offsetof(struct first_user_request, password), API_NO_PRESENCE},
    {"trial", API_FIELD_BOOL, offsetof(struct first_user_request, trial),
     API_NO_PRESENCE},
    /* Only its type is checked: a server without licences ignores it. */
    {"trial_info", API_FIELD_OBJECT, 0, API_NO_PRESENCE},
};

/* Send the 400 for a weak password; returns -1 then, 0 when strong. */
static int check_strength(struct api_call *call, const char *password,
                          const char *message)
{
    char reason[256];
    json_t *validations;

    if (password_check_strength(password, reason, sizeof(reason)) == 0)
        return 0;
    validations = json_array();
    api_validation_add(validations, "password", reason);
    api_error(call, 400, message, NULL, validations);
    return -1;
}

static void create_first_user(struct api_call *call,
                              const struct first_user_request *body)
{
    struct user user = {0};
    struct organization org = {0};
    enum store_result result;
    enum accounts_result created;
    json_t *reply;

    result = store_org_get_default(call->api->store, &org);
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error fetching default organization.");
        return;
    }
    user.username = xstrdup(body->username);
    user.email = xstrdup(body->email);
    user.name = xstrdup(body->name ? body->name : "");
    user.avatar_url = xstrdup("");
    user.status = USER_STATUS_ACTIVE;
    user.login_type = LOGIN_TYPE_PASSWORD;
    strlist_push(&user.roles, RBAC_ROLE_NAME_OWNER);
    strlist_push(&user.organization_ids, org.id);

    created = accounts_create(call, &user, body->password, true);
    if (created == ACCOUNTS_CONFLICT) {
        api_error(call, 409, "The initial user has already been created.", NULL,
                  NULL);
    } else if (created == ACCOUNTS_NO_SUCH_ORG) {
        api_internal_error(call, "Internal error creating user.",
                           "the default organization is missing");
    } else if (created == ACCOUNTS_OK) {
        reply = json_object();
        json_object_set_new(reply, "user_id", json_string(user.id));
        json_object_set_new(reply, "organization_id", json_string(org.id));
        api_json(call, 201, reply);
    }
    user_release(&user);
    organization_release(&org);
}

static void post_first_user(struct api_call *call)
{
    struct first_user_request body = {0};
    json_t *validations;
    int64_t count = 0;
    enum store_result result;

    if (api_decode(call, "codersdk.CreateFirstUserRequest", first_user_fields,
                   COUNT(first_user_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "email", body.email, "required,email");
    api_validate(validations, "username", body.username, "required,username");
    api_validate(validations, "name", body.name, "user_real_name");
    api_validate(validations, "password", body.password, "required");
    if (api_validation_result(call, validations) != 0)
        goto out;

    result = store_user_count(call->api->store, &count);
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error fetching user count.");
        goto out;
    }
    if (count > 0) {
        api_error(call, 409, "The initial user has already been created.", NULL,
                  NULL);
        goto out;
    }
    if (check_strength(call, body.password, "Password not strong enough!") != 0)
        goto out;
    create_first_user(call, &body);

out:
    wipe(body.password);
    api_decode_release(first_user_fields, COUNT(first_user_fields), &body);
}

/* ----- POST /users/login ------------------------------------------------- */

struct login_request {
    char *email;
    char *password;
};

static const struct api_field login_fields[] = {
    {"email", API_FIELD_STRING, offsetof(struct login_request, email),
     API_NO_PRESENCE},
    {"password", API_FIELD_STRING, offsetof(struct login_request, password),
     API_NO_PRESENCE},
};

/* Check the e-mail and password pair. Returns 0 with the user in out, or
 * -1 after sending the response. Unknown users cost a hash as well. */
static int check_credentials(struct api_call *call,
                             const struct login_request *body, struct user *out)
{
    enum store_result result;
    enum password_match match;

    result = store_user_get_by_email(call->api->store, body->email, out);
    if (result != STORE_OK && result != STORE_NOT_FOUND) {
        api_store_failure(call, result, "Internal error.");
        return -1;
    }
    match = password_verify(result == STORE_OK ? out->hashed_password : "",
                            body->password);
    if (result != STORE_OK || match != PASSWORD_MATCH) {
        if (result == STORE_OK)
            user_release(out);
        api_error(call, 401, "Incorrect email or password.", NULL, NULL);
        return -1;
    }
    return 0;
}

/* Refuse logins the deployment or the account does not allow. */
static int check_login_allowed(struct api_call *call, struct user *user)
{
    char message[256];
    enum store_result result;

    if (call->api->settings.disable_password_auth) {
        api_error(call, 403, "Password authentication is disabled.", NULL,
                  NULL);
        return -1;
    }
    if (user->login_type != LOGIN_TYPE_PASSWORD) {
        snprintf(message, sizeof(message),
                 "Incorrect login type, attempting to use \"password\" but "
                 "user is of login type \"%s\"",
                 login_type_name(user->login_type));
        api_error(call, 403, message, NULL, NULL);
        return -1;
    }
    if (user->status == USER_STATUS_DORMANT) {
        result = store_user_activate_if_dormant(call->api->store, user->id,
                                                call->now);
        if (result != STORE_OK) {
            api_store_failure(call, result, "Internal error.");
            return -1;
        }
        user->status = USER_STATUS_ACTIVE;
    }
    if (user->status != USER_STATUS_ACTIVE) {
        snprintf(message, sizeof(message),
                 "Your account is %s. Contact an admin to reactivate your "
                 "account.",
                 user_status_name(user->status));
        api_error(call, 401, message, NULL, NULL);
        return -1;
    }
    return 0;
}

static void post_login(struct api_call *call)
{
    struct login_request body = {0};
    struct user user = {0};
    struct apikey draft = {0};
    struct store_key_guard guard = {0};
    char token[APIKEY_TOKEN_LEN + 1];
    json_t *validations;
    json_t *reply;

    if (api_decode(call, "codersdk.LoginWithPasswordRequest", login_fields,
                   COUNT(login_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "email", body.email, "required,email");
    api_validate(validations, "password", body.password, "required");
    if (api_validation_result(call, validations) != 0)
        goto out;
    if (check_credentials(call, &body, &user) != 0)
        goto out;
    http_request_set_user(call->req, user.id);
    if (check_login_allowed(call, &user) != 0)
        goto out;

    memcpy(draft.user_id, user.id, sizeof(draft.user_id));
    draft.login_type = LOGIN_TYPE_PASSWORD;
    draft.scope = APIKEY_SCOPE_ALL;
    draft.lifetime_seconds =
        call->api->settings.session_duration / DURATION_NS_PER_SECOND;
    draft.expires_at =
        call->now + draft.lifetime_seconds * TIMESTAMP_US_PER_SECOND;
    draft.token_name = "";
    guard.password_hash = user.hashed_password;
    if (api_issue_key(call, &draft, &guard, token) != 0)
        goto out;

    reply = json_object();
    json_object_set_new(reply, "session_token", json_string(token));
    api_set_session_cookie(call, token);
    api_json(call, 201, reply);
    OPENSSL_cleanse(token, sizeof(token));

out:
    user_release(&user);
    wipe(body.password);
    api_decode_release(login_fields, COUNT(login_fields), &body);
}

/* ----- POST /users/logout ------------------------------------------------ */

static void post_logout(struct api_call *call)
{
    enum store_result result;
    json_t *reply;

    api_clear_session_cookie(call);
    result = store_apikey_delete(call->api->store, call->auth.key.id);
    if (result != STORE_OK && result != STORE_NOT_FOUND) {
        api_store_failure(call, result, "Internal error deleting API key.");
        return;
    }
    result =
        store_apikey_delete_app_connect(call->api->store, call->auth.user.id);
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error deleting app tokens.");
        return;
    }
    reply = json_object();
    json_object_set_new(reply, "message", json_string("Logged out!"));
    api_json(call, 200, reply);
}

/* ----- GET /users/authmethods -------------------------------------------- */

static json_t *enabled(bool on)
{
    json_t *method = json_object();

    json_object_set_new(method, "enabled", json_boolean(on));
    return method;
}

static void get_authmethods(struct api_call *call)
{
    json_t *body = json_object();
    json_t *github = enabled(false);
    json_t *oidc = enabled(false);

    json_object_set_new(github, "default_provider_configured", json_false());
    json_object_set_new(oidc, "signInText", json_string(""));
    json_object_set_new(oidc, "iconUrl", json_string(""));
    json_object_set_new(body, "password",
                        enabled(!call->api->settings.disable_password_auth));
    json_object_set_new(body, "github", github);
    json_object_set_new(body, "oidc", oidc);
    api_json(call, 200, body);
}

/* ----- POST /users/validate-password ------------------------------------- */

struct validate_password_request {
    char *password;
};

static const struct api_field validate_password_fields[] = {
    {"password", API_FIELD_STRING,
     offsetof(struct validate_password_request, password), API_NO_PRESENCE},
};

static void post_validate_password(struct api_call *call)
{
    struct validate_password_request body = {0};
    char reason[256] = "";
    json_t *validations;
    json_t *reply;
    bool valid;

    if (api_decode(call, "codersdk.ValidateUserPasswordRequest",
                   validate_password_fields, COUNT(validate_password_fields),
                   &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "password", body.password, "required");
    if (api_validation_result(call, validations) != 0)
        goto out;

    valid = password_check_strength(body.password, reason, sizeof(reason)) == 0;
    reply = json_object();
    json_object_set_new(reply, "valid", json_boolean(valid));
    json_object_set_new(reply, "details", json_string(valid ? "" : reason));
    api_json(call, 200, reply);

out:
    wipe(body.password);
    api_decode_release(validate_password_fields,
                       COUNT(validate_password_fields), &body);
}

const struct api_route api_routes_auth[] = {
    {"GET", "/users/first", get_first_user, 0},
    {"POST", "/users/first", post_first_user, HTTPD_ROUTE_BLOCKING},
    {"POST", "/users/login", post_login,
     API_LOGIN_LIMIT | HTTPD_ROUTE_BLOCKING},
    {"POST", "/users/logout", post_logout, API_AUTH},
    {"GET", "/users/authmethods", get_authmethods, 0},
    /* Not on the work pool: the strength check is linear in the length
     * (measured at some tens of milliseconds for the largest body), and
     * there it would queue ahead of the password hashes of logins. */
    {"POST", "/users/validate-password", post_validate_password,
     API_LOGIN_LIMIT},
    {NULL, NULL, NULL, 0},
};
