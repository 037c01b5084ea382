/* SPDX-License-Identifier: MIT */
/*
 * Autofill parameters: the values a user last gave each parameter of a
 * template. Usher has no templates or workspace builds, so every valid
 * request gets an empty list; the query is still checked as Coder does.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

#define PARAM "template_id"

static int add_excess_param(void *ctx, const char *name, const char *value)
{
    json_t *validations = ctx;
    struct buf detail;

    (void)value;
    if (strcmp(name, PARAM) == 0)
        return 0;
    buf_init(&detail, 4096);
    if (buf_printf(&detail, "Query param \"%s\" is not a valid query param",
                   name) != 0)
        buf_puts(&detail, "Query param is not a valid query param");
    api_validation_add(validations, name, detail.data);
    buf_release(&detail);
    return 0;
}

/* Check the query: template_id must be a non-empty UUID, and no other
 * parameter may appear. Returns 0, or -1 after sending the 400. */
static int check_query(struct api_call *call)
{
    const char *template_id = http_request_query(call->req, PARAM);
    json_t *validations = json_array();

    if (template_id == NULL || template_id[0] == '\0')
        api_validation_add(validations, PARAM,
                           "Query param \"" PARAM
                           "\" is required and cannot be empty");
    else if (!uuid_valid(template_id))
        api_validation_add(validations, PARAM,
                           "Query param \"" PARAM "\" must be a valid uuid");
    http_request_query_each(call->req, add_excess_param, validations);
    if (json_array_size(validations) == 0) {
        json_decref(validations);
        return 0;
    }
    api_error(call, 400, "Invalid query parameters.", NULL, validations);
    return -1;
}

static void get_autofill_parameters(struct api_call *call)
{
    struct user target = {0};

    if (api_resolve_user(call, &target) != 0)
        return;
    if (!rbac_allowed(&call->subject, RBAC_USER_READ_PERSONAL, target.id))
        api_not_found(call);
    else if (check_query(call) == 0)
        api_json(call, 200, json_array());
    user_release(&target);
}

const struct api_route api_routes_autofill[] = {
    {"GET", "/users/{user}/autofill-parameters", get_autofill_parameters,
     API_AUTH},
    {NULL, NULL, NULL, 0},
};
