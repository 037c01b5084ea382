/* SPDX-License-Identifier: MIT */
/* The store interface: chooses a backend and forwards each call to it. */
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/backend.h"

static _Thread_local char last_error[512];

void store_set_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
}

const char *store_last_error(void)
{
    return last_error;
}

struct store *store_open(const struct store_config *config, char *err,
                         size_t errsize)
{
    if (config->postgres_url != NULL && config->postgres_url[0] != '\0')
        return store_postgres_open(config, err, errsize);
    return store_sqlite_open(config, err, errsize);
}

void store_free(struct store *store)
{
    if (store != NULL)
        store->ops->free(store);
}

const char *store_backend_name(const struct store *store)
{
    return store->ops->name;
}

enum store_result store_deployment_id(struct store *store,
                                      char out[UUID_STR_LEN + 1])
{
    return store->ops->deployment_id(store, out);
}

enum store_result store_org_get_default(struct store *store,
                                        struct organization *out)
{
    return store->ops->org_get_default(store, out);
}

enum store_result store_org_get_by_id(struct store *store, const char *id,
                                      struct organization *out)
{
    return store->ops->org_get_by_id(store, id, out);
}

enum store_result store_org_get_by_name(struct store *store, const char *name,
                                        struct organization *out)
{
    return store->ops->org_get_by_name(store, name, out);
}

enum store_result store_org_list_for_user(struct store *store,
                                          const char *user_id,
                                          struct organization **out,
                                          size_t *count)
{
    return store->ops->org_list_for_user(store, user_id, out, count);
}

enum store_result store_org_membership_roles(struct store *store,
                                             const char *user_id,
                                             struct strlist *org_ids,
                                             struct strlist **roles)
{
    return store->ops->org_membership_roles(store, user_id, org_ids, roles);
}

void store_free_membership_roles(struct strlist *org_ids, struct strlist *roles)
{
    if (roles != NULL) {
        for (size_t i = 0; i < org_ids->len; i++)
            strlist_release(&roles[i]);
        free(roles);
    }
    strlist_release(org_ids);
}

enum store_result store_user_count(struct store *store, int64_t *count)
{
    return store->ops->user_count(store, count);
}

enum store_result store_user_get_by_id(struct store *store, const char *id,
                                       struct user *out)
{
    return store->ops->user_get_by_id(store, id, out);
}

enum store_result store_user_get_by_username(struct store *store,
                                             const char *username,
                                             struct user *out)
{
    return store->ops->user_get_by_username(store, username, out);
}

enum store_result store_user_get_by_email(struct store *store,
                                          const char *email, struct user *out)
{
    return store->ops->user_get_by_email(store, email, out);
}

enum store_result store_user_insert(struct store *store,
                                    const struct store_new_user *new_user)
{
    return store->ops->user_insert(store, new_user);
}

enum store_result store_user_list(struct store *store,
                                  const struct store_user_query *query,
                                  struct user **users, size_t *count,
                                  int64_t *total)
{
    return store->ops->user_list(store, query, users, count, total);
}

void store_free_users(struct user *users, size_t count)
{
    if (users == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        user_release(&users[i]);
    free(users);
}

enum store_result store_user_update_profile(struct store *store, const char *id,
                                            const char *username,
                                            const char *name, int64_t now)
{
    return store->ops->user_update_profile(store, id, username, name, now);
}

enum store_result store_user_update_status(struct store *store, const char *id,
                                           enum user_status status, int64_t now)
{
    return store->ops->user_update_status(store, id, status, now);
}

enum store_result store_user_activate_if_dormant(struct store *store,
                                                 const char *id, int64_t now)
{
    return store->ops->user_activate_if_dormant(store, id, now);
}

enum store_result store_user_update_roles(struct store *store, const char *id,
                                          const struct strlist *roles,
                                          int64_t now)
{
    return store->ops->user_update_roles(store, id, roles, now);
}

enum store_result store_user_update_password(struct store *store,
                                             const char *id,
                                             const char *hashed_password,
                                             const char *passcode, int64_t now)
{
    return store->ops->user_update_password(store, id, hashed_password,
                                            passcode, now);
}

enum store_result store_user_set_one_time_passcode(struct store *store,
                                                   const char *id,
                                                   const char *hashed,
                                                   int64_t expires_at)
{
    return store->ops->user_set_one_time_passcode(store, id, hashed,
                                                  expires_at);
}

enum store_result store_user_delete(struct store *store, const char *id,
                                    int64_t now)
{
    return store->ops->user_delete(store, id, now);
}

enum store_result store_user_touch(struct store *store, const char *id,
                                   int64_t now)
{
    return store->ops->user_touch(store, id, now);
}

enum store_result store_apikey_insert(struct store *store,
                                      const struct apikey *key,
                                      const struct store_key_guard *guard)
{
    static const struct store_key_guard none = {0};

    return store->ops->apikey_insert(store, key, guard ? guard : &none);
}

enum store_result store_apikey_get(struct store *store, const char *id,
                                   struct apikey *out)
{
    return store->ops->apikey_get(store, id, out);
}

enum store_result store_apikey_get_token_by_name(struct store *store,
                                                 const char *user_id,
                                                 const char *token_name,
                                                 struct apikey *out)
{
    return store->ops->apikey_get_token_by_name(store, user_id, token_name,
                                                out);
}

enum store_result store_apikey_list_tokens(struct store *store,
                                           const char *user_id,
                                           struct store_apikey_row **rows,
                                           size_t *count)
{
    return store->ops->apikey_list_tokens(store, user_id, rows, count);
}

void store_free_apikey_rows(struct store_apikey_row *rows, size_t count)
{
    if (rows == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        apikey_release(&rows[i].key);
        free(rows[i].username);
    }
    free(rows);
}

enum store_result store_apikey_delete(struct store *store, const char *id)
{
    return store->ops->apikey_delete(store, id);
}

enum store_result store_apikey_delete_app_connect(struct store *store,
                                                  const char *user_id)
{
    return store->ops->apikey_delete_app_connect(store, user_id);
}

enum store_result store_apikey_touch(struct store *store, const char *id,
                                     int64_t last_used, int64_t expires_at,
                                     const char *ip_address)
{
    return store->ops->apikey_touch(store, id, last_used, expires_at,
                                    ip_address);
}

enum store_result store_auth_lookup(struct store *store, const char *key_id,
                                    struct store_auth *out)
{
    return store->ops->auth_lookup(store, key_id, out);
}

void store_auth_release(struct store_auth *auth)
{
    apikey_release(&auth->key);
    user_release(&auth->user);
}

enum store_result store_gitsshkey_get(struct store *store, const char *user_id,
                                      struct gitsshkey *out)
{
    return store->ops->gitsshkey_get(store, user_id, out);
}

enum store_result store_gitsshkey_put(struct store *store,
                                      const struct gitsshkey *key, bool replace)
{
    return store->ops->gitsshkey_put(store, key, replace);
}

enum store_result store_user_config_get(struct store *store,
                                        const char *user_id, const char *key,
                                        char **value)
{
    return store->ops->user_config_get(store, user_id, key, value);
}

enum store_result store_user_config_set(struct store *store,
                                        const char *user_id,
                                        const char *const *keys,
                                        const char *const *values, size_t count)
{
    return store->ops->user_config_set(store, user_id, keys, values, count);
}
