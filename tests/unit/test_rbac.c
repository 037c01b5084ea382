/* SPDX-License-Identifier: MIT */
/* Site roles: the permission matrix, role assignment and role changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/rbac.h"

#define SELF "11111111-1111-1111-1111-111111111111"
#define OTHER "22222222-2222-2222-2222-222222222222"

static struct rbac_subject subject(unsigned roles)
{
    struct rbac_subject s = {SELF, roles, APIKEY_SCOPE_ALL};

    return s;
}

struct allowed_case {
    unsigned roles;
    enum rbac_action action;
    const char *target;
    bool expected;
};

static const struct allowed_case allowed_cases[] = {
    {0, RBAC_USER_READ, SELF, true},
    {0, RBAC_USER_READ, OTHER, false},
    {0, RBAC_USER_READ, NULL, false},
    {RBAC_ROLE_AUDITOR, RBAC_USER_READ, OTHER, true},
    {RBAC_ROLE_AUDITOR, RBAC_USER_READ, NULL, true},
    {RBAC_ROLE_TEMPLATE_ADMIN, RBAC_USER_READ, OTHER, true},
    {RBAC_ROLE_USER_ADMIN, RBAC_USER_READ, OTHER, true},
    {RBAC_ROLE_OWNER, RBAC_USER_READ, OTHER, true},
    {0, RBAC_USER_CREATE, NULL, false},
    {RBAC_ROLE_AUDITOR, RBAC_USER_CREATE, NULL, false},
    {RBAC_ROLE_TEMPLATE_ADMIN, RBAC_USER_CREATE, NULL, false},
    {RBAC_ROLE_USER_ADMIN, RBAC_USER_CREATE, NULL, true},
    {RBAC_ROLE_OWNER, RBAC_USER_CREATE, NULL, true},
    {0, RBAC_USER_UPDATE, SELF, false},
    {RBAC_ROLE_AUDITOR, RBAC_USER_UPDATE, OTHER, false},
    {RBAC_ROLE_USER_ADMIN, RBAC_USER_UPDATE, OTHER, true},
    {RBAC_ROLE_USER_ADMIN, RBAC_USER_DELETE, OTHER, true},
    {RBAC_ROLE_TEMPLATE_ADMIN, RBAC_USER_DELETE, OTHER, false},
    {0, RBAC_USER_UPDATE_PERSONAL, SELF, true},
    {0, RBAC_USER_UPDATE_PERSONAL, OTHER, false},
    {RBAC_ROLE_AUDITOR, RBAC_USER_UPDATE_PERSONAL, OTHER, false},
    {RBAC_ROLE_AUDITOR, RBAC_USER_READ_PERSONAL, OTHER, false},
    {RBAC_ROLE_USER_ADMIN, RBAC_USER_UPDATE_PERSONAL, OTHER, true},
    {RBAC_ROLE_USER_ADMIN, RBAC_USER_READ_PERSONAL, OTHER, true},
    {RBAC_ROLE_USER_ADMIN, RBAC_APIKEY_CREATE, OTHER, false},
    {RBAC_ROLE_OWNER, RBAC_APIKEY_CREATE, OTHER, true},
    {0, RBAC_APIKEY_CREATE, SELF, true},
    {0, RBAC_ORGANIZATION_READ_ALL, NULL, false},
    {RBAC_ROLE_OWNER, RBAC_ORGANIZATION_READ_ALL, NULL, true},
};

static void rbac_permission_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(allowed_cases) / sizeof(allowed_cases[0]);
         i++) {
        const struct allowed_case *c = &allowed_cases[i];
        struct rbac_subject s = subject(c->roles);

        print_message("case %zu\n", i);
        assert_int_equal(rbac_allowed(&s, c->action, c->target), c->expected);
    }
}

static void rbac_app_connect_scope_denied(void **state)
{
    struct rbac_subject s = subject(RBAC_ROLE_OWNER);

    (void)state;
    s.scope = APIKEY_SCOPE_APPLICATION_CONNECT;
    assert_false(rbac_allowed(&s, RBAC_USER_READ, SELF));
    assert_false(rbac_can_assign_any(&s));
    assert_false(rbac_can_assign(&s, "auditor"));
}

static void rbac_assignment_rights(void **state)
{
    struct rbac_subject owner = subject(RBAC_ROLE_OWNER);
    struct rbac_subject user_admin = subject(RBAC_ROLE_USER_ADMIN);
    struct rbac_subject auditor = subject(RBAC_ROLE_AUDITOR);

    (void)state;
    assert_true(rbac_can_assign(&owner, "owner"));
    assert_true(rbac_can_assign(&owner, "auditor"));
    assert_true(rbac_can_assign(&user_admin, "member"));
    assert_false(rbac_can_assign(&user_admin, "auditor"));
    assert_false(rbac_can_assign(&auditor, "member"));
    assert_true(rbac_can_assign_any(&user_admin));
    assert_false(rbac_can_assign_any(&auditor));
}

static struct strlist list_of(const char *const *names)
{
    struct strlist list = {0};

    for (size_t i = 0; names[i] != NULL; i++)
        strlist_push(&list, names[i]);
    return list;
}

struct change_case {
    unsigned roles;
    const char *stored[4];
    const char *requested[4];
    enum rbac_role_change expected;
    const char *unknown;
};

static const struct change_case change_cases[] = {
    {RBAC_ROLE_OWNER, {NULL}, {"auditor", NULL}, RBAC_ROLE_CHANGE_OK, NULL},
    {RBAC_ROLE_OWNER, {"auditor", NULL}, {NULL}, RBAC_ROLE_CHANGE_OK, NULL},
    {RBAC_ROLE_OWNER,
     {NULL},
     {"bogus", NULL},
     RBAC_ROLE_CHANGE_UNKNOWN,
     "bogus"},
    {RBAC_ROLE_OWNER,
     {NULL},
     {"auditor", "organization-admin", "x", NULL},
     RBAC_ROLE_CHANGE_UNKNOWN,
     "organization-admin"},
    {RBAC_ROLE_OWNER,
     {"legacy", NULL},
     {NULL},
     RBAC_ROLE_CHANGE_UNKNOWN,
     "legacy"},
    /* Unknown names are reported before a missing right. */
    {RBAC_ROLE_AUDITOR,
     {NULL},
     {"bogus", NULL},
     RBAC_ROLE_CHANGE_UNKNOWN,
     "bogus"},
    {RBAC_ROLE_AUDITOR, {NULL}, {NULL}, RBAC_ROLE_CHANGE_FORBIDDEN, NULL},
    {RBAC_ROLE_TEMPLATE_ADMIN,
     {NULL},
     {"member", NULL},
     RBAC_ROLE_CHANGE_FORBIDDEN,
     NULL},
    {0, {NULL}, {NULL}, RBAC_ROLE_CHANGE_FORBIDDEN, NULL},
    /* A user admin may grant only "member", which every change adds. */
    {RBAC_ROLE_USER_ADMIN, {NULL}, {NULL}, RBAC_ROLE_CHANGE_OK, NULL},
    {RBAC_ROLE_USER_ADMIN, {NULL}, {"member", NULL}, RBAC_ROLE_CHANGE_OK, NULL},
    {RBAC_ROLE_USER_ADMIN,
     {NULL},
     {"auditor", NULL},
     RBAC_ROLE_CHANGE_FORBIDDEN,
     NULL},
    {RBAC_ROLE_USER_ADMIN,
     {"auditor", NULL},
     {NULL},
     RBAC_ROLE_CHANGE_FORBIDDEN,
     NULL},
    {RBAC_ROLE_USER_ADMIN,
     {"auditor", NULL},
     {"auditor", NULL},
     RBAC_ROLE_CHANGE_OK,
     NULL},
};

