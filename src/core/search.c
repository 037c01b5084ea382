/* SPDX-License-Identifier: MIT */
/*
 * The user search syntax. The split rules follow Coder's query parser
 * (coderd/searchquery): fields are cut on a delimiter outside double
 * quotes, empty fields are dropped, and the quotes are kept until a term is
 * split into key and value.
 */
#include "core/search.h"

#include <stdlib.h>
#include <string.h>

#include "core/user.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/number.h"
#include "util/quote.h"
#include "util/str.h"
#include "util/timestamp.h"

/* Go's time.RFC3339Nano, which Coder names in its date errors. */
#define RFC3339_NANO_LAYOUT "2006-01-02T15:04:05.999999999Z07:00"

/* One key:value term, in query order. */
struct term {
    char *key;
    char *value;
};

struct terms {
    struct term *items;
    size_t len;
    size_t cap;
};

static void terms_add(struct terms *terms, const char *key, const char *value)
{
    if (terms->len == terms->cap) {
        terms->cap = terms->cap ? terms->cap * 2 : 8;
        terms->items =
            xrealloc(terms->items, terms->cap * sizeof(*terms->items));
    }
    terms->items[terms->len].key = xstrdup(key);
    terms->items[terms->len].value = xstrdup(value);
    terms->len++;
}

static void terms_release(struct terms *terms)
{
    for (size_t i = 0; i < terms->len; i++) {
        free(terms->items[i].key);
        free(terms->items[i].value);
    }
    free(terms->items);
}

/* Push s[0..len) with the double quotes at both ends trimmed off. */
static void push_trimmed(struct strlist *out, const char *s, size_t len)
{
    while (len > 0 && s[0] == '"') {
        s++;
        len--;
    }
    while (len > 0 && s[len - 1] == '"')
        len--;
    strlist_push_take(out, xstrndup(s, len));
}

/*
 * Split s on delim where it is outside double quotes, dropping empty
 * fields. With trim, each field loses the quotes at its ends.
 */
static void split_fields(const char *s, char delim, bool trim,
                         struct strlist *out)
{
    bool quoted = false;
    const char *start = s;

    for (const char *p = s;; p++) {
        bool cut = *p == '\0';

        if (*p == '"')
            quoted = !quoted;
        else if (*p == delim && !quoted)
            cut = true;
        if (!cut)
            continue;
        if (p > start && trim)
            push_trimmed(out, start, (size_t)(p - start));
        else if (p > start)
            strlist_push_take(out, xstrndup(start, (size_t)(p - start)));
        if (*p == '\0')
            break;
        start = p + 1;
    }
}

/*
 * Order the tokens as Coder does: the key:value tokens as they came, then
 * every other token joined with single spaces into one free-text element.
 */
static void group_tokens(const struct strlist *tokens, struct strlist *out)
{
    struct buf free_text;
    bool any = false;

    buf_init(&free_text, (size_t)-1 / 2);
    for (size_t i = 0; i < tokens->len; i++) {
        if (strchr(tokens->items[i], ':') != NULL) {
            strlist_push(out, tokens->items[i]);
            continue;
        }
        if (any)
            buf_puts(&free_text, " ");
        buf_puts(&free_text, tokens->items[i]);
        any = true;
    }
    if (any)
        strlist_push_take(out, buf_take(&free_text));
    buf_release(&free_text);
}

static void element_error(struct validation_errors *errors, const char *element,
                          const char *problem)
{
    char *quoted = quote_go_str(element);

    validation_errors_add(errors, "q", "Query element %s %s", quoted, problem);
    free(quoted);
}

/* Turn one element into a term. Returns -1 after recording the error. */
static int split_element(const char *element, struct terms *terms,
                         struct validation_errors *errors)
{
    size_t len = strlen(element);
    struct strlist parts = {0};
    int rc = 0;

    if (element[0] == ':' || element[len - 1] == ':') {
        element_error(errors, element, "cannot start or end with ':'");
        return -1;
    }
    split_fields(element, ':', true, &parts);
    if (parts.len <= 1) {
        /* Coder searches for the element itself, quotes included. */
        terms_add(terms, "search", element);
    } else if (parts.len == 2) {
        terms_add(terms, parts.items[0], parts.items[1]);
    } else {
        element_error(errors, element, "can only contain 1 ':'");
        rc = -1;
    }
    strlist_release(&parts);
    return rc;
}

/* ----- values ------------------------------------------------------------- */

