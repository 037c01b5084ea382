/* SPDX-License-Identifier: MIT */
/*
 * The password strength check against a plain reference: the same model
 * written the direct way, one deletion and one search at a time, which
 * takes time quadratic in the length. The two must agree on every input.
 * The check itself must do work in proportion to the length.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/password.h"
#include "core/password_internal.h"
#include "util/utf8.h"

/* ----- The reference --------------------------------------------------- */

/* Steps the reference takes: loop turns, plus one per element moved. */
static uint64_t ref_steps;

static const char ref_replace[] = "!@$&*";
static const char ref_sep[] = "_-., ";
static const char ref_other[] = "\"#%'()+/:;<=>?[\\]^{|}~";
static const char ref_lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char ref_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char ref_digit[] = "0123456789";

/* Index of the class of c in the sets below, or 6 for none. */
static int ref_classify(uint32_t c)
{
    static const char *const sets[] = {ref_replace, ref_sep,   ref_other,
                                       ref_lower,   ref_upper, ref_digit};

    if (c == 0 || c > 0x7f)
        return 6;
    for (int i = 0; i < 6; i++) {
        if (strchr(sets[i], (int)c) != NULL)
            return i;
    }
    return 6;
}

static uint32_t *ref_decode(const char *password, size_t *count)
{
    size_t len = strlen(password);
    uint32_t *runes = calloc(len + 1, sizeof(uint32_t));
    size_t n = 0;

    assert_non_null(runes);
    for (size_t i = 0; i < len;) {
        ref_steps++;
        i += utf8_decode(password + i, len - i, &runes[n++]);
    }
    *count = n;
    return runes;
}

static bool ref_seen_before(const uint32_t *runes, size_t index)
{
    for (size_t j = 0; j < index; j++) {
        ref_steps++;
        if (runes[j] == runes[index])
            return true;
    }
    return false;
}

static int ref_base(const uint32_t *runes, size_t count)
{
    static const int sizes[] = {
        sizeof(ref_replace) - 1, sizeof(ref_sep) - 1,   sizeof(ref_other) - 1,
        sizeof(ref_lower) - 1,   sizeof(ref_upper) - 1, sizeof(ref_digit) - 1,
    };
    bool used[6] = {false};
    int base = 0;

    for (size_t i = 0; i < count; i++) {
        int cls;

        ref_steps++;
        if (ref_seen_before(runes, i))
            continue;
        cls = ref_classify(runes[i]);
        if (cls == 6)
            base++;
        else
            used[cls] = true;
    }
    for (int i = 0; i < 6; i++) {
        if (used[i])
            base += sizes[i];
    }
    return base;
}

static void ref_delete(uint32_t *runes, size_t *count, size_t index)
{
    size_t tail = *count - index - 1;

    ref_steps += tail;
    memmove(runes + index, runes + index + 1, tail * sizeof(uint32_t));
    (*count)--;
}

static void ref_drop_repeats(uint32_t *runes, size_t *count)
{
    uint32_t prev = 0;
    uint32_t prev_prev = 0;

    for (size_t i = 0; i < *count; i++) {
        uint32_t c = runes[i];

        ref_steps++;
        if (c == prev && c == prev_prev) {
            ref_delete(runes, count, i);
            i--;
        }
        prev_prev = prev;
        prev = c;
    }
}

static void ref_drop_sequence(uint32_t *runes, size_t *count, const char *seq,
                              bool reversed)
{
    size_t seq_len = strlen(seq);
    int matches = 0;

    for (size_t i = 0; i < *count; i++) {
        for (size_t j = 0; j < seq_len; j++) {
            uint32_t expect;

            ref_steps++;
            if (i >= *count)
                break;
            expect = (unsigned char)seq[reversed ? seq_len - 1 - j : j];
            if (runes[i] != expect) {
                matches = 0;
                continue;
            }
            matches++;
            if (matches > 2)
                ref_delete(runes, count, i);
            else
                i++;
        }
    }
}

