/* SPDX-License-Identifier: MIT */
/*
 * The {user} path parameter: "me", a UUID or a username, looked up with the
 * caller's rights. A user the caller may not read gets the same response as
 * one that does not exist, so that nothing leaks.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/uuid.h"

static int not_resolved(struct api_call *call, const char *param)
{
    struct buf detail;

    buf_init(&detail, (size_t)-1 / 2);
    buf_printf(&detail, "queried user=\"%s\"", param);
    api_error(call, 400, "\"user\" must be an existing uuid or username.",
              detail.data, NULL);
    buf_release(&detail);
    return -1;
}

int api_resolve_user(struct api_call *call, struct user *out)
{
    const char *param = http_request_param(call->req, "user");
    char id[UUID_STR_LEN + 1];
    struct user found = {0};
    enum store_result result;

    if (param == NULL || param[0] == '\0') {
        api_error(call, 400, "\"user\" must be provided.", NULL, NULL);
        return -1;
    }
    if (strcmp(param, "me") == 0) {
        if (!rbac_allowed(&call->subject, RBAC_USER_READ, call->auth.user.id))
            return not_resolved(call, param);
        user_copy(out, &call->auth.user);
        return 0;
    }
    if (uuid_parse(param, id) == 0)
        result = store_user_get_by_id(call->api->store, id, &found);
    else
        result = store_user_get_by_username(call->api->store, param, &found);
    if (result == STORE_NOT_FOUND)
        return not_resolved(call, param);
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error fetching user.");
        return -1;
    }
    if (!rbac_allowed(&call->subject, RBAC_USER_READ, found.id)) {
        user_release(&found);
        return not_resolved(call, param);
    }
    *out = found;
    return 0;
}

int api_resolve_live_user(struct api_call *call, struct user *out)
{
    struct user found = {0};

    if (api_resolve_user(call, &found) != 0)
        return -1;
    if (found.deleted) {
        user_release(&found);
        return not_resolved(call, http_request_param(call->req, "user"));
    }
    *out = found;
    return 0;
}

void api_reply_user(struct api_call *call, const char *id, const char *message)
{
    struct user user = {0};
    enum store_result result;

    result = store_user_get_by_id(call->api->store, id, &user);
    if (result == STORE_NOT_FOUND || (result == STORE_OK && user.deleted)) {
        not_resolved(call, http_request_param(call->req, "user"));
    } else if (result != STORE_OK) {
        api_store_failure(call, result, message);
    } else {
        api_json(call, 200, api_render_user(&user));
    }
    user_release(&user);
}
