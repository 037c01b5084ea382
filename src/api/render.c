/* SPDX-License-Identifier: MIT */
/* JSON forms of the API's types, with Coder's field names and omissions. */
#include "api/api_internal.h"

#include "core/rbac.h"
#include "util/timestamp.h"

json_t *api_render_time(int64_t ts)
{
    char text[TIMESTAMP_STR_MAX];

    timestamp_format(ts, text, sizeof(text));
    return json_string(text);
}

json_t *api_render_slim_roles(const struct strlist *roles)
{
    json_t *array = json_array();

    for (size_t i = 0; i < roles->len; i++) {
        json_t *role = json_object();

        json_object_set_new(role, "name", api_string(roles->items[i]));
        json_object_set_new(
            role, "display_name",
            json_string(rbac_role_display_name(roles->items[i])));
        json_array_append_new(array, role);
    }
    return array;
}

static json_t *render_user(const struct user *user, bool null_when_no_orgs)
{
    json_t *obj = json_object();
    json_t *orgs = json_array();

    json_object_set_new(obj, "id", json_string(user->id));
    json_object_set_new(obj, "username", api_string(user->username));
    if (user->avatar_url != NULL && user->avatar_url[0] != '\0')
        json_object_set_new(obj, "avatar_url", api_string(user->avatar_url));
    if (user->name != NULL && user->name[0] != '\0')
        json_object_set_new(obj, "name", api_string(user->name));
    json_object_set_new(obj, "email", api_string(user->email));
    json_object_set_new(obj, "created_at", api_render_time(user->created_at));
    json_object_set_new(obj, "updated_at", api_render_time(user->updated_at));
    json_object_set_new(obj, "last_seen_at",
                        api_render_time(user->last_seen_at));
    json_object_set_new(obj, "status",
                        json_string(user_status_name(user->status)));
    json_object_set_new(obj, "login_type",
                        json_string(login_type_name(user->login_type)));
    for (size_t i = 0; i < user->organization_ids.len; i++)
        json_array_append_new(orgs,
                              json_string(user->organization_ids.items[i]));
    if (null_when_no_orgs && json_array_size(orgs) == 0) {
        json_decref(orgs);
        orgs = json_null();
    }
    json_object_set_new(obj, "organization_ids", orgs);
    json_object_set_new(obj, "roles", api_render_slim_roles(&user->roles));
    return obj;
}

json_t *api_render_user(const struct user *user)
{
    return render_user(user, false);
}

json_t *api_render_listed_user(const struct user *user)
{
    return render_user(user, true);
}

json_t *api_render_organization(const struct organization *org)
{
    json_t *obj = json_object();

    json_object_set_new(obj, "id", json_string(org->id));
    json_object_set_new(obj, "name", api_string(org->name));
    json_object_set_new(obj, "display_name", api_string(org->display_name));
    json_object_set_new(obj, "description", api_string(org->description));
    json_object_set_new(obj, "icon", api_string(org->icon));
    json_object_set_new(obj, "created_at", api_render_time(org->created_at));
    json_object_set_new(obj, "updated_at", api_render_time(org->updated_at));
    json_object_set_new(obj, "is_default", json_boolean(org->is_default));
    return obj;
}

json_t *api_render_apikey(const struct apikey *key)
{
    json_t *obj = json_object();

    json_object_set_new(obj, "id", json_string(key->id));
    json_object_set_new(obj, "user_id", json_string(key->user_id));
    json_object_set_new(obj, "last_used", api_render_time(key->last_used));
    json_object_set_new(obj, "expires_at", api_render_time(key->expires_at));
    json_object_set_new(obj, "created_at", api_render_time(key->created_at));
    json_object_set_new(obj, "updated_at", api_render_time(key->updated_at));
    json_object_set_new(obj, "login_type",
                        json_string(login_type_name(key->login_type)));
    json_object_set_new(obj, "scope",
                        json_string(apikey_scope_name(key->scope)));
    json_object_set_new(obj, "token_name", api_string(key->token_name));
    json_object_set_new(obj, "lifetime_seconds",
                        json_integer(key->lifetime_seconds));
    return obj;
}
