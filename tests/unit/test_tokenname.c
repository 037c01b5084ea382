/* SPDX-License-Identifier: MIT */
/* Generated token names: their shape, their words and their spread. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/tokenname.h"

/* Check "<lower-case word>_<lower-case word>". */
static void assert_shape(const char *name)
{
    const char *underscore = strchr(name, '_');

    assert_non_null(underscore);
    assert_ptr_equal(strrchr(name, '_'), underscore);
    assert_true(underscore > name);
    assert_true(underscore[1] != '\0');
    for (const char *p = name; *p != '\0'; p++)
        assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
    assert_true(strlen(name) < TOKENNAME_MAX);
}

static void compose_every_pair(void **state)
{
    char name[TOKENNAME_MAX];

    (void)state;
    assert_true(tokenname_adjective_count() >= 32);
    assert_true(tokenname_noun_count() >= 32);
    for (size_t a = 0; a < tokenname_adjective_count(); a++) {
        for (size_t n = 0; n < tokenname_noun_count(); n++) {
            assert_int_equal(tokenname_compose(a, n, name), 0);
            assert_shape(name);
        }
    }
}

static void compose_out_of_range(void **state)
{
    char name[TOKENNAME_MAX] = "unchanged";

    (void)state;
    assert_int_equal(tokenname_compose(tokenname_adjective_count(), 0, name),
                     -1);
    assert_string_equal(name, "");
    assert_int_equal(tokenname_compose(0, tokenname_noun_count(), name), -1);
}

/* Each word list must hold distinct words, or some names repeat. */
static void words_are_distinct(void **state)
{
    char a[TOKENNAME_MAX];
    char b[TOKENNAME_MAX];

    (void)state;
    for (size_t i = 0; i < tokenname_adjective_count(); i++) {
        for (size_t j = i + 1; j < tokenname_adjective_count(); j++) {
            tokenname_compose(i, 0, a);
            tokenname_compose(j, 0, b);
            assert_string_not_equal(a, b);
        }
    }
    for (size_t i = 0; i < tokenname_noun_count(); i++) {
        for (size_t j = i + 1; j < tokenname_noun_count(); j++) {
            tokenname_compose(0, i, a);
            tokenname_compose(0, j, b);
            assert_string_not_equal(a, b);
        }
    }
}

/* Every generated name is one the lists can compose. */
static void generate_uses_the_lists(void **state)
{
    char name[TOKENNAME_MAX];
    char composed[TOKENNAME_MAX];

    (void)state;
    for (int round = 0; round < 200; round++) {
        bool found = false;

        assert_int_equal(tokenname_generate(name), 0);
        assert_shape(name);
        for (size_t a = 0; !found && a < tokenname_adjective_count(); a++) {
            for (size_t n = 0; !found && n < tokenname_noun_count(); n++) {
                tokenname_compose(a, n, composed);
                found = strcmp(name, composed) == 0;
            }
        }
        assert_true(found);
    }
}

/* With over a thousand names, 64 draws all alike would mean a broken
 * generator (chance below 10^-190 for a working one). */
static void generate_varies(void **state)
{
    char first[TOKENNAME_MAX];
    char name[TOKENNAME_MAX];
    bool differed = false;

    (void)state;
    assert_true(tokenname_adjective_count() * tokenname_noun_count() > 1000);
    assert_int_equal(tokenname_generate(first), 0);
    for (int round = 0; round < 64 && !differed; round++) {
        assert_int_equal(tokenname_generate(name), 0);
        differed = strcmp(first, name) != 0;
    }
    assert_true(differed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compose_every_pair),
        cmocka_unit_test(compose_out_of_range),
        cmocka_unit_test(words_are_distinct),
        cmocka_unit_test(generate_uses_the_lists),
        cmocka_unit_test(generate_varies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
