/* SPDX-License-Identifier: MIT */
/* The limit, offset and after_id parameters and their error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/pagination.h"

struct bad_case {
    const char *after_id;
    const char *limit;
    const char *offset;
    const char *field;
    const char *detail;
};

static const struct bad_case bad_cases[] = {
    {NULL, NULL, "-1", "offset",
     "Query param \"offset\" must be a valid 32-bit positive integer: value "
     "is negative"},
    {NULL, "-5", NULL, "limit",
     "Query param \"limit\" must be a valid 32-bit positive integer: value "
     "is negative"},
    {NULL, "1000000000000", NULL, "limit",
     "Query param \"limit\" must be a valid 32-bit positive integer: "
     "strconv.ParseInt: parsing \"1000000000000\": value out of range"},
    {NULL, NULL, "2147483648", "offset",
     "Query param \"offset\" must be a valid 32-bit positive integer: "
     "strconv.ParseInt: parsing \"2147483648\": value out of range"},
    {NULL, "ten", NULL, "limit",
     "Query param \"limit\" must be a valid 32-bit positive integer: "
     "strconv.ParseInt: parsing \"ten\": invalid syntax"},
    {NULL, "1.5", NULL, "limit",
     "Query param \"limit\" must be a valid 32-bit positive integer: "
     "strconv.ParseInt: parsing \"1.5\": invalid syntax"},
    {NULL, " 1", NULL, "limit",
     "Query param \"limit\" must be a valid 32-bit positive integer: "
     "strconv.ParseInt: parsing \" 1\": invalid syntax"},
    {NULL, "\"", NULL, "limit",
     "Query param \"limit\" must be a valid 32-bit positive integer: "
     "strconv.ParseInt: parsing \"\\\"\": invalid syntax"},
    {"not-a-uuid", NULL, NULL, "after_id",
     "Query param \"after_id\" must be a valid uuid"},
    {"%00", NULL, NULL, "after_id",
     "Query param \"after_id\" must be a valid uuid"},
};

static void pagination_error_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct pagination page = {0};
        struct validation_errors errors = {0};

        print_message("case %zu\n", i);
        assert_int_equal(
            pagination_parse(c->after_id, c->limit, c->offset, &page, &errors),
            -1);
        assert_int_equal(validation_errors_count(&errors), 1);
        assert_string_equal(errors.fields.items[0], c->field);
        assert_string_equal(errors.details.items[0], c->detail);
        validation_errors_release(&errors);
    }
}

static void pagination_one_error_per_parameter(void **state)
{
    struct pagination page = {0};
    struct validation_errors errors = {0};

    (void)state;
    assert_int_equal(pagination_parse("x", "ten", "-1", &page, &errors), -1);
    assert_int_equal(validation_errors_count(&errors), 3);
    assert_string_equal(errors.fields.items[0], "after_id");
    assert_string_equal(errors.fields.items[1], "limit");
    assert_string_equal(errors.fields.items[2], "offset");
    validation_errors_release(&errors);
}

static void pagination_defaults(void **state)
{
    struct pagination page;
    struct validation_errors errors = {0};

    (void)state;
    memset(&page, 0xff, sizeof(page));
    assert_int_equal(pagination_parse(NULL, NULL, NULL, &page, &errors), 0);
    assert_false(page.has_after_id);
    assert_true(page.limit == 0);
    assert_true(page.offset == 0);
    assert_int_equal(pagination_parse("", "", "", &page, &errors), 0);
    assert_false(page.has_after_id);
    assert_true(page.limit == 0);
    assert_int_equal(validation_errors_count(&errors), 0);
}

static void pagination_bounds(void **state)
{
    struct pagination page;
    struct validation_errors errors = {0};

    (void)state;
    assert_int_equal(pagination_parse(NULL, "1", "2147483647", &page, &errors),
                     0);
    assert_true(page.limit == 1);
    assert_true(page.offset == 2147483647);
    assert_int_equal(pagination_parse(NULL, "0", "0", &page, &errors), 0);
    assert_true(page.limit == 0);
    assert_int_equal(pagination_parse(NULL, "+7", "-0", &page, &errors), 0);
    assert_true(page.limit == 7);
    assert_true(page.offset == 0);
    assert_int_equal(validation_errors_count(&errors), 0);
}

static void pagination_after_id_forms(void **state)
{
    struct pagination page;
    struct validation_errors errors = {0};

    (void)state;
    assert_int_equal(pagination_parse("6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
                                      NULL, NULL, &page, &errors),
                     0);
    assert_true(page.has_after_id);
    assert_string_equal(page.after_id, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    assert_int_equal(pagination_parse("00000000-0000-0000-0000-000000000000",
                                      NULL, NULL, &page, &errors),
                     0);
    assert_false(page.has_after_id);
    assert_int_equal(validation_errors_count(&errors), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pagination_error_texts),
        cmocka_unit_test(pagination_one_error_per_parameter),
        cmocka_unit_test(pagination_defaults),
        cmocka_unit_test(pagination_bounds),
        cmocka_unit_test(pagination_after_id_forms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