static void param_error(struct validation_errors *errors, const char *key,
                        const char *problem, const char *detail)
{
    char *quoted = quote_go_str(key);

    validation_errors_add(errors, key, "Query param %s %s%s", quoted, problem,
                          detail);
    free(quoted);
}

static int parse_search(const char *key, const char *value,
                        struct search_users *out,
                        struct validation_errors *errors)
{
    (void)key;
    (void)errors;
    out->text = xstrdup(value);
    return 0;
}

/*
 * Parse a comma list of names with parse_name into a bit set. Every item
 * that is not a name is reported, in one entry for the key.
 */
static unsigned parse_name_list(const char *key, const char *value,
                                int (*parse_name)(const char *, unsigned *),
                                struct validation_errors *errors)
{
    struct buf bad;
    bool any_bad = false;
    unsigned bits = 0;
    const char *p = value;

    buf_init(&bad, (size_t)-1 / 2);
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = xstrndup(p, len);
        unsigned bit;

        if (parse_name(item, &bit) == 0) {
            bits |= bit;
        } else {
            if (any_bad)
                buf_puts(&bad, ",");
            buf_puts(&bad, item);
            any_bad = true;
        }
        free(item);
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    if (any_bad)
        param_error(errors, key,
                    "has invalid values: ", bad.data ? bad.data : "");
    buf_release(&bad);
    return bits;
}

static int status_bit(const char *name, unsigned *bit)
{
    enum user_status status;

    if (user_status_parse(name, &status) != 0)
        return -1;
    *bit = SEARCH_BIT(status);
    return 0;
}

static int login_type_bit(const char *name, unsigned *bit)
{
    enum login_type type;

    if (login_type_parse(name, &type) != 0)
        return -1;
    *bit = SEARCH_BIT(type);
    return 0;
}

static int parse_status(const char *key, const char *value,
                        struct search_users *out,
                        struct validation_errors *errors)
{
    out->statuses = parse_name_list(key, value, status_bit, errors);
    return 0;
}

static int parse_login_type(const char *key, const char *value,
                            struct search_users *out,
                            struct validation_errors *errors)
{
    out->login_types = parse_name_list(key, value, login_type_bit, errors);
    return 0;
}

static int parse_role(const char *key, const char *value,
                      struct search_users *out,
                      struct validation_errors *errors)
{
    struct strlist roles = {0};
    bool only_member = true;
    const char *p = value;

    (void)key;
    (void)errors;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        strlist_push_take(&roles, xstrndup(p, len));
        if (strcmp(roles.items[roles.len - 1], "member") != 0)
            only_member = false;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    if (only_member)
        strlist_release(&roles);
    strlist_release(&out->roles);
    out->roles = roles;
    return 0;
}

/*
 * Parse an RFC 3339 time. The value is upper-cased first to undo the
 * lower-casing of the whole query.
 * NOTE: the text after "parsing time ... as ...:" is this parser's reason,
 * not Go's "cannot parse X as Y" wording.
 */
static int parse_time(const char *key, const char *value, int64_t *ts,
                      bool *has, struct validation_errors *errors)
{
    char *upper = xstrdup(value);
    char reason[128];
    int rc = 0;

    for (char *p = upper; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    }
    if (timestamp_parse(upper, ts, reason, sizeof(reason)) == 0) {
        *has = true;
    } else {
        char *quoted_key = quote_go_str(key);
        char *quoted_value = quote_go_str(upper);

        validation_errors_add(
            errors, key,
            "Query param %s must be a valid date format (%s): parsing time "
            "%s as \"%s\": %s",
            quoted_key, RFC3339_NANO_LAYOUT, quoted_value, RFC3339_NANO_LAYOUT,
            reason);
        free(quoted_key);
        free(quoted_value);
        rc = -1;
    }
    free(upper);
    return rc;
}

static int parse_created_before(const char *key, const char *value,
                                struct search_users *out,
                                struct validation_errors *errors)
{
    return parse_time(key, value, &out->created_before,
                      &out->has_created_before, errors);
}

static int parse_created_after(const char *key, const char *value,
                               struct search_users *out,
                               struct validation_errors *errors)
{
    return parse_time(key, value, &out->created_after, &out->has_created_after,
                      errors);
}

static int parse_last_seen_before(const char *key, const char *value,
                                  struct search_users *out,
                                  struct validation_errors *errors)
{
    return parse_time(key, value, &out->last_seen_before,
                      &out->has_last_seen_before, errors);
}

static int parse_last_seen_after(const char *key, const char *value,
                                 struct search_users *out,
                                 struct validation_errors *errors)
{
    return parse_time(key, value, &out->last_seen_after,
                      &out->has_last_seen_after, errors);
}

