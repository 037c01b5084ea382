/* SPDX-License-Identifier: MIT */
/*
 * Reading one user: the record, its login type and its organizations.
 */
#include "api/api_internal.h"

#include <string.h>

#include "core/rbac.h"

static void get_user(struct api_call *call)
{
    struct user user = {0};

    if (api_resolve_user(call, &user) != 0)
        return;
    api_json(call, 200, api_render_user(&user));
    user_release(&user);
}

/* GET /users/{user}/login-type: only for the caller, whatever their roles. */
static void get_login_type(struct api_call *call)
{
    struct user user = {0};
    json_t *body;

    if (api_resolve_user(call, &user) != 0)
        return;
    if (strcmp(user.id, call->auth.user.id) != 0) {
        api_error(call, 403,
                  "You are not authorized to view this user's login type.",
                  NULL, NULL);
        goto out;
    }
    body = json_object();
    json_object_set_new(body, "login_type",
                        json_string(login_type_name(user.login_type)));
    api_json(call, 200, body);

out:
    user_release(&user);
}

static bool may_read_organization(const struct api_call *call,
                                  const struct organization *org)
{
    return rbac_can_read_organization(
        &call->subject, &call->auth.user.organization_ids, org->id);
}

/* GET /users/{user}/organizations: the target's organizations that the
 * caller may read. */
static void get_user_organizations(struct api_call *call)
{
    struct user user = {0};
    struct organization *orgs = NULL;
    size_t count = 0;
    enum store_result result;
    json_t *list;

    if (api_resolve_user(call, &user) != 0)
        return;
    result = store_org_list_for_user(call->api->store, user.id, &orgs, &count);
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error fetching user's organizations.");
        goto out;
    }
    list = json_array();
    for (size_t i = 0; i < count; i++) {
        if (may_read_organization(call, &orgs[i]))
            json_array_append_new(list, api_render_organization(&orgs[i]));
    }
    api_json(call, 200, list);

out:
    organization_free_array(orgs, count);
    user_release(&user);
}

/*
 * GET /users/{user}/organizations/{organizationname}: an organization by
 * name, ignoring case. As in Coder, {user} is resolved but whether that
 * user is a member is not checked.
 */
static void get_user_organization(struct api_call *call)
{
    const char *name = http_request_param(call->req, "organizationname");
    struct user user = {0};
    struct organization org = {0};
    enum store_result result;

    if (api_resolve_user(call, &user) != 0)
        return;
    result = store_org_get_by_name(call->api->store, name, &org);
    if (result == STORE_NOT_FOUND ||
        (result == STORE_OK && !may_read_organization(call, &org)))
        api_not_found(call);
    else if (result != STORE_OK)
        api_store_failure(call, result,
                          "Internal error fetching organization.");
    else
        api_json(call, 200, api_render_organization(&org));
    organization_release(&org);
    user_release(&user);
}

const struct api_route api_routes_users[] = {
    {"GET", "/users/{user}", get_user, API_AUTH},
    {"GET", "/users/{user}/login-type", get_login_type, API_AUTH},
    {"GET", "/users/{user}/organizations", get_user_organizations, API_AUTH},
    {"GET", "/users/{user}/organizations/{organizationname}",
     get_user_organization, API_AUTH},
    {NULL, NULL, NULL, 0},
};
