/* SPDX-License-Identifier: MIT */
/* Site roles and the permission checks of the Users API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/rbac.h"

#define SELF "11111111-1111-4111-8111-111111111111"
#define OTHER "22222222-2222-4222-8222-222222222222"

static struct rbac_subject subject(unsigned roles)
{
    struct rbac_subject s = {SELF, roles, APIKEY_SCOPE_ALL};

    return s;
}

static void members_see_only_themselves(void **state)
{
    struct rbac_subject member = subject(0);

    (void)state;
    assert_true(rbac_allowed(&member, RBAC_USER_READ, SELF));
    assert_false(rbac_allowed(&member, RBAC_USER_READ, OTHER));
    assert_true(rbac_allowed(&member, RBAC_USER_UPDATE_PERSONAL, SELF));
    assert_false(rbac_allowed(&member, RBAC_USER_UPDATE, SELF));
    assert_false(rbac_allowed(&member, RBAC_USER_CREATE, NULL));
    assert_true(rbac_allowed(&member, RBAC_APIKEY_CREATE, SELF));
    assert_false(rbac_allowed(&member, RBAC_APIKEY_READ, OTHER));
}

static void readers_cannot_change_users(void **state)
{
    unsigned readers[] = {RBAC_ROLE_TEMPLATE_ADMIN, RBAC_ROLE_AUDITOR};

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        struct rbac_subject s = subject(readers[i]);

        assert_true(rbac_allowed(&s, RBAC_USER_READ, OTHER));
        assert_false(rbac_allowed(&s, RBAC_USER_UPDATE, OTHER));
        assert_false(rbac_allowed(&s, RBAC_USER_DELETE, OTHER));
        assert_false(rbac_allowed(&s, RBAC_USER_READ_PERSONAL, OTHER));
        assert_false(rbac_allowed(&s, RBAC_USER_UPDATE_PERSONAL, OTHER));
        assert_false(rbac_can_assign_any(&s));
    }
}

static void user_admins_manage_users_not_keys(void **state)
{
    struct rbac_subject s = subject(RBAC_ROLE_USER_ADMIN);

    (void)state;
    assert_true(rbac_allowed(&s, RBAC_USER_CREATE, NULL));
    assert_true(rbac_allowed(&s, RBAC_USER_DELETE, OTHER));
    assert_true(rbac_allowed(&s, RBAC_USER_UPDATE_PERSONAL, OTHER));
    assert_false(rbac_allowed(&s, RBAC_APIKEY_CREATE, OTHER));
    assert_true(rbac_can_assign(&s, "member"));
    assert_false(rbac_can_assign(&s, "auditor"));
    assert_false(rbac_can_assign(&s, "owner"));
}

static void owners_may_do_everything(void **state)
{
    struct rbac_subject s = subject(RBAC_ROLE_OWNER);

    (void)state;
    assert_true(rbac_allowed(&s, RBAC_APIKEY_DELETE, OTHER));
    assert_true(rbac_allowed(&s, RBAC_ORGANIZATION_READ_ALL, NULL));
    assert_true(rbac_can_assign(&s, "owner"));
    assert_true(rbac_can_assign(&s, "auditor"));
}

static void app_connect_keys_may_do_nothing(void **state)
{
    struct rbac_subject s = subject(RBAC_ROLE_OWNER);

    (void)state;
    s.scope = APIKEY_SCOPE_APPLICATION_CONNECT;
    assert_false(rbac_allowed(&s, RBAC_USER_READ, SELF));
    assert_false(rbac_can_assign(&s, "member"));
}

static void role_names_and_display_names(void **state)
{
    struct strlist names = {0};

    (void)state;
    strlist_push(&names, "auditor");
    strlist_push(&names, "owner");
    strlist_push(&names, "custom-thing");
    assert_int_equal(rbac_roles_from_names(&names),
                     RBAC_ROLE_AUDITOR | RBAC_ROLE_OWNER);
    strlist_release(&names);
    assert_string_equal(rbac_role_display_name("user-admin"), "User Admin");
    assert_string_equal(rbac_role_display_name("organization-member"), "");
    assert_string_equal(rbac_role_display_name("nope"), "");
    assert_true(rbac_is_site_role("member"));
    assert_false(rbac_is_site_role("organization-admin"));
    assert_false(rbac_is_site_role("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(members_see_only_themselves),
        cmocka_unit_test(readers_cannot_change_users),
        cmocka_unit_test(user_admins_manage_users_not_keys),
        cmocka_unit_test(owners_may_do_everything),
        cmocka_unit_test(app_connect_keys_may_do_nothing),
        cmocka_unit_test(role_names_and_display_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