static int parse_github_id(const char *key, const char *value,
                           struct search_users *out,
                           struct validation_errors *errors)
{
    enum number_error err =
        number_parse_i64(value, INT64_MIN, INT64_MAX, &out->github_com_user_id);
    char *quoted_key;
    char *quoted_value;

    if (err == NUMBER_OK) {
        out->has_github_com_user_id = true;
        return 0;
    }
    quoted_key = quote_go_str(key);
    quoted_value = quote_go_str(value);
    validation_errors_add(errors, key,
                          "Query param %s must be a valid integer "
                          "(strconv.ParseInt: parsing %s: %s)",
                          quoted_key, quoted_value,
                          err == NUMBER_RANGE ? "value out of range"
                                              : "invalid syntax");
    free(quoted_key);
    free(quoted_value);
    return -1;
}

/* The known keys, in the order Coder checks them (which orders errors). */
static const struct key_parser {
    const char *key;
    int (*parse)(const char *key, const char *value, struct search_users *out,
                 struct validation_errors *errors);
} key_parsers[] = {
    {"search", parse_search},
    {"status", parse_status},
    {"role", parse_role},
    {"last_seen_after", parse_last_seen_after},
    {"last_seen_before", parse_last_seen_before},
    {"created_after", parse_created_after},
    {"created_before", parse_created_before},
    {"github_com_user_id", parse_github_id},
    {"login_type", parse_login_type},
};

#define KEY_PARSER_COUNT (sizeof(key_parsers) / sizeof(key_parsers[0]))

static bool is_known_key(const char *key)
{
    for (size_t i = 0; i < KEY_PARSER_COUNT; i++) {
        if (strcmp(key_parsers[i].key, key) == 0)
            return true;
    }
    return false;
}

/* Parse the value of one known key. A key given twice is an error rather
 * than a silent choice of one value; an empty value is no filter. */
static void parse_key(const struct key_parser *parser,
                      const struct terms *terms, struct search_users *out,
                      struct validation_errors *errors)
{
    const char *value = NULL;
    size_t count = 0;

    for (size_t i = 0; i < terms->len; i++) {
        if (strcmp(terms->items[i].key, parser->key) != 0)
            continue;
        if (count++ == 0)
            value = terms->items[i].value;
    }
    if (count > 1) {
        param_error(errors, parser->key,
                    "provided more than once, use a comma-separated list "
                    "instead",
                    "");
        return;
    }
    if (value != NULL && value[0] != '\0')
        parser->parse(parser->key, value, out, errors);
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Report each unknown key once, in byte order of the key. */
static void report_unknown_keys(const struct terms *terms,
                                struct validation_errors *errors)
{
    const char **unknown = xcalloc(terms->len + 1, sizeof(*unknown));
    size_t n = 0;

    for (size_t i = 0; i < terms->len; i++) {
        if (!is_known_key(terms->items[i].key))
            unknown[n++] = terms->items[i].key;
    }
    qsort(unknown, n, sizeof(*unknown), compare_keys);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(unknown[i], unknown[i - 1]) == 0)
            continue;
        param_error(errors, unknown[i], "is not a valid query param", "");
    }
    free(unknown);
}

int search_parse_users(const char *q, struct search_users *out,
                       struct validation_errors *errors)
{
    char *lower = str_ascii_lower(q);
    struct strlist tokens = {0};
    struct strlist elements = {0};
    struct terms terms = {0};
    size_t before = validation_errors_count(errors);
    int rc = -1;

    /* NOTE: Coder lower-cases with Unicode rules, while only ASCII letters
     * are lower-cased here, so "É" searches for "É" rather than "é". */
    split_fields(lower, ' ', false, &tokens);
    group_tokens(&tokens, &elements);
    for (size_t i = 0; i < elements.len; i++) {
        if (split_element(elements.items[i], &terms, errors) != 0)
            goto out;
    }
    for (size_t i = 0; i < KEY_PARSER_COUNT; i++)
        parse_key(&key_parsers[i], &terms, out, errors);
    report_unknown_keys(&terms, errors);
    if (validation_errors_count(errors) == before)
        rc = 0;

out:
    terms_release(&terms);
    strlist_release(&elements);
    strlist_release(&tokens);
    free(lower);
    return rc;
}

void search_users_release(struct search_users *search)
{
    free(search->text);
    strlist_release(&search->roles);
    memset(search, 0, sizeof(*search));
}
