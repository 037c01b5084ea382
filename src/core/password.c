/* SPDX-License-Identifier: MIT */
/*
 * Password hashing and strength rules compatible with Coder: PBKDF2 hashes
 * in Coder's text format, and the entropy model of go-password-validator
 * 0.3.0 (the version Coder's go.mod names), rewritten from its description.
 */
#include "core/password.h"

#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/number.h"
#include "util/random.h"
#include "util/utf8.h"

/* Hashes with more iterations than this are treated as unreadable, so that
 * a damaged row cannot make one login take minutes. */
#define PASSWORD_ITERATIONS_LIMIT 10000000

static const char scheme[] = "pbkdf2-sha256";

int password_hash_with_salt(const char *password, const unsigned char *salt,
                            size_t salt_len, int iterations,
                            char out[PASSWORD_HASH_MAX])
{
    unsigned char key[PASSWORD_KEY_LEN];
    char salt_text[64];
    char key_text[base64_raw_encoded_len(PASSWORD_KEY_LEN) + 1];
    int n;

    if (salt_len > 45 || iterations < 1)
        return -1;
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len,
                          iterations, EVP_sha256(), sizeof(key), key) != 1)
        return -1;
    base64_raw_encode(salt, salt_len, salt_text);
    base64_raw_encode(key, sizeof(key), key_text);
    n = snprintf(out, PASSWORD_HASH_MAX, "$%s$%d$%s$%s", scheme, iterations,
                 salt_text, key_text);
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(key_text, sizeof(key_text));
    return n > 0 && n < PASSWORD_HASH_MAX ? 0 : -1;
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    unsigned char salt[PASSWORD_SALT_LEN];

    if (random_bytes(salt, sizeof(salt)) != 0)
        return -1;
    return password_hash_with_salt(password, salt, sizeof(salt),
                                   PASSWORD_ITERATIONS, out);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PASSWORD_HASH_MAX];

/* The stand-in hash for users without one. It hashes a random password
 * that is never stored, so that no guess can match it. */
static void make_dummy_hash(void)
{
    char secret[33];

    if (random_alnum(secret, 32) != 0 || password_hash(secret, dummy_hash) != 0)
        dummy_hash[0] = '\0';
    OPENSSL_cleanse(secret, sizeof(secret));
}

/*
 * Split a stored hash into its iteration count and salt, following Coder's
 * reader: at least 64 characters, five "$"-separated parts (the last may
 * contain "$"), an empty first part, the pbkdf2-sha256 scheme, an integer
 * iteration count and a base64 salt.
 */
static int parse_hash(const char *hashed, int *iterations, unsigned char *salt,
                      size_t *salt_len)
{
    const char *parts[5];
    size_t lens[5];
    const char *p = hashed;
    char field[64];
    int64_t iter;

    if (strlen(hashed) < 64)
        return -1;
    for (int i = 0; i < 4; i++) {
        const char *dollar = strchr(p, '$');

        if (dollar == NULL)
            return -1;
        parts[i] = p;
        lens[i] = (size_t)(dollar - p);
        p = dollar + 1;
    }
    parts[4] = p;
    lens[4] = strlen(p);
    if (lens[0] != 0 || lens[1] != strlen(scheme) ||
        memcmp(parts[1], scheme, lens[1]) != 0)
        return -1;
    if (lens[2] == 0 || lens[2] >= sizeof(field) || lens[3] >= sizeof(field))
        return -1;

    memcpy(field, parts[2], lens[2]);
    field[lens[2]] = '\0';
    if (number_parse_i64(field, 1, PASSWORD_ITERATIONS_LIMIT, &iter) !=
        NUMBER_OK)
        return -1;
    memcpy(field, parts[3], lens[3]);
    field[lens[3]] = '\0';
    if (base64_raw_decode(field, salt, 45, salt_len) != 0)
        return -1;
    *iterations = (int)iter;
    return 0;
}

