/* SPDX-License-Identifier: MIT */
/* Reading and managing user accounts. */
#include "api/accounts.h"

static void get_user(struct api_call *call)
{
    struct user user = {0};

    if (api_resolve_user(call, &user) != 0)
        return;
    api_json(call, 200, api_render_user(&user));
    user_release(&user);
}

const struct api_route api_routes_users[] = {
    {"GET", "/users/{user}", get_user, API_AUTH},
    {NULL, NULL, NULL, 0},
};
