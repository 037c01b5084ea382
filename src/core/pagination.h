#ifndef USHER_CORE_PAGINATION_H
#define USHER_CORE_PAGINATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/validation.h"
#include "util/uuid.h"

/*
 * The page of a listing: Coder's after_id, limit and offset query
 * parameters. limit and offset are non-negative 32-bit integers; a limit
 * of 0 means no limit. after_id is a keyset cursor: only rows after the
 * row with that id are listed.
 */
struct pagination {
    bool has_after_id;
    char after_id[UUID_STR_LEN + 1]; /* canonical, when has_after_id */
    int64_t limit;
    int64_t offset;
};

/*
 * Parse the three parameters (each NULL or "" when absent) into out.
 * Returns 0, or -1 with one entry per bad parameter in errors, in the
 * order after_id, limit, offset. The nil UUID as after_id means no cursor.
 */
int pagination_parse(const char *after_id, const char *limit,
                     const char *offset, struct pagination *out,
                     struct validation_errors *errors);

#endif