static size_t ref_length(uint32_t *runes, size_t count)
{
    static const char *const seqs[] = {"0123456789", "qwertyuiop", "asdfghjkl",
                                       "zxcvbnm", ref_lower};
    size_t bytes = 0;

    ref_drop_repeats(runes, &count);
    for (size_t i = 0; i < 5; i++)
        ref_drop_sequence(runes, &count, seqs[i], false);
    for (size_t i = 0; i < 5; i++)
        ref_drop_sequence(runes, &count, seqs[i], true);
    for (size_t i = 0; i < count; i++) {
        uint32_t c = runes[i];

        ref_steps++;
        if (c < 0x80)
            bytes += 1;
        else if (c < 0x800)
            bytes += 2;
        else if (c < 0x10000)
            bytes += 3;
        else
            bytes += 4;
    }
    return bytes;
}

static double ref_entropy(const char *password)
{
    size_t count;
    uint32_t *runes = ref_decode(password, &count);
    int base = ref_base(runes, count);
    size_t length = ref_length(runes, count);
    double bits = 0.0;

    for (size_t i = 0; i < length; i++) {
        ref_steps++;
        bits += log2((double)base);
    }
    free(runes);
    return bits;
}

/* The rule with Coder's texts, built the long way. */
static int ref_check(const char *password, char *reason, size_t size)
{
    size_t count;
    uint32_t *runes;
    bool used[7] = {false};
    char hints[256] = "";
    int n = 0;

    if (ref_entropy(password) >= 52.0) {
        if (strlen(password) <= 64)
            return 0;
        snprintf(reason, size, "password must be no more than 64 characters");
        return -1;
    }
    runes = ref_decode(password, &count);
    for (size_t i = 0; i < count; i++)
        used[ref_classify(runes[i])] = true;
    free(runes);

    if (!used[2] || !used[1] || !used[0])
        n += snprintf(hints + n, sizeof(hints) - (size_t)n, "%s",
                      "including more special characters, ");
    if (!used[3])
        n += snprintf(hints + n, sizeof(hints) - (size_t)n, "%s",
                      "using lowercase letters, ");
    if (!used[4])
        n += snprintf(hints + n, sizeof(hints) - (size_t)n, "%s",
                      "using uppercase letters, ");
    if (!used[5])
        n += snprintf(hints + n, sizeof(hints) - (size_t)n, "%s",
                      "using numbers, ");
    /* The last hint is joined to the final one with " or ". */
    if (n > 0)
        hints[n - 2] = '\0';
    snprintf(reason, size, "insecure password, try %s%susing a longer password",
             hints, n > 0 ? " or " : "");
    return -1;
}

/* ----- Inputs ---------------------------------------------------------- */

/* A fixed seed, so that a failure can be replayed. */
static uint64_t rng_state = 0x5eed0fc0ffee1234u;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng_next() % n);
}

/* A NUL-terminated string grown byte by byte up to a fixed capacity. */
struct text {
    char *data;
    size_t len;
    size_t cap;
};

static void text_init(struct text *t, size_t cap)
{
    t->data = malloc(cap + 1);
    assert_non_null(t->data);
    t->len = 0;
    t->cap = cap;
    t->data[0] = '\0';
}

static bool text_full(const struct text *t)
{
    return t->len >= t->cap;
}

/* Append as many of the bytes as fit. The callers never pass NUL. */
static void text_add(struct text *t, const char *bytes, size_t n)
{
    if (n > t->cap - t->len)
        n = t->cap - t->len;
    memcpy(t->data + t->len, bytes, n);
    t->len += n;
    t->data[t->len] = '\0';
}

/* Append the UTF-8 form of c if it fits whole, and return whether it
 * did. */