enum password_match password_verify(const char *hashed, const char *password)
{
    unsigned char salt[45];
    size_t salt_len;
    int iterations;
    char computed[PASSWORD_HASH_MAX];
    bool real = hashed != NULL && hashed[0] != '\0';
    enum password_match result = PASSWORD_MISMATCH;
    size_t len;

    if (!real) {
        pthread_once(&dummy_once, make_dummy_hash);
        hashed = dummy_hash;
    }
    if (parse_hash(hashed, &iterations, salt, &salt_len) != 0)
        return PASSWORD_BAD_HASH;
    if (password_hash_with_salt(password, salt, salt_len, iterations,
                                computed) != 0)
        return PASSWORD_BAD_HASH;

    len = strlen(computed);
    if (real && strlen(hashed) == len &&
        CRYPTO_memcmp(computed, hashed, len) == 0)
        result = PASSWORD_MATCH;
    OPENSSL_cleanse(computed, sizeof(computed));
    return result;
}

/* Character classes of go-password-validator 0.3.0, with the size each one
 * adds to the base when a password uses it. */
static const char replace_chars[] = "!@$&*";
static const char sep_chars[] = "_-., ";
static const char other_special_chars[] = "\"#%'()+/:;<=>?[\\]^{|}~";
static const char lower_chars[] = "abcdefghijklmnopqrstuvwxyz";
static const char upper_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char digit_chars[] = "0123456789";

enum char_class {
    CLASS_REPLACE,
    CLASS_SEP,
    CLASS_OTHER_SPECIAL,
    CLASS_LOWER,
    CLASS_UPPER,
    CLASS_DIGIT,
    CLASS_NONE,
};

static enum char_class classify(uint32_t c)
{
    static const char *const sets[] = {replace_chars,       sep_chars,
                                       other_special_chars, lower_chars,
                                       upper_chars,         digit_chars};

    if (c == 0 || c > 0x7f)
        return CLASS_NONE;
    for (int i = 0; i < CLASS_NONE; i++) {
        if (strchr(sets[i], (int)c) != NULL)
            return (enum char_class)i;
    }
    return CLASS_NONE;
}

/* Decode password into an array of code points; the caller frees it. */
static uint32_t *decode_runes(const char *password, size_t *count)
{
    size_t len = strlen(password);
    uint32_t *runes = xcalloc(len + 1, sizeof(uint32_t));
    size_t n = 0;

    for (size_t i = 0; i < len;)
        i += utf8_decode(password + i, len - i, &runes[n++]);
    *count = n;
    return runes;
}

static bool seen_before(const uint32_t *runes, size_t index)
{
    for (size_t j = 0; j < index; j++) {
        if (runes[j] == runes[index])
            return true;
    }
    return false;
}

/* The base: the sizes of the classes used, plus one for every distinct
 * character outside all classes. */
static int entropy_base(const uint32_t *runes, size_t count)
{
    static const int class_sizes[] = {
        sizeof(replace_chars) - 1,       sizeof(sep_chars) - 1,
        sizeof(other_special_chars) - 1, sizeof(lower_chars) - 1,
        sizeof(upper_chars) - 1,         sizeof(digit_chars) - 1,
    };
    bool used[CLASS_NONE] = {false};
    int base = 0;

    for (size_t i = 0; i < count; i++) {
        enum char_class cls;

        if (seen_before(runes, i))
            continue;
        cls = classify(runes[i]);
        if (cls == CLASS_NONE)
            base++;
        else
            used[cls] = true;
    }
    for (int i = 0; i < CLASS_NONE; i++) {
        if (used[i])
            base += class_sizes[i];
    }
    return base;
}

static void delete_at(uint32_t *runes, size_t *count, size_t index)
{
    memmove(runes + index, runes + index + 1,
            (*count - index - 1) * sizeof(uint32_t));
    (*count)--;
}

/* Drop every character that repeats the two before it ("aaaa" -> "aa"). */
static void drop_repeats(uint32_t *runes, size_t *count)
{
    uint32_t prev = 0;
    uint32_t prev_prev = 0;

    for (size_t i = 0; i < *count; i++) {
        uint32_t c = runes[i];

        if (c == prev && c == prev_prev) {
            delete_at(runes, count, i);
            i--;
        }
        prev_prev = prev;
        prev = c;
    }
}

