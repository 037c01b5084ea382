/* SPDX-License-Identifier: MIT */
/* Creating accounts with their password hash and git SSH key. */
#include "api/accounts.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "util/mem.h"
#include "util/timestamp.h"

enum accounts_result accounts_create(struct api_call *call, struct user *user,
                                     const char *password, bool only_if_first)
{
    struct gitsshkey key = {0};
    struct store_new_user new_user = {user, &key, only_if_first};
    char hashed[PASSWORD_HASH_MAX] = "";
    enum accounts_result outcome = ACCOUNTS_FAILED;
    enum store_result result;

    if (uuid_generate(user->id) != 0) {
        api_internal_error(call, "Internal error creating user.",
                           "cannot generate a user id");
        goto out;
    }
    user->created_at = call->now;
    user->updated_at = call->now;
    user->last_seen_at = TIMESTAMP_ZERO;
    if (password != NULL && password[0] != '\0' &&
        password_hash(password, hashed) != 0) {
        api_internal_error(call, "Internal error hashing password.", NULL);
        goto out;
    }
    free(user->hashed_password);
    user->hashed_password = xstrdup(hashed);

    if (gitsshkey_generate(call->api->settings.ssh_keygen_algorithm, &key) !=
        0) {
        api_internal_error(call, "Internal error generating a new SSH keypair.",
                           NULL);
        goto out;
    }
    memcpy(key.user_id, user->id, sizeof(key.user_id));
    key.created_at = call->now;
    key.updated_at = call->now;

    result = store_user_insert(call->api->store, &new_user);
    if (result == STORE_OK)
        outcome = ACCOUNTS_OK;
    else if (result == STORE_CONFLICT)
        outcome = ACCOUNTS_CONFLICT;
    else if (result == STORE_NOT_FOUND)
        outcome = ACCOUNTS_NO_SUCH_ORG;
    else
        api_store_failure(call, result, "Internal error creating user.");

out:
    OPENSSL_cleanse(hashed, sizeof(hashed));
    gitsshkey_release(&key);
    return outcome;
}
