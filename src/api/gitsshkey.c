/* SPDX-License-Identifier: MIT */
/*
 * The git SSH key of a user: reading its public half and regenerating the
 * pair. The private half stays in the store. Users created before keys
 * existed get a pair on their first read.
 */
#include "api/api_internal.h"

#include <string.h>

#include "http/httpd.h"

static json_t *render_gitsshkey(const struct gitsshkey *key)
{
    json_t *obj = json_object();

    json_object_set_new(obj, "user_id", json_string(key->user_id));
    json_object_set_new(obj, "created_at", api_render_time(key->created_at));
    json_object_set_new(obj, "updated_at", api_render_time(key->updated_at));
    json_object_set_new(obj, "public_key", api_string(key->public_key));
    return obj;
}

/* Resolve {user} and check action on its personal data. A caller who may
 * see the user but not the key gets 404. Returns 0, or -1 after sending
 * the response. */
static int resolve_owner(struct api_call *call, enum rbac_action action,
                         struct user *target)
{
    /* A deleted user's data can still be read by id, never changed. */
    int rc = action == RBAC_USER_READ_PERSONAL
                 ? api_resolve_user(call, target)
                 : api_resolve_live_user(call, target);

    if (rc != 0)
        return -1;
    if (!rbac_allowed(&call->subject, action, target->id)) {
        user_release(target);
        api_not_found(call);
        return -1;
    }
    return 0;
}

/*
 * Generate a new pair for user_id into key and store it, replacing the
 * user's pair when replace is set (created_at is kept by the store). A
 * first pair is stored only if no other request stored one meanwhile, in
 * which case that pair is read back into key instead. Returns 0, or -1
 * after sending a 500 (503 while the database is down).
 */
static int regenerate(struct api_call *call, const char *user_id,
                      struct gitsshkey *key, bool replace)
{
    enum store_result result;

    if (gitsshkey_generate(call->api->settings.ssh_keygen_algorithm, key) !=
        0) {
        api_internal_error(call, "Internal error generating a new SSH keypair.",
                           NULL);
        return -1;
    }
    memcpy(key->user_id, user_id, sizeof(key->user_id));
    key->updated_at = call->now;
    if (key->created_at == 0)
        key->created_at = call->now;
    result = store_gitsshkey_put(call->api->store, key, replace);
    if (result == STORE_CONFLICT && !replace) {
        gitsshkey_release(key);
        result = store_gitsshkey_get(call->api->store, user_id, key);
    }
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error updating user's git SSH key.");
        return -1;
    }
    return 0;
}

static void get_gitsshkey(struct api_call *call)
{
    struct user target = {0};
    struct gitsshkey key = {0};
    enum store_result result;

    if (resolve_owner(call, RBAC_USER_READ_PERSONAL, &target) != 0)
        return;
    result = store_gitsshkey_get(call->api->store, target.id, &key);
    if (result == STORE_NOT_FOUND) {
        if (regenerate(call, target.id, &key, false) == 0)
            api_json(call, 200, render_gitsshkey(&key));
    } else if (result == STORE_OK) {
        api_json(call, 200, render_gitsshkey(&key));
    } else {
        api_store_failure(call, result,
                          "Internal error fetching user's SSH key.");
    }
    gitsshkey_release(&key);
    user_release(&target);
}

static void put_gitsshkey(struct api_call *call)
{
    struct user target = {0};
    struct gitsshkey key = {0};
    enum store_result result;

    if (resolve_owner(call, RBAC_USER_UPDATE_PERSONAL, &target) != 0)
        return;
    result = store_gitsshkey_get(call->api->store, target.id, &key);
    if (result != STORE_OK && result != STORE_NOT_FOUND) {
        api_store_failure(call, result,
                          "Internal error fetching user's SSH key.");
        goto out;
    }
    if (regenerate(call, target.id, &key, true) == 0)
        api_json(call, 200, render_gitsshkey(&key));

out:
    gitsshkey_release(&key);
    user_release(&target);
}

const struct api_route api_routes_gitsshkey[] = {
    /* Key generation takes up to a second for RSA-4096. */
    {"GET", "/users/{user}/gitsshkey", get_gitsshkey,
     API_AUTH | HTTPD_ROUTE_BLOCKING},
    {"PUT", "/users/{user}/gitsshkey", put_gitsshkey,
     API_AUTH | HTTPD_ROUTE_BLOCKING},
    {NULL, NULL, NULL, 0},
};
