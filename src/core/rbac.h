#ifndef USHER_CORE_RBAC_H
#define USHER_CORE_RBAC_H

#include <stdbool.h>

#include "core/apikey.h"
#include "util/strlist.h"

/*
 * Coder's built-in site roles and the permissions the Users API checks.
 * Every user also has the implicit "member" role, which is never stored:
 * members may read their own record and manage their own keys and personal
 * settings, and nothing about other users.
 */
enum rbac_site_role {
    RBAC_ROLE_OWNER = 1u << 0,
    RBAC_ROLE_USER_ADMIN = 1u << 1,
    RBAC_ROLE_TEMPLATE_ADMIN = 1u << 2,
    RBAC_ROLE_AUDITOR = 1u << 3,
};

#define RBAC_ROLE_NAME_OWNER "owner"
#define RBAC_ROLE_NAME_MEMBER "member"

/* Who is asking: the authenticated user, their site roles and key scope. */
struct rbac_subject {
    const char *user_id;
    unsigned roles; /* a set of enum rbac_site_role bits */
    enum apikey_scope scope;
};

enum rbac_action {
    RBAC_USER_READ,             /* read a user record, resolve {user} */
    RBAC_USER_CREATE,           /* create accounts */
    RBAC_USER_UPDATE,           /* profile of others, status changes */
    RBAC_USER_DELETE,           /* delete accounts */
    RBAC_USER_READ_PERSONAL,    /* settings, roles view, git SSH key */
    RBAC_USER_UPDATE_PERSONAL,  /* password, settings, own profile */
    RBAC_APIKEY_CREATE,         /* mint keys for the user */
    RBAC_APIKEY_READ,           /* see the user's keys */
    RBAC_APIKEY_DELETE,         /* revoke the user's keys */
    RBAC_ORGANIZATION_READ_ALL, /* see organizations one is not part of */
};

/*
 * Report whether subject may perform action on something that belongs to
 * the user with id target_user_id (the user itself, or the owner of a key).
 * Keys with the application_connect scope may do nothing here.
 */
bool rbac_allowed(const struct rbac_subject *subject, enum rbac_action action,
                  const char *target_user_id);

/* Report whether subject may grant or remove the site role name. */
bool rbac_can_assign(const struct rbac_subject *subject, const char *name);

/* Report whether subject may assign any site role at all. */
bool rbac_can_assign_any(const struct rbac_subject *subject);

/* Return the set of built-in roles named in names; others are ignored. */
unsigned rbac_roles_from_names(const struct strlist *names);

/* Report whether name is a built-in site role, "member" included. */
bool rbac_is_site_role(const char *name);

/* Return a role's display name, or "" for a name that is not built in. */
const char *rbac_role_display_name(const char *name);

/* The outcome of checking a change of a user's site roles. */
enum rbac_role_change {
    RBAC_ROLE_CHANGE_OK,
    RBAC_ROLE_CHANGE_UNKNOWN,   /* a name that is not a site role */
    RBAC_ROLE_CHANGE_FORBIDDEN, /* a role the subject may not grant */
};

/*
 * Check whether subject may replace the stored site roles of a user with
 * requested. The implicit "member" counts as part of the requested set and
 * is never stored, so it is always added and every change needs the right
 * to grant "member" at least. Returns RBAC_ROLE_CHANGE_UNKNOWN with the
 * first added or removed name that is not a site role in *unknown (pointing
 * into stored or requested), else RBAC_ROLE_CHANGE_FORBIDDEN when a role
 * added or removed lies outside what subject may grant, else
 * RBAC_ROLE_CHANGE_OK.
 */
enum rbac_role_change rbac_check_role_change(const struct rbac_subject *subject,
                                             const struct strlist *stored,
                                             const struct strlist *requested,
                                             const char **unknown);

/* Set out to the roles of requested that are stored: duplicates and the
 * implicit "member" are dropped, the order is kept. */
void rbac_roles_to_store(const struct strlist *requested, struct strlist *out);

/*
 * Report whether subject may read an organization: members of it, through
 * a key of full scope, and those who may read every organization.
 * member_of lists the organizations subject's user belongs to.
 */
bool rbac_can_read_organization(const struct rbac_subject *subject,
                                const struct strlist *member_of,
                                const char *organization_id);

/* Site roles listed by GET /users/roles, in name order, NULL-terminated. */
extern const char *const rbac_assignable_site_roles[];

#endif
