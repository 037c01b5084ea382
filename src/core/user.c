/* SPDX-License-Identifier: MIT */
/* Accounts: the record and its enumerations. */
#include "core/user.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const char *const status_names[] = {
    [USER_STATUS_ACTIVE] = "active",
    [USER_STATUS_DORMANT] = "dormant",
    [USER_STATUS_SUSPENDED] = "suspended",
};

static const char *const login_type_names[] = {
    [LOGIN_TYPE_PASSWORD] = "password", [LOGIN_TYPE_GITHUB] = "github",
    [LOGIN_TYPE_OIDC] = "oidc",         [LOGIN_TYPE_TOKEN] = "token",
    [LOGIN_TYPE_NONE] = "none",
};

void user_release(struct user *user)
{
    free(user->username);
    free(user->email);
    free(user->name);
    free(user->avatar_url);
    free(user->hashed_password);
    free(user->hashed_one_time_passcode);
    strlist_release(&user->roles);
    strlist_release(&user->organization_ids);
    memset(user, 0, sizeof(*user));
}

void user_copy(struct user *dst, const struct user *src)
{
    *dst = *src;
    dst->username = xstrdup(src->username);
    dst->email = xstrdup(src->email);
    dst->name = xstrdup(src->name);
    dst->avatar_url = xstrdup(src->avatar_url);
    dst->hashed_password = xstrdup(src->hashed_password);
    dst->hashed_one_time_passcode = xstrdup(src->hashed_one_time_passcode);
    memset(&dst->roles, 0, sizeof(dst->roles));
    memset(&dst->organization_ids, 0, sizeof(dst->organization_ids));
    strlist_copy(&dst->roles, &src->roles);
    strlist_copy(&dst->organization_ids, &src->organization_ids);
}

const char *user_status_name(enum user_status status)
{
    return status_names[status];
}

int user_status_parse(const char *name, enum user_status *status)
{
    for (size_t i = 0; i < sizeof(status_names) / sizeof(*status_names); i++) {
        if (strcmp(status_names[i], name) == 0) {
            *status = (enum user_status)i;
            return 0;
        }
    }
    return -1;
}

const char *login_type_name(enum login_type type)
{
    return login_type_names[type];
}

int login_type_parse(const char *name, enum login_type *type)
{
    for (size_t i = 0; i < sizeof(login_type_names) / sizeof(*login_type_names);
         i++) {
        if (strcmp(login_type_names[i], name) == 0) {
            *type = (enum login_type)i;
            return 0;
        }
    }
    return -1;
}
