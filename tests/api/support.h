#ifndef USHER_TESTS_API_SUPPORT_H
#define USHER_TESTS_API_SUPPORT_H

/*
 * Helpers shared by the user-management API tests: accounts and keys made
 * through the API, and a key written straight into the server's database
 * for the one case where no route can mint it.
 * Every helper fails the test when a step fails.
 */

#include "harness.h"

/*
 * Create a password user in the default organization through POST /users
 * with the given extra JSON members (such as "\"user_status\":\"active\""
 * or NULL) and return its id (malloc'd).
 */
char *support_create_user(struct harness *h, const char *token,
                          const char *username, const char *email,
                          const char *extra);

/*
 * Create a user as support_create_user does, with HARNESS_PASSWORD, log it
 * in and return the session token (malloc'd). The id goes to *id when id
 * is not NULL (malloc'd).
 */
char *support_member(struct harness *h, const char *owner_token,
                     const char *username, char **id);

/* Replace the site roles of user (a JSON array text such as "[\"auditor\"]")
 * through PUT /users/{user}/roles. */
void support_set_roles(struct harness *h, const char *token, const char *user,
                       const char *roles_json);

/*
 * Mint a key for user_id through the API as the owner behind owner_token:
 * kind "token" makes an API token (POST /users/{user}/keys/tokens), kind
 * "password" a session-style key (POST /users/{user}/keys). Returns the
 * token (malloc'd).
 */
char *support_mint_key(struct harness *h, const char *owner_token,
                       const char *user_id, const char *kind);

/*
 * Store a new session-style key (login type password) for user_id
 * directly in the server's database and return the token (malloc'd), for
 * servers where no route can mint one (password login disabled and no
 * session yet). The key expires in a day.
 */
char *support_store_key(struct harness *h, const char *user_id);

/* Return the status of GET /api/v2/users/me with token. */
long support_me_status(struct harness *h, const char *token);

/* Return the string field of GET /api/v2/users/{user} as token sees it
 * (malloc'd), or NULL when the request fails. */
char *support_user_field(struct harness *h, const char *token, const char *user,
                         const char *field);

#endif
