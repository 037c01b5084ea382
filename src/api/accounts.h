#ifndef USHER_API_ACCOUNTS_H
#define USHER_API_ACCOUNTS_H

/* Creating accounts, shared by every route that makes users. */

#include "api/api_internal.h"

enum accounts_result {
    ACCOUNTS_OK,
    ACCOUNTS_CONFLICT,    /* username or e-mail taken, or not the first */
    ACCOUNTS_NO_SUCH_ORG, /* an organization id does not exist */
    ACCOUNTS_FAILED,      /* a response (500 or 503) was sent */
};

/*
 * Complete and store a new account. The caller fills username, email,
 * name, status, login type, roles and organization ids; this sets the id
 * and times, hashes password when it is non-empty, generates the git SSH
 * key pair and inserts everything in one transaction. With only_if_first
 * the insert fails with ACCOUNTS_CONFLICT when any user exists. Runs
 * PBKDF2 and key generation, so only blocking routes may call it.
 */
enum accounts_result accounts_create(struct api_call *call, struct user *user,
                                     const char *password, bool only_if_first);

#endif
