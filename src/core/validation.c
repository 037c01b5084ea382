/* SPDX-License-Identifier: MIT */
/* Lists of validation errors, as parsers of request input collect them. */
#include "core/validation.h"

#include <stdarg.h>

#include "util/buf.h"

void validation_errors_add(struct validation_errors *errors, const char *field,
                           const char *fmt, ...)
{
    struct buf detail;
    va_list ap;

    buf_init(&detail, (size_t)-1 / 2);
    va_start(ap, fmt);
    buf_vprintf(&detail, fmt, ap);
    va_end(ap);
    strlist_push(&errors->fields, field);
    strlist_push_take(&errors->details, buf_take(&detail));
}

size_t validation_errors_count(const struct validation_errors *errors)
{
    return errors->fields.len;
}

void validation_errors_release(struct validation_errors *errors)
{
    strlist_release(&errors->fields);
    strlist_release(&errors->details);
}
