/* SPDX-License-Identifier: MIT */
/* Accounts written straight into a test server's store. */
#include "seed.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/gitsshkey.h"
#include "core/password.h"
#include "core/user.h"
#include "store/store.h"
#include "util/mem.h"
#include "util/timestamp.h"
#include "util/uuid.h"

static struct store *open_store(struct harness *h)
{
    struct store_config config = {0};
    struct store *store;
    char err[512];

    config.sqlite_path = harness_sqlite_path(h);
    config.postgres_url = harness_postgres_url(h);
    config.max_connections = 2;
    store = store_open(&config, err, sizeof(err));
    if (store == NULL)
        fail_msg("cannot open the test server's store: %s", err);
    return store;
}

static void fill_user(struct store *store, const struct seed_user *spec,
                      struct user *user)
{
    struct organization org = {0};
    char email[256];
    char hashed[PASSWORD_HASH_MAX];
    int64_t now = timestamp_now();

    if (store_org_get_default(store, &org) != STORE_OK)
        fail_msg("cannot read the default organization: %s",
                 store_last_error());
    if (uuid_generate(user->id) != 0 ||
        password_hash(HARNESS_PASSWORD, hashed) != 0)
        fail_msg("cannot make the user id or password hash");
    snprintf(email, sizeof(email), "%s@example.com", spec->username);
    user->username = xstrdup(spec->username);
    user->email = xstrdup(email);
    user->name = xstrdup("");
    user->avatar_url = xstrdup("");
    user->hashed_password = xstrdup(hashed);
    user->hashed_one_time_passcode = xstrdup("");
    user->created_at = now;
    user->updated_at = now;
    user->last_seen_at = TIMESTAMP_ZERO;
    user->status = USER_STATUS_ACTIVE;
    user->login_type = LOGIN_TYPE_PASSWORD;
    for (size_t i = 0; spec->roles != NULL && spec->roles[i] != NULL; i++)
        strlist_push(&user->roles, spec->roles[i]);
    strlist_push(&user->organization_ids, org.id);
    organization_release(&org);
}

char *seed_user(struct harness *h, const struct seed_user *spec)
{
    struct store *store = open_store(h);
    struct user user = {0};
    struct gitsshkey key = {0};
    struct store_new_user new_user = {0};
    enum store_result result;
    char *id;

    fill_user(store, spec, &user);
    if (!spec->without_gitsshkey) {
        if (gitsshkey_generate(GITSSHKEY_ED25519, &key) != 0)
            fail_msg("cannot generate a git SSH key");
        memcpy(key.user_id, user.id, sizeof(key.user_id));
        key.created_at = user.created_at;
        key.updated_at = user.created_at;
        new_user.gitsshkey = &key;
    }
    new_user.user = &user;
    result = store_user_insert(store, &new_user);
    if (result != STORE_OK)
        fail_msg("cannot insert user %s: %s", spec->username,
                 store_last_error());
    id = xstrdup(user.id);
    gitsshkey_release(&key);
    user_release(&user);
    store_free(store);
    return id;
}

char *seed_member_session(struct harness *h, const char *username)
{
    struct seed_user spec = {username, NULL, false};
    char email[256];
    char *token;

    free(seed_user(h, &spec));
    snprintf(email, sizeof(email), "%s@example.com", username);
    token = harness_login(h, email, HARNESS_PASSWORD);
    if (token == NULL)
        fail_msg("cannot log in as %s", email);
    return token;
}
