#ifndef USHER_CORE_SEARCH_H
#define USHER_CORE_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/validation.h"
#include "util/strlist.h"

/*
 * The "q" search syntax of GET /users, as Coder parses it:
 *
 *   - the whole query is lower-cased, then split on spaces outside double
 *     quotes;
 *   - a term containing ':' is key:value. The value may be quoted
 *     (created_after:"2024-01-01T00:00:00Z") so that it can hold a colon.
 *   - every other term joins, separated by single spaces, into one
 *     free-text term with the key "search";
 *   - keys: search, status, role, login_type, created_before,
 *     created_after, last_seen_before, last_seen_after, github_com_user_id;
 *     status, role and login_type take comma lists.
 */

/* Bit of an enum user_status or enum login_type value in a filter set. */
#define SEARCH_BIT(value) (1u << (unsigned)(value))

/* The filters of a user search. Unset filters are NULL, 0 or false. */
struct search_users {
    /* Substring of username or e-mail, lower-cased; NULL for none. */
    char *text;
    unsigned statuses;    /* SEARCH_BIT(enum user_status) set; 0 = any */
    unsigned login_types; /* SEARCH_BIT(enum login_type) set; 0 = any */
    /* Stored site roles, any of which a user must hold; empty = any. A
     * list made only of "member" filters nothing, because every user is a
     * member, so it is left empty. */
    struct strlist roles;
    bool has_created_before, has_created_after;
    int64_t created_before, created_after; /* inclusive, microseconds */
    bool has_last_seen_before, has_last_seen_after;
    int64_t last_seen_before, last_seen_after; /* inclusive, microseconds */
    bool has_github_com_user_id;
    int64_t github_com_user_id;
};

/*
 * Parse q into out. Returns 0, or -1 with at least one entry in errors. A
 * malformed term gives one entry for field "q" and stops the parse. Bad
 * values, unknown keys and keys given twice give one entry each, named
 * after the key. out must be zeroed, and the caller releases it either way.
 */
int search_parse_users(const char *q, struct search_users *out,
                       struct validation_errors *errors);

/* Free what search_parse_users stored and zero the struct. */
void search_users_release(struct search_users *search);

#endif
