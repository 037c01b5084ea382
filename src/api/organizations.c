/* SPDX-License-Identifier: MIT */
/* Reading organizations. */
#include "api/api_internal.h"

#include <string.h>

#include "util/buf.h"
#include "util/uuid.h"

static void org_not_found(struct api_call *call, const char *arg)
{
    struct buf message;

    buf_init(&message, (size_t)-1 / 2);
    buf_printf(&message, "Organization \"%s\" not found.", arg);
    api_error(call, 404, message.data,
              "Provide either the organization id or name.", NULL);
    buf_release(&message);
}

/* Report whether the caller may see org: members and site-wide readers. */
static bool may_read(const struct api_call *call,
                     const struct organization *org)
{
    return (call->subject.scope == APIKEY_SCOPE_ALL &&
            strlist_contains(&call->auth.user.organization_ids, org->id)) ||
           rbac_allowed(&call->subject, RBAC_ORGANIZATION_READ_ALL, NULL);
}

static void get_organization(struct api_call *call)
{
    const char *arg = http_request_param(call->req, "organization");
    char id[UUID_STR_LEN + 1];
    struct organization org = {0};
    enum store_result result;

    if (arg == NULL || arg[0] == '\0') {
        api_error(call, 400, "\"organization\" must be provided.", NULL, NULL);
        return;
    }
    if (strcmp(arg, "default") == 0 ||
        (uuid_parse(arg, id) == 0 && strcmp(id, UUID_NIL) == 0))
        result = store_org_get_default(call->api->store, &org);
    else if (uuid_parse(arg, id) == 0)
        result = store_org_get_by_id(call->api->store, id, &org);
    else
        result = store_org_get_by_name(call->api->store, arg, &org);

    if (result == STORE_NOT_FOUND ||
        (result == STORE_OK && !may_read(call, &org))) {
        organization_release(&org);
        org_not_found(call, arg);
        return;
    }
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error fetching organization.");
        return;
    }
    api_json(call, 200, api_render_organization(&org));
    organization_release(&org);
}

const struct api_route api_routes_organizations[] = {
    {"GET", "/organizations/{organization}", get_organization, API_AUTH},
    {NULL, NULL, NULL, 0},
};
