/* SPDX-License-Identifier: MIT */
/*
 * PUT /users/{user}/password: users change their own password, giving the
 * old one; owners and user admins reset anyone's without it. Every API key
 * of the user is deleted with the change, the caller's own included.
 */
#include "api/api_internal.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <string.h>

#include "core/password.h"
#include "http/httpd.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct password_request {
    char *old_password;
    char *password;
};

static const struct api_field password_fields[] = {
    {"old_password", API_FIELD_STRING,
     offsetof(struct password_request, old_password), API_NO_PRESENCE},
    {"password", API_FIELD_STRING, offsetof(struct password_request, password),
     API_NO_PRESENCE},
};

static void wipe(char *secret)
{
    if (secret != NULL)
        OPENSSL_cleanse(secret, strlen(secret));
}

static bool nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Check the request against the user's current password, in Coder's order.
 * Returns -1 after sending the 400. */
static int check_passwords(struct api_call *call, const struct user *user,
                           const struct password_request *body)
{
    bool self = strcmp(user->id, call->auth.user.id) == 0;
    char reason[256];
    json_t *validations;

    if (user->login_type != LOGIN_TYPE_PASSWORD) {
        api_error(call, 400,
                  "Users without password login type cannot change their "
                  "password.",
                  NULL, NULL);
        return -1;
    }
    if (self && !nonempty(body->old_password)) {
        api_error(call, 400, "Old password is required.", NULL, NULL);
        return -1;
    }
    if (password_check_strength(body->password, reason, sizeof(reason)) != 0) {
        validations = json_array();
        api_validation_add(validations, "password", reason);
        api_error(call, 400, "Invalid password.", NULL, validations);
        return -1;
    }
    /* Administrators may give the old password too; it must then match. */
    if (nonempty(body->old_password) &&
        password_verify(user->hashed_password, body->old_password) !=
            PASSWORD_MATCH) {
        validations = json_array();
        api_validation_add(validations, "old_password",
                           "Old password is incorrect.");
        api_error(call, 400, "Old password is incorrect.", NULL, validations);
        return -1;
    }
    if (password_verify(user->hashed_password, body->password) ==
        PASSWORD_MATCH) {
        api_error(call, 400, "New password cannot match old password.", NULL,
                  NULL);
        return -1;
    }
    return 0;
}

static void store_password(struct api_call *call, const struct user *user,
                           const char *password)
{
    char hashed[PASSWORD_HASH_MAX];
    enum store_result result;

    if (password_hash(password, hashed) != 0) {
        api_internal_error(call, "Internal error hashing new password.", NULL);
        return;
    }
    /* One transaction: the new hash, no pending reset code, no keys. */
    result = store_user_update_password(call->api->store, user->id, hashed,
                                        NULL, call->now);
    OPENSSL_cleanse(hashed, sizeof(hashed));
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error updating user's password.");
        return;
    }
    api_empty(call, 204);
}

static void put_password(struct api_call *call)
{
    struct password_request body = {0};
    struct user user = {0};
    json_t *validations;

    if (api_resolve_live_user(call, &user) != 0)
        return;
    /* Checked before the body is read: others may resolve the user (an
     * auditor, say) but learn nothing more. */
    if (!rbac_allowed(&call->subject, RBAC_USER_UPDATE_PERSONAL, user.id)) {
        api_not_found(call);
        goto out;
    }
    if (api_decode(call, "codersdk.UpdateUserPasswordRequest", password_fields,
                   COUNT(password_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "password", body.password, "required");
    if (api_validation_result(call, validations) != 0)
        goto out;
    if (check_passwords(call, &user, &body) != 0)
        goto out;
    store_password(call, &user, body.password);

out:
    wipe(body.old_password);
    wipe(body.password);
    api_decode_release(password_fields, COUNT(password_fields), &body);
    user_release(&user);
}

const struct api_route api_routes_users_password[] = {
    {"PUT", "/users/{user}/password", put_password,
     API_AUTH | API_LOGIN_LIMIT | HTTPD_ROUTE_BLOCKING},
    {NULL, NULL, NULL, 0},
};