static void rbac_role_change_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(change_cases) / sizeof(change_cases[0]);
         i++) {
        const struct change_case *c = &change_cases[i];
        struct rbac_subject s = subject(c->roles);
        struct strlist stored = list_of(c->stored);
        struct strlist requested = list_of(c->requested);
        const char *unknown = NULL;

        print_message("case %zu\n", i);
        assert_int_equal(
            rbac_check_role_change(&s, &stored, &requested, &unknown),
            c->expected);
        if (c->unknown != NULL)
            assert_string_equal(unknown, c->unknown);
        strlist_release(&stored);
        strlist_release(&requested);
    }
}

static void rbac_roles_to_store_drops_member(void **state)
{
    static const char *const names[] = {"auditor", "member", "owner", "auditor",
                                        NULL};
    struct strlist requested = list_of(names);
    struct strlist out = {0};

    (void)state;
    rbac_roles_to_store(&requested, &out);
    assert_int_equal(out.len, 2);
    assert_string_equal(out.items[0], "auditor");
    assert_string_equal(out.items[1], "owner");
    strlist_release(&requested);
    strlist_release(&out);
}

static void rbac_organization_reads(void **state)
{
    static const char *const orgs[] = {"org-a", NULL};
    struct strlist member_of = list_of(orgs);
    struct rbac_subject member = subject(0);
    struct rbac_subject owner = subject(RBAC_ROLE_OWNER);

    (void)state;
    assert_true(rbac_can_read_organization(&member, &member_of, "org-a"));
    assert_false(rbac_can_read_organization(&member, &member_of, "org-b"));
    assert_true(rbac_can_read_organization(&owner, &member_of, "org-b"));
    member.scope = APIKEY_SCOPE_APPLICATION_CONNECT;
    assert_false(rbac_can_read_organization(&member, &member_of, "org-a"));
    strlist_release(&member_of);
}

static void rbac_display_names(void **state)
{
    (void)state;
    assert_string_equal(rbac_role_display_name("user-admin"), "User Admin");
    assert_string_equal(rbac_role_display_name("organization-member"), "");
    assert_string_equal(rbac_role_display_name("custom"), "");
    assert_true(rbac_is_site_role("member"));
    assert_false(rbac_is_site_role("organization-admin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rbac_permission_matrix),
        cmocka_unit_test(rbac_app_connect_scope_denied),
        cmocka_unit_test(rbac_assignment_rights),
        cmocka_unit_test(rbac_role_change_cases),
        cmocka_unit_test(rbac_roles_to_store_drops_member),
        cmocka_unit_test(rbac_organization_reads),
        cmocka_unit_test(rbac_display_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
