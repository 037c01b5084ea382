/* SPDX-License-Identifier: MIT */
/*
 * Password hashing and strength rules compatible with Coder: PBKDF2 hashes
 * in Coder's text format, and the entropy model of go-password-validator
 * 0.3.0 (the version Coder's go.mod names), rewritten from its description.
 */
#include "core/password.h"
#include "core/password_internal.h"

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

/*
 * The strength model of go-password-validator 0.3.0. The library applies
 * its rules one after another, each to the output of the one before. Each
 * rule decides on a character from the characters before it alone, so
 * here every character goes through all the rules in turn, in one pass
 * over the password with a few words of state per rule.
 *
 * The check thus takes time linear in the length. That matters because
 * passwords come from unauthenticated requests and may be as long as a
 * request body. Each visit of a character to a rule adds one to *steps,
 * which password_internal.h exposes to tests.
 */

/* Character classes, with the size each one adds to the base when a
 * password uses it. */
static const char replace_chars[] = "!@$&*";
static const char sep_chars[] = "_-., ";
static const char other_special_chars[] = "\"#%'()+/:;<=>?[\\]^{|}~";

enum char_class {
    CLASS_REPLACE,
    CLASS_SEP,
    CLASS_OTHER_SPECIAL,
    CLASS_LOWER,
    CLASS_UPPER,
    CLASS_DIGIT,
    CLASS_NONE,
};

static const int class_sizes[CLASS_NONE] = {
    sizeof(replace_chars) - 1,
    sizeof(sep_chars) - 1,
    sizeof(other_special_chars) - 1,
    26,
    26,
    10,
};

static enum char_class classify(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return CLASS_LOWER;
    if (c >= 'A' && c <= 'Z')
        return CLASS_UPPER;
    if (c >= '0' && c <= '9')
        return CLASS_DIGIT;
    if (c == 0 || c > 0x7f)
        return CLASS_NONE;
    if (strchr(replace_chars, (int)c) != NULL)
        return CLASS_REPLACE;
    if (strchr(sep_chars, (int)c) != NULL)
        return CLASS_SEP;
    if (strchr(other_special_chars, (int)c) != NULL)
        return CLASS_OTHER_SPECIAL;
    return CLASS_NONE;
}

/* One more than the largest code point, so a bitmap of this many bits
 * records which code points a password uses. */
#define RUNE_LIMIT 0x110000u

/* The base: the sizes of the classes used, plus one for every distinct
 * character outside all classes. */
struct base_rule {
    enum char_class class_of[128];
    bool used[CLASS_NONE];
    unsigned char *seen; /* bitmap of RUNE_LIMIT bits, allocated on first use */
    int others;
};

static void base_init(struct base_rule *r)
{
    memset(r, 0, sizeof(*r));
    for (uint32_t c = 0; c < 128; c++)
        r->class_of[c] = classify(c);
}

static void base_feed(struct base_rule *r, uint32_t c, uint64_t *steps)
{
    enum char_class cls = c < 128 ? r->class_of[c] : CLASS_NONE;
    unsigned char bit = (unsigned char)(1u << (c % 8));

    (*steps)++;
    if (cls != CLASS_NONE) {
        r->used[cls] = true;
        return;
    }
    if (r->seen == NULL)
        r->seen = xcalloc(RUNE_LIMIT / 8, 1);
    if ((r->seen[c / 8] & bit) == 0) {
        r->seen[c / 8] |= bit;
        r->others++;
    }
}

/* Return the base and free the bitmap of r. */
static int base_finish(struct base_rule *r)
{
    int base = r->others;

    for (int i = 0; i < CLASS_NONE; i++) {
        if (r->used[i])
            base += class_sizes[i];
    }
    free(r->seen);
    r->seen = NULL;
    return base;
}

/*
 * One walk of the library over a sequence such as "12345" or "qwerty",
 * forwards or backwards. It steps through the sequence, resetting its
 * count of matches at each sequence character that differs from the
 * current password character. At one that equals it, the count grows, the
 * password character is kept while the count is at most two and deleted
 * after, and the walk moves on to the next password character.
 *
 * When the walk runs out of sequence characters, it keeps one password
 * character and starts again from the first sequence character. If no
 * sequence character matched the current password character, that is the
 * one kept and the count is 0. If the sequence ended on a match, the next
 * password character is kept without being compared, and the count
 * carries over. That walk, quirks included, decides which passwords pass,
 * so it is followed exactly. The table pos finds the next match in one
 * step.
 */
struct seq_walk {
    signed char pos[128]; /* index of each character in the walk, or -1 */
    int len;
    /* Index of the next sequence character to compare, or len when the
     * next password character is kept without comparing. */
    int next;
    size_t matches;
};

