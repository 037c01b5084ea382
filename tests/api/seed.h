#ifndef USHER_TESTS_API_SEED_H
#define USHER_TESTS_API_SEED_H

/*
 * Accounts written straight into a test server's store, for tests that
 * need several users without going through the API that creates them.
 * The server reads every row from the database, so it sees them at once.
 */

#include <stdbool.h>

#include "harness.h"

struct seed_user {
    const char *username;
    /* Stored site roles, NULL-terminated; NULL for a plain member. */
    const char *const *roles;
    /* Store no git SSH key, like accounts made before keys existed. */
    bool without_gitsshkey;
};

/*
 * Create an active password user "<username>@example.com" with password
 * HARNESS_PASSWORD in the default organization. Returns the user's id
 * (malloc'd). Aborts the test on failure.
 */
char *seed_user(struct harness *h, const struct seed_user *user);

/* seed_user for a plain member, then log in; returns the session token
 * (malloc'd). */
char *seed_member_session(struct harness *h, const char *username);

#endif
