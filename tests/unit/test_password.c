/* SPDX-License-Identifier: MIT */
/* Password hashing in Coder's format and the strength rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/password.h"

/* Hashes computed with Python's hashlib.pbkdf2_hmac("sha256", ...), an
 * implementation independent of OpenSSL's. */
struct vector {
    const char *password;
    const char *hash;
};

static const struct vector vectors[] = {
    {"MyS3cure!Passw0rd",
     "$pbkdf2-sha256$65535$AAECAwQFBgcICQoLDA0ODw$6uDyv2uEJfv9mx54QvJyYi1jcV/"
     "MOsy76cAXygZO3oT9MV5Iw5liF1GemTiLdrr1LRAuv5ZKQRr3AXumwf2z/Q"},
    {"hunter2",
     "$pbkdf2-sha256$1024$MDEyMzQ1Njc4OWFiY2RlZg$Vq+GiqrnA+Zw8WyDZXK4aM6RsCeI+"
     "UV0nEQP1SMo2/HDRbfJKJ8NRiysRhiCUSEB6FULTYHL/ElixCRE5XUnwg"},
    {"Correct-Horse-Battery-42",
     "$pbkdf2-sha256$65535$/////////////////////w$zm9hwW2Q/xRrIPNH/"
     "fJoTF2RcKAtyB+qt5MSFI1NO733Vj1teutHOn+FrzyN1DH7CsFvYxeiMDp7ddlUO7g8jw"},
    {"",
     "$pbkdf2-sha256$1$AAAAAAAAAAAAAAAAAAAAAA$yMLvk2JPU/dGrVZkRB+eBPHd5shPjwoG"
     "aJ2fTvYewb0kk1s9HPAIdB9046GcappHSvs/OfTwU2QfjAM6bRHLbA"},
};

static void hash_matches_independent_vectors(void **state)
{
    static const unsigned char salt0[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                            8, 9, 10, 11, 12, 13, 14, 15};
    char out[PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(
        password_hash_with_salt(vectors[0].password, salt0, 16, 65535, out), 0);
    assert_string_equal(out, vectors[0].hash);
}

static void verify_accepts_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
        assert_int_equal(password_verify(vectors[i].hash, vectors[i].password),
                         PASSWORD_MATCH);
}

static void verify_rejects_wrong_password(void **state)
{
    (void)state;
    assert_int_equal(password_verify(vectors[1].hash, "hunter3"),
                     PASSWORD_MISMATCH);
    assert_int_equal(password_verify(vectors[1].hash, ""), PASSWORD_MISMATCH);
}

static void verify_empty_hash_never_matches(void **state)
{
    (void)state;
    assert_int_equal(password_verify("", ""), PASSWORD_MISMATCH);
    assert_int_equal(password_verify("", "hunter2"), PASSWORD_MISMATCH);
    assert_int_equal(password_verify(NULL, "anything"), PASSWORD_MISMATCH);
}

static void verify_rejects_malformed_hashes(void **state)
{
    static const char *const bad[] = {
        "short",
        "pbkdf2-sha256$65535$AAECAwQFBgcICQoLDA0ODw$6uDyv2uEJfv9mx54QvJyYi1jcV"
        "MOsy76cAXygZO3oT9MV5Iw5",
        "$bcrypt$65535$AAECAwQFBgcICQoLDA0ODw$6uDyv2uEJfv9mx54QvJyYi1jcVMOsy76"
        "cAXygZO3oT9MV5Iw5liF1",
        "$pbkdf2-sha256$many$AAECAwQFBgcICQoLDA0ODw$6uDyv2uEJfv9mx54QvJyYi1jcV"
        "MOsy76cAXygZO3oT9MV5",
        "$pbkdf2-sha256$65535$AAEC!!!FBgcICQoLDA0ODw$6uDyv2uEJfv9mx54QvJyYi1jc"
        "VMOsy76cAXygZO3oT9MV5",
        "$pbkdf2-sha256$999999999$AAECAwQFBgcICQoLDA0ODw$6uDyv2uEJfv9mx54QvJyY"
        "i1jcVMOsy76cAXygZO3oT9",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(password_verify(bad[i], "x"), PASSWORD_BAD_HASH);
}

static void hash_has_coder_shape(void **state)
{
    char out[PASSWORD_HASH_MAX];
    char again[PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(password_hash("MyS3cure!Passw0rd", out), 0);
    assert_memory_equal(out, "$pbkdf2-sha256$65535$", 21);
    /* 22 characters of salt, "$", 86 of key. */
    assert_int_equal(strlen(out), 21 + 22 + 1 + 86);
    assert_int_equal(password_verify(out, "MyS3cure!Passw0rd"), PASSWORD_MATCH);
    assert_int_equal(password_hash("MyS3cure!Passw0rd", again), 0);
    assert_string_not_equal(out, again);
}

/* Entropy values from a second implementation of go-password-validator
 * 0.3.0's model (base times the shortened length). */
struct entropy_case {
    const char *password;
    double bits;
};

static const struct entropy_case entropies[] = {
    {"password", 37.603518},
    {"MyS3cure!Passw0rd", 103.123516},
    {"aaaa", 9.400879},
    {"12121234", 23.253497},
    {"abcdefgh", 9.400879},
    {"qwertyuiop", 9.400879},
    {"zyxwvuts", 9.400879},
    {"Correct-Horse-Battery-42", 145.586141},
    {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "abc",
     28.529325},
    {"Tr0ub4dor&3", 66.726981},
    {"correcthorsebatterystaple", 117.510993},
    {"", 0.0},
    {"hunter2", 36.189475},
    {"P@ss w0rd!ABCdefg", 92.548875},
};

static void entropy_matches_reference_model(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(entropies) / sizeof(entropies[0]); i++) {
        print_message("password %s\n", entropies[i].password);
        assert_float_equal(password_entropy(entropies[i].password),
                           entropies[i].bits, 0.0001);
    }
}

static void strength_rule_reasons(void **state)
{
    char reason[256];
    char long_password[80];

    (void)state;
    assert_int_equal(
        password_check_strength("password", reason, sizeof(reason)), -1);
    assert_string_equal(reason,
                        "insecure password, try including more special "
                        "characters, using uppercase letters, using numbers "
                        "or using a longer password");
    assert_int_equal(password_check_strength("", reason, sizeof(reason)), -1);
    assert_int_equal(
        password_check_strength("MyS3cure!Passw0rd", reason, sizeof(reason)),
        0);

    memset(long_password, 0, sizeof(long_password));
    for (int i = 0; i < 65; i++)
        long_password[i] = (char)("Ab3$xY7%"[i % 8] + (i / 8) % 3);
    assert_int_equal(
        password_check_strength(long_password, reason, sizeof(reason)), -1);
    assert_string_equal(reason, "password must be no more than 64 characters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_matches_independent_vectors),
        cmocka_unit_test(verify_accepts_vectors),
        cmocka_unit_test(verify_rejects_wrong_password),
        cmocka_unit_test(verify_empty_hash_never_matches),
        cmocka_unit_test(verify_rejects_malformed_hashes),
        cmocka_unit_test(hash_has_coder_shape),
        cmocka_unit_test(entropy_matches_reference_model),
        cmocka_unit_test(strength_rule_reasons),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