static void seq_walk_init(struct seq_walk *w, const char *seq, bool reversed)
{
    int len = (int)strlen(seq);

    memset(w->pos, -1, sizeof(w->pos));
    for (int k = 0; k < len; k++)
        w->pos[(unsigned char)seq[k]] =
            (signed char)(reversed ? len - 1 - k : k);
    w->len = len;
    w->next = 0;
    w->matches = 0;
}

/* Advance the walk over c and return whether c is kept. */
static bool seq_walk_keeps(struct seq_walk *w, uint32_t c)
{
    int at = c < 128 ? w->pos[c] : -1;
    bool hit = w->next < w->len && at >= w->next;

    if (hit) {
        w->matches = at == w->next ? w->matches + 1 : 1;
        w->next = at + 1;
        return w->matches <= 2;
    }
    /* Either c is kept without comparing, or nothing left matches it. */
    if (w->next < w->len)
        w->matches = 0;
    w->next = 0;
    return true;
}

#define WALKS 10

/* The length: what is left after dropping every character that repeats
 * the two before it ("aaaa" -> "aa"), then walking each of the five
 * sequences forwards and then each backwards, counted in UTF-8 bytes as
 * the library measures the remaining Go string. */
struct length_rule {
    uint32_t prev;
    uint32_t prev_prev;
    struct seq_walk walks[WALKS];
    size_t bytes;
};

static void length_init(struct length_rule *r)
{
    static const char *const sequences[WALKS / 2] = {
        "0123456789",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "abcdefghijklmnopqrstuvwxyz",
    };

    r->prev = 0;
    r->prev_prev = 0;
    for (int i = 0; i < WALKS / 2; i++) {
        seq_walk_init(&r->walks[i], sequences[i], false);
        seq_walk_init(&r->walks[WALKS / 2 + i], sequences[i], true);
    }
    r->bytes = 0;
}

/* Return the number of bytes of c in UTF-8. */
static size_t encoded_size(uint32_t c)
{
    if (c < 0x80)
        return 1;
    if (c < 0x800)
        return 2;
    return c < 0x10000 ? 3 : 4;
}

static void length_feed(struct length_rule *r, uint32_t c, uint64_t *steps)
{
    bool repeat = c == r->prev && c == r->prev_prev;

    (*steps)++;
    r->prev_prev = r->prev;
    r->prev = c;
    if (repeat)
        return;
    for (int i = 0; i < WALKS; i++) {
        (*steps)++;
        if (!seq_walk_keeps(&r->walks[i], c))
            return;
    }
    r->bytes += encoded_size(c);
}

double password_entropy_counted(const char *password, uint64_t *steps)
{
    size_t len = strlen(password);
    struct base_rule base;
    struct length_rule length;
    int base_size;
    double term;
    double bits = 0.0;

    base_init(&base);
    length_init(&length);
    for (size_t i = 0; i < len;) {
        uint32_t c;

        (*steps)++;
        i += utf8_decode(password + i, len - i, &c);
        base_feed(&base, c, steps);
        length_feed(&length, c, steps);
    }
    base_size = base_finish(&base);
    /* The base is 0 only for the empty password, whose length is 0. */
    term = base_size > 0 ? log2((double)base_size) : 0.0;

    /* log2(base^length), summed a term at a time as the library does,
     * because a product would round differently near the threshold. */
    for (size_t i = 0; i < length.bytes; i++) {
        (*steps)++;
        bits += term;
    }
    return bits;
}

double password_entropy(const char *password)
{
    uint64_t steps = 0;

    return password_entropy_counted(password, &steps);
}

/* Only ASCII characters have a class, and in UTF-8 every byte below
 * 0x80 is an ASCII character, so the bytes are read without decoding. */
static void weakness_reason(const char *password, char *reason, size_t size,
                            uint64_t *steps)
{
    bool used[CLASS_NONE + 1] = {false};
    const char *hints[4];
    size_t nhints = 0;
    struct buf text;

    for (const char *p = password; *p != '\0'; p++) {
        (*steps)++;
        used[classify((unsigned char)*p)] = true;
    }

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

int password_check_strength_counted(const char *password, char *reason,
                                    size_t size, uint64_t *steps)
{
    if (password_entropy_counted(password, steps) < PASSWORD_MIN_ENTROPY) {
        weakness_reason(password, reason, size, steps);
        return -1;
    }
    if (strlen(password) > PASSWORD_MAX_LEN) {
        snprintf(reason, size, "password must be no more than %d characters",
                 PASSWORD_MAX_LEN);
        return -1;
    }
    return 0;
}

int password_check_strength(const char *password, char *reason, size_t size)
{
    uint64_t steps = 0;

    return password_check_strength_counted(password, reason, size, &steps);
}
