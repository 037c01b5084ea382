/* SPDX-License-Identifier: MIT */
/* Built-in roles and the permission checks of the Users API. */
#include "core/rbac.h"

#include <string.h>

struct role_info {
    const char *name;
    const char *display_name;
    unsigned bit; /* 0 for roles that grant nothing here */
    bool site;
};

static const struct role_info roles[] = {
    {"owner", "Owner", RBAC_ROLE_OWNER, true},
    {"member", "Member", 0, true},
    {"template-admin", "Template Admin", RBAC_ROLE_TEMPLATE_ADMIN, true},
    {"user-admin", "User Admin", RBAC_ROLE_USER_ADMIN, true},
    {"auditor", "Auditor", RBAC_ROLE_AUDITOR, true},
    {"organization-admin", "Organization Admin", 0, false},
    {"organization-member", "", 0, false},
    {"organization-user-admin", "Organization User Admin", 0, false},
    {"organization-template-admin", "Organization Template Admin", 0, false},
    {"organization-auditor", "Organization Auditor", 0, false},
    {"organization-workspace-creation-ban",
     "Organization Workspace Creation Ban", 0, false},
};

const char *const rbac_assignable_site_roles[] = {
    "auditor", "owner", "template-admin", "user-admin", NULL,
};

static const struct role_info *find_role(const char *name)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (strcmp(roles[i].name, name) == 0)
            return &roles[i];
    }
    return NULL;
}

unsigned rbac_roles_from_names(const struct strlist *names)
{
    unsigned set = 0;

    for (size_t i = 0; i < names->len; i++) {
        const struct role_info *role = find_role(names->items[i]);

        if (role != NULL && role->site)
            set |= role->bit;
    }
    return set;
}

bool rbac_is_site_role(const char *name)
{
    const struct role_info *role = find_role(name);

    return role != NULL && role->site;
}

const char *rbac_role_display_name(const char *name)
{
    const struct role_info *role = find_role(name);

    return role != NULL ? role->display_name : "";
}

static bool is_self(const struct rbac_subject *subject, const char *target)
{
    return target != NULL && strcmp(subject->user_id, target) == 0;
}

bool rbac_allowed(const struct rbac_subject *subject, enum rbac_action action,
                  const char *target_user_id)
{
    unsigned r = subject->roles;
    bool self = is_self(subject, target_user_id);

    if (subject->scope != APIKEY_SCOPE_ALL)
        return false;
    if (r & RBAC_ROLE_OWNER)
        return true;

    switch (action) {
    case RBAC_USER_READ:
        return self || (r & (RBAC_ROLE_USER_ADMIN | RBAC_ROLE_TEMPLATE_ADMIN |
                             RBAC_ROLE_AUDITOR)) != 0;
    case RBAC_USER_CREATE:
    case RBAC_USER_UPDATE:
    case RBAC_USER_DELETE:
        return (r & RBAC_ROLE_USER_ADMIN) != 0;
    case RBAC_USER_READ_PERSONAL:
    case RBAC_USER_UPDATE_PERSONAL:
        return self || (r & RBAC_ROLE_USER_ADMIN) != 0;
    case RBAC_APIKEY_CREATE:
    case RBAC_APIKEY_READ:
    case RBAC_APIKEY_DELETE:
        return self;
    case RBAC_ORGANIZATION_READ_ALL:
        return false;
    }
    return false;
}

bool rbac_can_assign(const struct rbac_subject *subject, const char *name)
{
    if (subject->scope != APIKEY_SCOPE_ALL)
        return false;
    if (subject->roles & RBAC_ROLE_OWNER)
        return true;
    if (subject->roles & RBAC_ROLE_USER_ADMIN)
        return strcmp(name, RBAC_ROLE_NAME_MEMBER) == 0;
    return false;
}

bool rbac_can_assign_any(const struct rbac_subject *subject)
{
    return subject->scope == APIKEY_SCOPE_ALL &&
           (subject->roles & (RBAC_ROLE_OWNER | RBAC_ROLE_USER_ADMIN)) != 0;
}

/* Report whether name is in list, counting the implicit "member" as held
 * when with_member is set. */
static bool holds(const struct strlist *list, const char *name,
                  bool with_member)
{
    if (with_member && strcmp(name, RBAC_ROLE_NAME_MEMBER) == 0)
        return true;
    return strlist_contains(list, name);
}

/* Find the first name of from that is not in to; returns NULL if none. */
static const char *first_missing(const struct strlist *from, bool from_member,
                                 const struct strlist *to, bool to_member,
                                 bool (*pick)(const struct rbac_subject *,
                                              const char *),
                                 const struct rbac_subject *subject)
{
    if (from_member && !holds(to, RBAC_ROLE_NAME_MEMBER, to_member) &&
        pick(subject, RBAC_ROLE_NAME_MEMBER))
        return RBAC_ROLE_NAME_MEMBER;
    for (size_t i = 0; i < from->len; i++) {
        const char *name = from->items[i];

        if (!holds(to, name, to_member) && pick(subject, name))
            return name;
    }
    return NULL;
}

static bool is_unknown(const struct rbac_subject *subject, const char *name)
{
    (void)subject;
    return !rbac_is_site_role(name);
}

static bool not_assignable(const struct rbac_subject *subject, const char *name)
{
    return !rbac_can_assign(subject, name);
}

enum rbac_role_change rbac_check_role_change(const struct rbac_subject *subject,
                                             const struct strlist *stored,
                                             const struct strlist *requested,
                                             const char **unknown)
{
    /* Added roles: requested plus "member", minus the stored ones. Removed
     * roles: the stored ones that are not requested. */
    const char *name;

    name = first_missing(requested, true, stored, false, is_unknown, subject);
    if (name == NULL)
        name =
            first_missing(stored, false, requested, true, is_unknown, subject);
    if (name != NULL) {
        *unknown = name;
        return RBAC_ROLE_CHANGE_UNKNOWN;
    }
    if (!rbac_can_assign_any(subject))
        return RBAC_ROLE_CHANGE_FORBIDDEN;
    if (first_missing(requested, true, stored, false, not_assignable,
                      subject) != NULL ||
        first_missing(stored, false, requested, true, not_assignable,
                      subject) != NULL)
        return RBAC_ROLE_CHANGE_FORBIDDEN;
    return RBAC_ROLE_CHANGE_OK;
}

void rbac_roles_to_store(const struct strlist *requested, struct strlist *out)
{
    strlist_release(out);
    for (size_t i = 0; i < requested->len; i++) {
        const char *name = requested->items[i];

        if (strcmp(name, RBAC_ROLE_NAME_MEMBER) != 0 &&
            !strlist_contains(out, name))
            strlist_push(out, name);
    }
}

bool rbac_can_read_organization(const struct rbac_subject *subject,
                                const struct strlist *member_of,
                                const char *organization_id)
{
    if (rbac_allowed(subject, RBAC_ORGANIZATION_READ_ALL, NULL))
        return true;
    return subject->scope == APIKEY_SCOPE_ALL &&
           strlist_contains(member_of, organization_id);
}
