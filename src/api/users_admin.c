/* SPDX-License-Identifier: MIT */
/*
 * Managing accounts: deleting them, suspending and activating them, and
 * changing username and display name.
 */
#include "api/api_internal.h"

#include <stddef.h>
#include <string.h>

#include "core/rbac.h"
#include "util/buf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_caller(const struct api_call *call, const struct user *user)
{
    return strcmp(user->id, call->auth.user.id) == 0;
}

/* ----- DELETE /users/{user} ---------------------------------------------- */

static void delete_user(struct api_call *call)
{
    struct user user = {0};
    enum store_result result;
    json_t *body;

    if (api_resolve_live_user(call, &user) != 0)
        return;
    if (is_caller(call, &user)) {
        api_error(call, 403, "You cannot delete yourself!", NULL, NULL);
        goto out;
    }
    if (!rbac_allowed(&call->subject, RBAC_USER_DELETE, user.id)) {
        api_forbidden(call);
        goto out;
    }
    /* Keys and external links go in the same transaction, so every
     * session and token of the user stops working at once. */
    result = store_user_delete(call->api->store, user.id, call->now);
    if (result != STORE_OK && result != STORE_NOT_FOUND) {
        api_store_failure(call, result, "Internal error deleting user.");
        goto out;
    }
    body = json_object();
    json_object_set_new(body, "message", json_string("User has been deleted!"));
    api_json(call, 200, body);

out:
    user_release(&user);
}

/* ----- PUT /users/{user}/status/{activate,suspend} ------------------------ */

static void set_status(struct api_call *call, enum user_status status)
{
    struct user user = {0};
    enum store_result result;
    struct buf message;

    if (api_resolve_live_user(call, &user) != 0)
        return;
    if (status == USER_STATUS_SUSPENDED && is_caller(call, &user)) {
        api_error(call, 400, "You cannot suspend yourself.", NULL, NULL);
        goto out;
    }
    if (status == USER_STATUS_SUSPENDED &&
        strlist_contains(&user.roles, RBAC_ROLE_NAME_OWNER)) {
        api_error(call, 400,
                  "You cannot suspend a user with the \"owner\" role. You "
                  "must remove the role first.",
                  NULL, NULL);
        goto out;
    }
    /* Coder reports this refusal as a 500, but it is a 403. */
    if (!rbac_allowed(&call->subject, RBAC_USER_UPDATE, user.id)) {
        api_forbidden(call);
        goto out;
    }
    /* Suspension deletes no key: authentication checks the status on every
     * request, so the user's keys fail at once and work again after
     * activation. */
    result =
        store_user_update_status(call->api->store, user.id, status, call->now);
    buf_init(&message, (size_t)-1 / 2);
    buf_printf(&message, "Internal error updating user's status to \"%s\".",
               user_status_name(status));
    if (result == STORE_OK || result == STORE_NOT_FOUND)
        api_reply_user(call, user.id, message.data);
    else
        api_store_failure(call, result, message.data);
    buf_release(&message);

out:
    user_release(&user);
}

static void activate_user(struct api_call *call)
{
    set_status(call, USER_STATUS_ACTIVE);
}

static void suspend_user(struct api_call *call)
{
    set_status(call, USER_STATUS_SUSPENDED);
}

/* ----- PUT /users/{user}/profile ------------------------------------------ */

struct profile_request {
    char *username;
    char *name;
};

static const struct api_field profile_fields[] = {
    {"username", API_FIELD_STRING, offsetof(struct profile_request, username),
     API_NO_PRESENCE},
    {"name", API_FIELD_STRING, offsetof(struct profile_request, name),
     API_NO_PRESENCE},
};

static void username_taken(struct api_call *call)
{
    json_t *validations = json_array();

    api_validation_add(validations, "username",
                       "This username is already in use.");
    api_error(call, 409, "A user with this username already exists.", NULL,
              validations);
}

/*
 * Send 409 when a user other than id that is not deleted has username,
 * whatever the caller may read. Renaming to another case of one's own
 * name is allowed.
 */
static int check_username_free(struct api_call *call, const char *id,
                               const char *username)
{
    struct user existing = {0};
    enum store_result result;
    int rc = -1;

    result = store_user_get_by_username(call->api->store, username, &existing);
    if (result == STORE_NOT_FOUND ||
        (result == STORE_OK && strcmp(existing.id, id) == 0))
        rc = 0;
    else if (result == STORE_OK)
        username_taken(call);
    else
        api_store_failure(call, result, "Internal error fetching user.");
    user_release(&existing);
    return rc;
}

static void put_profile(struct api_call *call)
{
    struct profile_request body = {0};
    struct user user = {0};
    enum store_result result;
    json_t *validations;

    if (api_resolve_live_user(call, &user) != 0)
        return;
    /* Coder reports this refusal as a 500, but it is a 403. */
    if (!rbac_allowed(&call->subject, RBAC_USER_UPDATE_PERSONAL, user.id) &&
        !rbac_allowed(&call->subject, RBAC_USER_UPDATE, user.id)) {
        api_forbidden(call);
        goto out;
    }
    if (api_decode(call, "codersdk.UpdateUserProfileRequest", profile_fields,
                   COUNT(profile_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "username", body.username, "required,username");
    api_validate(validations, "name", body.name, "user_real_name");
    if (api_validation_result(call, validations) != 0)
        goto out;
    if (check_username_free(call, user.id, body.username) != 0)
        goto out;

    /* Both fields are written: a request without name clears it. */
    result = store_user_update_profile(call->api->store, user.id, body.username,
                                       body.name ? body.name : "", call->now);
    if (result == STORE_CONFLICT)
        username_taken(call);
    else if (result != STORE_OK && result != STORE_NOT_FOUND)
        api_store_failure(call, result, "Internal error updating user.");
    else
        api_reply_user(call, user.id, "Internal error fetching user.");

out:
    api_decode_release(profile_fields, COUNT(profile_fields), &body);
    user_release(&user);
}

const struct api_route api_routes_users_admin[] = {
    {"DELETE", "/users/{user}", delete_user, API_AUTH},
    {"PUT", "/users/{user}/status/activate", activate_user, API_AUTH},
    {"PUT", "/users/{user}/status/suspend", suspend_user, API_AUTH},
    {"PUT", "/users/{user}/profile", put_profile, API_AUTH},
    {NULL, NULL, NULL, 0},
};
