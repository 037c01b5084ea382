/* SPDX-License-Identifier: MIT */
/* The limit, offset and after_id parameters of listings. */
#include "core/pagination.h"

#include <stdlib.h>
#include <string.h>

#include "util/number.h"
#include "util/quote.h"

static bool absent(const char *value)
{
    return value == NULL || value[0] == '\0';
}

/* Parse a non-negative 32-bit integer. Returns -1 after recording the error
 * in the words of Go's strconv.ParseInt, as Coder reports it. */
static int parse_count(const char *name, const char *value, int64_t *out,
                       struct validation_errors *errors)
{
    enum number_error err;
    int64_t parsed = 0;
    char *quoted;

    if (absent(value))
        return 0;
    err = number_parse_i64(value, INT32_MIN, INT32_MAX, &parsed);
    if (err == NUMBER_OK && parsed >= 0) {
        *out = parsed;
        return 0;
    }
    if (err == NUMBER_OK) {
        validation_errors_add(errors, name,
                              "Query param \"%s\" must be a valid 32-bit "
                              "positive integer: value is negative",
                              name);
        return -1;
    }
    quoted = quote_go_str(value);
    validation_errors_add(errors, name,
                          "Query param \"%s\" must be a valid 32-bit positive "
                          "integer: strconv.ParseInt: parsing %s: %s",
                          name, quoted,
                          err == NUMBER_RANGE ? "value out of range"
                                              : "invalid syntax");
    free(quoted);
    return -1;
}

static int parse_after_id(const char *value, struct pagination *out,
                          struct validation_errors *errors)
{
    char id[UUID_STR_LEN + 1];

    if (absent(value))
        return 0;
    if (uuid_parse(value, id) != 0) {
        validation_errors_add(errors, "after_id",
                              "Query param \"after_id\" must be a valid uuid");
        return -1;
    }
    if (strcmp(id, UUID_NIL) != 0) {
        memcpy(out->after_id, id, sizeof(out->after_id));
        out->has_after_id = true;
    }
    return 0;
}

int pagination_parse(const char *after_id, const char *limit,
                     const char *offset, struct pagination *out,
                     struct validation_errors *errors)
{
    struct pagination page = {0};
    int rc = 0;

    if (parse_after_id(after_id, &page, errors) != 0)
        rc = -1;
    if (parse_count("limit", limit, &page.limit, errors) != 0)
        rc = -1;
    if (parse_count("offset", offset, &page.offset, errors) != 0)
        rc = -1;
    if (rc == 0)
        *out = page;
    return rc;
}
