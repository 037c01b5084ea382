#ifndef USHER_CORE_ORGANIZATION_H
#define USHER_CORE_ORGANIZATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/uuid.h"

/* An organization as the store holds it. Strings are owned by the struct. */
struct organization {
    char id[UUID_STR_LEN + 1];
    char *name;
    char *display_name;
    char *description;
    char *icon;
    int64_t created_at;
    int64_t updated_at;
    bool is_default;
};

/* Free the strings of org and zero it. */
void organization_release(struct organization *org);

/* Free an array of count organizations. NULL is ok. */
void organization_free_array(struct organization *orgs, size_t count);

#endif