static bool text_add_rune(struct text *t, uint32_t c)
{
    char out[4];
    size_t n;

    if (c < 0x80) {
        out[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        out[0] = (char)(0xf0 | c >> 18);
        out[1] = (char)(0x80 | (c >> 12 & 0x3f));
        out[2] = (char)(0x80 | (c >> 6 & 0x3f));
        out[3] = (char)(0x80 | (c & 0x3f));
        n = 4;
    }
    if (n > t->cap - t->len)
        return false;
    text_add(t, out, n);
    return true;
}

static const char *const sequences[] = {
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
};

/* Printable ASCII with a few control characters. */
static void gen_ascii(struct text *t)
{
    while (!text_full(t)) {
        char c = rng_below(20) == 0 ? (char)(1 + rng_below(31))
                                    : (char)(0x20 + rng_below(0x5f));

        text_add(t, &c, 1);
    }
}

/* Pieces of the sequences either way round, runs of one character and
 * single characters, so that the walks meet every case. */
static void gen_runs(struct text *t)
{
    static const char singles[] = "aq0zm9p!_ Xk";

    while (!text_full(t)) {
        size_t kind = rng_below(4);
        const char *seq = sequences[rng_below(5)];
        size_t len = strlen(seq);
        size_t start = rng_below(len);
        size_t run = 1 + rng_below(len - start);
        bool reversed = rng_below(2) == 0;
        char c = singles[rng_below(sizeof(singles) - 1)];

        if (kind == 0) {
            for (size_t k = 0; k < run; k++) {
                size_t at = start + k;

                text_add(t, &seq[reversed ? len - 1 - at : at], 1);
            }
        } else if (kind == 1) {
            for (size_t k = 0, n = 1 + rng_below(5); k < n; k++)
                text_add(t, &c, 1);
        } else {
            text_add(t, &c, 1);
        }
    }
}

/* A code point from one of the UTF-8 lengths, never a surrogate. */
static uint32_t random_rune(void)
{
    switch (rng_below(6)) {
    case 0:
        return (uint32_t)(0x80 + rng_below(0x780));
    case 1:
        return (uint32_t)(0xe000 + rng_below(0x2000));
    case 2:
        return (uint32_t)(0x800 + rng_below(0xd000));
    case 3:
        return (uint32_t)(0x10000 + rng_below(0x100000));
    case 4:
        return UTF8_REPLACEMENT;
    default:
        return (uint32_t)(0x21 + rng_below(0x5e));
    }
}

/* Multi-byte characters among ASCII, some of them repeated. */
static void gen_utf8(struct text *t)
{
    while (!text_full(t)) {
        uint32_t c = random_rune();
        size_t times = rng_below(4) == 0 ? 1 + rng_below(5) : 1;

        for (size_t k = 0; k < times; k++) {
            if (!text_add_rune(t, c))
                text_add(t, "x", 1);
        }
    }
}

/* Any bytes but NUL, with the malformed forms the decoder replaces. */
static void gen_bytes(struct text *t)
{
    static const char *const bad[] = {
        "\xc0\xaf",         /* overlong "/" */
        "\xed\xa0\x80",     /* a surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xe2\x82",         /* truncated */
        "\xef\xbf\xbd",     /* a real U+FFFD */
        "\x80\x80\x80",     /* continuation bytes alone */
        "\xff\xfe",
    };

    while (!text_full(t)) {
        char c = (char)(1 + rng_below(255));

        if (rng_below(8) == 0) {
            const char *b = bad[rng_below(sizeof(bad) / sizeof(bad[0]))];

            text_add(t, b, strlen(b));
        } else {
            text_add(t, &c, 1);
        }
    }
}

/* ----- Comparison ------------------------------------------------------ */

static void print_hex(const char *password)
{
    size_t len = strlen(password);

    print_error("password (%zu bytes):", len);
    for (size_t i = 0; i < len && i < 256; i++)
        print_error(" %02x", (unsigned char)password[i]);
    print_error("%s\n", len > 256 ? " ..." : "");
}

/* Fail unless both implementations give the same bits, verdict and
 * reason for password. */
static void check_same(const char *password)
{
    char reason[256] = "";
    char ref_reason[256] = "";
    double bits = password_entropy(password);
    double ref_bits = ref_entropy(password);
    int rc = password_check_strength(password, reason, sizeof(reason));
    int ref_rc = ref_check(password, ref_reason, sizeof(ref_reason));

    if (bits != ref_bits || rc != ref_rc || strcmp(reason, ref_reason) != 0) {
        print_hex(password);
        print_error("entropy %.17g, reference %.17g\n", bits, ref_bits);
        print_error("verdict %d \"%s\", reference %d \"%s\"\n", rc, reason,
                    ref_rc, ref_reason);
        fail();
    }
}

static void compare_generated(void (*gen)(struct text *), size_t count,
                              size_t max_len)
{
    for (size_t i = 0; i < count; i++) {
        struct text t;

        text_init(&t, rng_below(max_len + 1));
        gen(&t);
        check_same(t.data);
        free(t.data);
    }
}

static void reference_agrees_with_known_values(void **state)
{
    (void)state;
    assert_float_equal(ref_entropy("password"), 37.603518, 0.0001);
    assert_float_equal(ref_entropy("12121234"), 23.253497, 0.0001);
    assert_float_equal(ref_entropy("zyxwvuts"), 9.400879, 0.0001);
    assert_float_equal(ref_entropy("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                   "abc"),
                       28.529325, 0.0001);
}

static void matches_reference_on_every_short_string(void **state)
{
    static const char alphabet[] = "abcz321";
    size_t n = sizeof(alphabet) - 1;
    char s[7];

    (void)state;
    /* Every string of up to six characters over the alphabet. */
    for (size_t len = 0; len <= 6; len++) {
        size_t total = 1;

        for (size_t k = 0; k < len; k++)
            total *= n;
        for (size_t code = 0; code < total; code++) {
            size_t rest = code;

            for (size_t k = 0; k < len; k++) {
                s[k] = alphabet[rest % n];
                rest /= n;
            }
            s[len] = '\0';
            check_same(s);
        }
    }
}

static void matches_reference_on_ascii(void **state)
{
    (void)state;
    compare_generated(gen_ascii, 3000, 80);
    compare_generated(gen_ascii, 100, 4000);
}

static void matches_reference_on_sequences_and_repeats(void **state)
{
    (void)state;
    compare_generated(gen_runs, 5000, 80);
    compare_generated(gen_runs, 200, 4000);
}

static void matches_reference_on_utf8(void **state)
{
    (void)state;
    compare_generated(gen_utf8, 3000, 80);
    compare_generated(gen_utf8, 100, 4000);
}

static void matches_reference_on_invalid_utf8(void **state)
{
    (void)state;
    compare_generated(gen_bytes, 3000, 80);
    compare_generated(gen_bytes, 100, 4000);
}

static void matches_reference_on_fixed_cases(void **state)
{
    static const char *const cases[] = {
        "",
        "a",
        "aaa",
        "0123456789",
        "9876543210",
        "01234567890123",
        "0123456789X0123",
        "abcdefghijklmnopqrstuvwxyzabc",
        "zyxwvutsrqponmlkjihgfedcbaz",
        "qwertyuiopqwe",
        "poiuytrewq",
        "asdfghjkllkjhgfdsa",
        "zxcvbnmmnbvcxz",
        "abcabcabc",
        "aabbccddeeff",
        "1a2b3c",
        "MyS3cure!Passw0rd",
        "Correct-Horse-Battery-42",
        "\xef\xbf\xbd\xff\xef\xbf\xbd\xfe",
        "\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91key",
        "`\x01\x7f`",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_same(cases[i]);
}

/* ----- Work ------------------------------------------------------------ */

/*
 * Steps allowed per input byte. Each character is decoded, counted into
 * the base, checked for repeats and fed to the ten sequence walks: at
 * most 13 steps, and there are no more characters than bytes. Then one
 * term per byte of what is left, up to three per input byte (an invalid
 * byte stands for the three bytes of U+FFFD), and one step per byte for
 * the weakness reason: 17 in all. A quadratic check exceeds any such
 * bound once the password is long enough.
 */
#define STEPS_PER_BYTE 20

static void fill_repeat(struct text *t, const char *unit)
{
    while (!text_full(t))
        text_add(t, unit, strlen(unit));
}

static void fill_same(struct text *t)
{
    fill_repeat(t, "a");
}

static void fill_digits(struct text *t)
{
    fill_repeat(t, "0123456789");
}

static void fill_alphabet(struct text *t)
{
    fill_repeat(t, "abcdefghijklmnopqrstuvwxyz");
}

static void fill_reversed(struct text *t)
{
    fill_repeat(t, "9876543210zyxwvutsrqponmlkjihgfedcba");
}

static void fill_keyboard(struct text *t)
{
    fill_repeat(t, "qwertyuiopasdfghjklzxcvbnm");
}

/* As many different characters as fit, from U+0080 up. */
static void fill_distinct(struct text *t)
{
    uint32_t c = 0x80;

    while (c < 0x110000 && text_add_rune(t, c))
        c = c == 0xd7ff ? 0xe000 : c + 1;
}

struct shape {
    const char *name;
    void (*fill)(struct text *);
    /* The reference takes time quadratic in the length on this shape. */
    bool quadratic;
};

static const struct shape shapes[] = {
    {"one character", fill_same, true},
    {"digits", fill_digits, true},
    {"alphabet", fill_alphabet, true},
    {"reversed", fill_reversed, true},
    {"keyboard", fill_keyboard, true},
    {"distinct characters", fill_distinct, true},
    {"random bytes", gen_bytes, false},
    {"sequence pieces", gen_runs, false},
    {"utf-8", gen_utf8, false},
};

static uint64_t steps_for(const struct shape *shape, size_t len)
{
    struct text t;
    char reason[256];
    uint64_t steps = 0;

    text_init(&t, len);
    shape->fill(&t);
    password_check_strength_counted(t.data, reason, sizeof(reason), &steps);
    free(t.data);
    return steps;
}

static void work_grows_linearly_up_to_a_body(void **state)
{
    size_t len = 1024 * 1024;

    (void)state;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        uint64_t steps = steps_for(&shapes[i], len);

        print_message("%s: %llu steps for %zu bytes\n", shapes[i].name,
                      (unsigned long long)steps, len);
        assert_true(steps <= (uint64_t)STEPS_PER_BYTE * len);
    }
}

/* The quadratic shapes above make the reference exceed the bound ten
 * times over, even at a sixty-fourth of the length. */
static void reference_exceeds_the_bound(void **state)
{
    size_t len = 16 * 1024;

    (void)state;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        struct text t;
        char reason[256];

        if (!shapes[i].quadratic)
            continue;
        text_init(&t, len);
        shapes[i].fill(&t);
        ref_steps = 0;
        ref_check(t.data, reason, sizeof(reason));
        print_message("%s: reference %llu steps for %zu bytes\n",
                      shapes[i].name, (unsigned long long)ref_steps, len);
        assert_true(ref_steps > (uint64_t)STEPS_PER_BYTE * len * 10);
        free(t.data);
    }
}

static void long_inputs_keep_their_verdicts(void **state)
{
    struct text t;
    char reason[256];

    (void)state;
    text_init(&t, 1024 * 1024);
    fill_same(&t);
    assert_float_equal(password_entropy(t.data), 9.400879, 0.0001);
    assert_int_equal(password_check_strength(t.data, reason, sizeof(reason)),
                     -1);
    assert_string_equal(reason,
                        "insecure password, try including more special "
                        "characters, using uppercase letters, using numbers "
                        "or using a longer password");
    free(t.data);

    text_init(&t, 1024 * 1024);
    fill_distinct(&t);
    assert_int_equal(password_check_strength(t.data, reason, sizeof(reason)),
                     -1);
    assert_string_equal(reason, "password must be no more than 64 characters");
    free(t.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_agrees_with_known_values),
        cmocka_unit_test(matches_reference_on_fixed_cases),
        cmocka_unit_test(matches_reference_on_every_short_string),
        cmocka_unit_test(matches_reference_on_ascii),
        cmocka_unit_test(matches_reference_on_sequences_and_repeats),
        cmocka_unit_test(matches_reference_on_utf8),
        cmocka_unit_test(matches_reference_on_invalid_utf8),
        cmocka_unit_test(work_grows_linearly_up_to_a_body),
        cmocka_unit_test(reference_exceeds_the_bound),
        cmocka_unit_test(long_inputs_keep_their_verdicts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
