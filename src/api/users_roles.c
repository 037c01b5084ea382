/* SPDX-License-Identifier: MIT */
/*
 * Site roles: reading and replacing a user's roles, and the list of roles
 * the caller may hand out.
 */
#include "api/api_internal.h"

#include <stddef.h>
#include <string.h>

#include "core/rbac.h"
#include "util/buf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static json_t *string_array(const struct strlist *list)
{
    json_t *array = json_array();

    for (size_t i = 0; i < list->len; i++)
        json_array_append_new(array, api_string(list->items[i]));
    return array;
}

/* ----- GET /users/{user}/roles -------------------------------------------- */

static void get_user_roles(struct api_call *call)
{
    struct user user = {0};
    struct strlist org_ids = {0};
    struct strlist *org_roles = NULL;
    enum store_result result;
    json_t *body;
    json_t *by_org;

    if (api_resolve_user(call, &user) != 0)
        return;
    if (!rbac_allowed(&call->subject, RBAC_USER_READ_PERSONAL, user.id)) {
        api_not_found(call);
        goto out;
    }
    result = store_org_membership_roles(call->api->store, user.id, &org_ids,
                                        &org_roles);
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error fetching user's organization "
                          "memberships.");
        goto out;
    }
    by_org = json_object();
    for (size_t i = 0; i < org_ids.len; i++)
        json_object_set_new(by_org, org_ids.items[i],
                            string_array(&org_roles[i]));
    body = json_object();
    json_object_set_new(body, "roles", string_array(&user.roles));
    json_object_set_new(body, "organization_roles", by_org);
    api_json(call, 200, body);
    store_free_membership_roles(&org_ids, org_roles);

out:
    user_release(&user);
}

/* ----- PUT /users/{user}/roles -------------------------------------------- */

struct roles_request {
    struct strlist roles;
};

static const struct api_field roles_fields[] = {
    {"roles", API_FIELD_STRING_ARRAY, offsetof(struct roles_request, roles),
     API_NO_PRESENCE},
};

static int check_change(struct api_call *call, const struct user *user,
                        const struct strlist *requested)
{
    const char *unknown = NULL;
    struct buf message;

    switch (rbac_check_role_change(&call->subject, &user->roles, requested,
                                   &unknown)) {
    case RBAC_ROLE_CHANGE_OK:
        return 0;
    case RBAC_ROLE_CHANGE_UNKNOWN:
        buf_init(&message, (size_t)-1 / 2);
        buf_printf(&message, "\"%s\" is not a supported role", unknown);
        api_error(call, 400, message.data, NULL, NULL);
        buf_release(&message);
        return -1;
    case RBAC_ROLE_CHANGE_FORBIDDEN:
        /* Coder of this era returns 400 "not authorized to assign role",
         * but it is a permission refusal, so it gets the 403. */
        api_forbidden(call);
        return -1;
    }
    return -1;
}

static void put_user_roles(struct api_call *call)
{
    struct roles_request body = {0};
    struct user user = {0};
    struct strlist stored = {0};
    enum store_result result;

    if (api_resolve_live_user(call, &user) != 0)
        return;
    /* NOTE: OIDC role sync, which would forbid manual changes for OIDC
     * users, does not exist in this build. */
    if (strcmp(user.id, call->auth.user.id) == 0) {
        api_error(call, 400, "You cannot change your own roles.", NULL, NULL);
        goto out;
    }
    if (api_decode(call, "codersdk.UpdateRoles", roles_fields,
                   COUNT(roles_fields), &body) != 0)
        goto out;
    if (check_change(call, &user, &body.roles) != 0)
        goto out;

    rbac_roles_to_store(&body.roles, &stored);
    result =
        store_user_update_roles(call->api->store, user.id, &stored, call->now);
    if (result != STORE_OK && result != STORE_NOT_FOUND)
        api_store_failure(call, result, "Internal error updating user.");
    else
        api_reply_user(call, user.id, "Internal error fetching user.");

out:
    strlist_release(&stored);
    api_decode_release(roles_fields, COUNT(roles_fields), &body);
    user_release(&user);
}

/* ----- GET /users/roles --------------------------------------------------- */

static json_t *assignable_role(const struct api_call *call, const char *name)
{
    json_t *role = json_object();

    json_object_set_new(role, "name", json_string(name));
    json_object_set_new(role, "display_name",
                        json_string(rbac_role_display_name(name)));
    /* NOTE: permissions are listed as empty arrays. Clients of the Users
     * API only show names, and Coder's permission sets are not modelled. */
    json_object_set_new(role, "site_permissions", json_array());
    json_object_set_new(role, "organization_permissions", json_array());
    json_object_set_new(role, "user_permissions", json_array());
    json_object_set_new(role, "assignable",
                        json_boolean(rbac_can_assign(&call->subject, name)));
    json_object_set_new(role, "built_in", json_true());
    return role;
}

static void get_assignable_roles(struct api_call *call)
{
    json_t *list;

    /* Every user may read role assignments; a key of narrower scope may
     * not. */
    if (call->subject.scope != APIKEY_SCOPE_ALL) {
        api_forbidden(call);
        return;
    }
    list = json_array();
    for (size_t i = 0; rbac_assignable_site_roles[i] != NULL; i++)
        json_array_append_new(
            list, assignable_role(call, rbac_assignable_site_roles[i]));
    api_json(call, 200, list);
}

const struct api_route api_routes_users_roles[] = {
    {"GET", "/users/roles", get_assignable_roles, API_AUTH},
    {"GET", "/users/{user}/roles", get_user_roles, API_AUTH},
    {"PUT", "/users/{user}/roles", put_user_roles, API_AUTH},
    {NULL, NULL, NULL, 0},
};
