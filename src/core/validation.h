#ifndef USHER_CORE_VALIDATION_H
#define USHER_CORE_VALIDATION_H

#include <stddef.h>

#include "util/strlist.h"

/*
 * Validation errors collected by a parser: pairs of the field (a JSON field
 * or query parameter name) and a sentence about what is wrong with it, in
 * the order they were found. The API layer turns them into Coder's
 * "validations" array. A zeroed list is empty.
 */
struct validation_errors {
    struct strlist fields;
    struct strlist details;
};

/* Append one error; detail is a printf format. */
void validation_errors_add(struct validation_errors *errors, const char *field,
                           const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Return the number of errors collected. */
size_t validation_errors_count(const struct validation_errors *errors);

/* Free every entry; the list is empty afterwards. */
void validation_errors_release(struct validation_errors *errors);

#endif
