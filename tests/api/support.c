/* SPDX-License-Identifier: MIT */
/* Helpers shared by the user-management API tests. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include <cmocka.h>

#include "core/apikey.h"
#include "core/user.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timestamp.h"

static char *copy(const char *s)
{
    char *out = strdup(s);

    if (out == NULL)
        abort();
    return out;
}

char *support_create_user(struct harness *h, const char *token,
                          const char *username, const char *email,
                          const char *extra)
{
    char body[2048];
    struct response res;
    char *id;

    snprintf(body, sizeof(body),
             "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"%s\","
             "\"organization_ids\":[\"00000000-0000-0000-0000-000000000000\"]"
             "%s%s}",
             username, email, HARNESS_PASSWORD, extra ? "," : "",
             extra ? extra : "");
    res = harness_call(h, "POST", "/api/v2/users", token, body);
    if (res.status != 201 || response_string(&res, "id") == NULL)
        fail_msg("POST /users %s: %ld %s", username, res.status, res.body);
    id = copy(response_string(&res, "id"));
    response_release(&res);
    return id;
}

char *support_member(struct harness *h, const char *owner_token,
                     const char *username, char **id)
{
    char email[256];
    char *user_id;
    char *token;

    snprintf(email, sizeof(email), "%s@example.com", username);
    user_id = support_create_user(h, owner_token, username, email, NULL);
    token = harness_login(h, email, HARNESS_PASSWORD);
    if (token == NULL)
        fail_msg("cannot log in as %s", email);
    if (id != NULL)
        *id = user_id;
    else
        free(user_id);
    return token;
}

void support_set_roles(struct harness *h, const char *token, const char *user,
                       const char *roles_json)
{
    char path[256];
    char body[512];
    struct response res;

    snprintf(path, sizeof(path), "/api/v2/users/%s/roles", user);
    snprintf(body, sizeof(body), "{\"roles\":%s}", roles_json);
    res = harness_call(h, "PUT", path, token, body);
    if (res.status != 200)
        fail_msg("PUT %s: %ld %s", path, res.status, res.body);
    response_release(&res);
}

static struct store *open_store(struct harness *h)
{
    struct store_config config = {0};
    struct store *store;
    char err[256];

    config.sqlite_path = harness_sqlite_path(h);
    config.postgres_url = harness_postgres_url(h);
    config.max_connections = 1;
    log_set_level(LOG_ERROR);
    store = store_open(&config, err, sizeof(err));
    if (store == NULL)
        fail_msg("cannot open the server's database: %s", err);
    return store;
}

char *support_store_key(struct harness *h, const char *user_id)
{
    struct store *store = open_store(h);
    struct apikey key = {0};
    char secret[APIKEY_SECRET_LEN + 1];
    char token[APIKEY_TOKEN_LEN + 1];
    int64_t now = timestamp_now();

    if (apikey_generate(key.id, secret, token) != 0 ||
        apikey_hash_secret(secret, key.hashed_secret) != 0)
        fail_msg("cannot generate an API key");
    snprintf(key.user_id, sizeof(key.user_id), "%s", user_id);
    key.login_type = LOGIN_TYPE_PASSWORD;
    key.scope = APIKEY_SCOPE_ALL;
    key.lifetime_seconds = 86400;
    key.created_at = now;
    key.updated_at = now;
    key.last_used = 0;
    key.expires_at = now + 86400 * TIMESTAMP_US_PER_SECOND;
    key.token_name = "";
    snprintf(key.ip_address, sizeof(key.ip_address), "127.0.0.1");
    if (store_apikey_insert(store, &key, NULL) != STORE_OK)
        fail_msg("cannot store the API key: %s", store_last_error());
    store_free(store);
    return copy(token);
}

char *support_mint_key(struct harness *h, const char *owner_token,
                       const char *user_id, const char *kind)
{
    char path[256];
    bool token = strcmp(kind, "token") == 0;
    struct response res;
    char *key;

    snprintf(path, sizeof(path), "/api/v2/users/%s/keys%s", user_id,
             token ? "/tokens" : "");
    res = harness_call(h, "POST", path, owner_token, token ? "{}" : NULL);
    if (res.status != 201 || response_string(&res, "key") == NULL)
        fail_msg("POST %s: %ld %s", path, res.status, res.body);
    key = copy(response_string(&res, "key"));
    response_release(&res);
    return key;
}

long support_me_status(struct harness *h, const char *token)
{
    struct response res =
        harness_call(h, "GET", "/api/v2/users/me", token, NULL);
    long status = res.status;

    response_release(&res);
    return status;
}

char *support_user_field(struct harness *h, const char *token, const char *user,
                         const char *field)
{
    char path[256];
    struct response res;
    char *value = NULL;

    snprintf(path, sizeof(path), "/api/v2/users/%s", user);
    res = harness_call(h, "GET", path, token, NULL);
    if (res.status == 200 && response_string(&res, field) != NULL)
        value = copy(response_string(&res, field));
    response_release(&res);
    return value;
}