/*
 * Shorten runs that follow seq, such as "12345" or "qwerty", the way the
 * validator does: it walks the password and the sequence together and
 * deletes a character once more than two in a row have matched. The walk
 * is kept as the library has it, quirks included, since the result decides
 * which passwords pass.
 */
static void drop_sequence(uint32_t *runes, size_t *count, const char *seq,
                          bool reversed)
{
    size_t seq_len = strlen(seq);
    int matches = 0;

    for (size_t i = 0; i < *count; i++) {
        for (size_t j = 0; j < seq_len; j++) {
            uint32_t expect;

            if (i >= *count)
                break;
            expect = (unsigned char)seq[reversed ? seq_len - 1 - j : j];
            if (runes[i] != expect) {
                matches = 0;
                continue;
            }
            matches++;
            if (matches > 2)
                delete_at(runes, count, i);
            else
                i++;
        }
    }
}

/* Return the UTF-8 length in bytes of the code points left in runes. */
static size_t encoded_length(const uint32_t *runes, size_t count)
{
    size_t bytes = 0;

    for (size_t i = 0; i < count; i++) {
        uint32_t c = runes[i];

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

static size_t entropy_length(uint32_t *runes, size_t count)
{
    static const char *const sequences[] = {
        "0123456789",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "abcdefghijklmnopqrstuvwxyz",
    };
    size_t n = sizeof(sequences) / sizeof(sequences[0]);

    drop_repeats(runes, &count);
    for (size_t i = 0; i < n; i++)
        drop_sequence(runes, &count, sequences[i], false);
    for (size_t i = 0; i < n; i++)
        drop_sequence(runes, &count, sequences[i], true);
    /* The library measures the remaining Go string, which counts bytes. */
    return encoded_length(runes, count);
}

double password_entropy(const char *password)
{
    size_t count;
    uint32_t *runes = decode_runes(password, &count);
    int base = entropy_base(runes, count);
    size_t length = entropy_length(runes, count);
    double bits = 0.0;

    /* log2(base^length), summed a term at a time as the library does. */
    for (size_t i = 0; i < length; i++)
        bits += log2((double)base);
    free(runes);
    return bits;
}

static void weakness_reason(const char *password, char *reason, size_t size)
{
    size_t count;
    uint32_t *runes = decode_runes(password, &count);
    bool used[CLASS_NONE] = {false};
    const char *hints[4];
    size_t nhints = 0;
    struct buf text;

    for (size_t i = 0; i < count; i++) {
        enum char_class cls = classify(runes[i]);

        if (cls != CLASS_NONE)
            used[cls] = true;
    }
    free(runes);

    if (!used[CLASS_OTHER_SPECIAL] || !used[CLASS_SEP] || !used[CLASS_REPLACE])
        hints[nhints++] = "including more special characters";
    if (!used[CLASS_LOWER])
        hints[nhints++] = "using lowercase letters";
    if (!used[CLASS_UPPER])
        hints[nhints++] = "using uppercase letters";
    if (!used[CLASS_DIGIT])
        hints[nhints++] = "using numbers";

    buf_init(&text, 512);
    buf_puts(&text, "insecure password, try ");
    for (size_t i = 0; i < nhints; i++) {
        buf_puts(&text, hints[i]);
        buf_puts(&text, i + 1 < nhints ? ", " : " or ");
    }
    buf_puts(&text, "using a longer password");
    snprintf(reason, size, "%s", text.data);
    buf_release(&text);
}

int password_check_strength(const char *password, char *reason, size_t size)
{
    if (password_entropy(password) < PASSWORD_MIN_ENTROPY) {
        weakness_reason(password, reason, size);
        return -1;
    }
    if (strlen(password) > PASSWORD_MAX_LEN) {
        snprintf(reason, size, "password must be no more than %d characters",
                 PASSWORD_MAX_LEN);
        return -1;
    }
    return 0;
}
