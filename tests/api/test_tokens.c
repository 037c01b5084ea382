/* SPDX-License-Identifier: MIT */
/* API keys and tokens: names, lifetimes, scopes, lookup and revocation. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "seed.h"
#include "util/timestamp.h"

#define HOUR_NS 3600000000000LL

static struct harness *server;
static char *owner;   /* session of the first user, an owner */
static char *alice;   /* session of a member */
static char *bob;     /* session of another member */
static char *manager; /* session of a user-admin */

static int start_server(void **state)
{
    static const char *const user_admin[] = {"user-admin", NULL};
    struct seed_user spec = {"manager", user_admin, false};

    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    alice = seed_member_session(server, "alice");
    bob = seed_member_session(server, "bob");
    free(seed_user(server, &spec));
    manager = harness_login(server, "manager@example.com", HARNESS_PASSWORD);
    return manager != NULL ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    free(alice);
    free(bob);
    free(manager);
    harness_free(server);
    return 0;
}

static struct response call(const char *method, const char *path,
                            const char *token, const char *body)
{
    return harness_call(server, method, path, token, body);
}

/* Create a token and return the key (malloc'd); fails unless 201. */
static char *create_token(const char *token, const char *path, const char *body)
{
    struct response res = call("POST", path, token, body);
    char *key;

    if (res.status != 201)
        fail_msg("POST %s %s: %ld %s", path, body, res.status, res.body);
    assert_non_null(response_string(&res, "key"));
    key = strdup(response_string(&res, "key"));
    response_release(&res);
    return key;
}

/* Return the key id part of a token (malloc'd). */
static char *key_id(const char *key)
{
    return strndup(key, 10);
}

static struct response get_key(const char *token, const char *key)
{
    char path[128];
    char *id = key_id(key);
    struct response res;

    snprintf(path, sizeof(path), "/api/v2/users/me/keys/%s", id);
    res = call("GET", path, token, NULL);
    free(id);
    return res;
}

static long status_of(const char *method, const char *path, const char *token,
                      const char *body)
{
    struct response res = call(method, path, token, body);
    long status = res.status;

    response_release(&res);
    return status;
}

static json_t *find_listed(json_t *list, const char *id)
{
    size_t i;
    json_t *item;

    json_array_foreach(list, i, item)
    {
        const char *listed = json_string_value(json_object_get(item, "id"));

        if (listed != NULL && strcmp(listed, id) == 0)
            return item;
    }
    return NULL;
}

static int64_t time_field(json_t *obj, const char *name)
{
    const char *text = json_string_value(json_object_get(obj, name));
    int64_t ts = 0;
    char err[64];

    assert_non_null(text);
    assert_int_equal(timestamp_parse(text, &ts, err, sizeof(err)), 0);
    return ts;
}

static void assert_key_format(const char *key)
{
    regex_t re;

    assert_int_equal(regcomp(&re, "^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    assert_int_equal(regexec(&re, key, 0, NULL, 0), 0);
    regfree(&re);
}

static void same_name_per_member(void **state)
{
    const char *body = "{\"token_name\":\"ci-runner\"}";
    char *alice_key;
    char *bob_key;
    struct response res;

    (void)state;
    alice_key = create_token(alice, "/api/v2/users/me/keys/tokens", body);
    bob_key = create_token(bob, "/api/v2/users/me/keys/tokens", body);

    res = call("POST", "/api/v2/users/me/keys/tokens", alice, body);
    assert_int_equal(res.status, 409);
    assert_string_equal(response_string(&res, "message"),
                        "A token with name \"ci-runner\" already exists.");
    assert_true(response_has_validation(&res, "name"));
    response_release(&res);

    /* The conflict left both keys working. */
    assert_int_equal(status_of("GET", "/api/v2/users/me", alice_key, NULL),
                     200);
    assert_int_equal(status_of("GET", "/api/v2/users/me", bob_key, NULL), 200);
    free(alice_key);
    free(bob_key);
}

static void empty_body_generates_name(void **state)
{
    char *key;
    char *id;
    struct response res;
    json_t *item;
    const char *name;

    (void)state;
    key = create_token(bob, "/api/v2/users/me/keys/tokens", "{}");
    assert_key_format(key);
    id = key_id(key);

    res = call("GET", "/api/v2/users/me/keys/tokens", bob, NULL);
    assert_int_equal(res.status, 200);
    item = find_listed(res.json, id);
    assert_non_null(item);
    name = json_string_value(json_object_get(item, "token_name"));
    assert_non_null(name);
    assert_non_null(strchr(name, '_'));
    assert_string_equal(json_string_value(json_object_get(item, "login_type")),
                        "token");
    assert_string_equal(json_string_value(json_object_get(item, "scope")),
                        "all");
    assert_string_equal(json_string_value(json_object_get(item, "username")),
                        "bob");
    assert_string_equal(json_string_value(json_object_get(item, "last_used")),
                        "1970-01-01T00:00:00Z");
    assert_int_equal(
        json_integer_value(json_object_get(item, "lifetime_seconds")),
        7 * 24 * 3600);
    response_release(&res);
    free(id);
    free(key);
}

static void lookup_delete_recreate(void **state)
{
    const char *body = "{\"token_name\":\"deploy\"}";
    char *key;
    char *id;
    char path[128];
    struct response res;

    (void)state;
    key = create_token(alice, "/api/v2/users/me/keys/tokens", body);
    id = key_id(key);

    res = call("GET", "/api/v2/users/me/keys/tokens/deploy", alice, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "id"), id);
    assert_string_equal(response_string(&res, "token_name"), "deploy");
    assert_null(json_object_get(res.json, "hashed_secret"));
    response_release(&res);

    snprintf(path, sizeof(path), "/api/v2/users/me/keys/%s", id);
    assert_int_equal(status_of("DELETE", path, alice, NULL), 204);
    /* The key stops working at once. */
    res = call("GET", "/api/v2/users/me", key, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"), "API key is invalid.");
    response_release(&res);
    assert_int_equal(
        status_of("GET", "/api/v2/users/me/keys/tokens/deploy", alice, NULL),
        404);
    assert_int_equal(status_of("DELETE", path, alice, NULL), 404);

    free(key);
    key = create_token(alice, "/api/v2/users/me/keys/tokens", body);
    assert_int_equal(status_of("GET", "/api/v2/users/me", key, NULL), 200);
    free(key);
    free(id);
}

static void key_matches_listing(void **state)
{
    char *key;
    char *id;
    struct response res;

    (void)state;
    key = create_token(alice, "/api/v2/users/me/keys/tokens",
                       "{\"token_name\":\"listed\"}");
    assert_key_format(key);
    id = key_id(key);
    res = call("GET", "/api/v2/users/alice/keys/tokens", alice, NULL);
    assert_int_equal(res.status, 200);
    assert_non_null(find_listed(res.json, id));
    response_release(&res);

    res = get_key(alice, key);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "id"), id);
    assert_string_equal(response_string(&res, "token_name"), "listed");
    assert_non_null(response_string(&res, "user_id"));
    response_release(&res);
    free(id);
    free(key);
}

static void list_is_null_when_empty(void **state)
{
    char *carol;
    struct response res;

    (void)state;
    carol = seed_member_session(server, "carol");
    res = call("GET", "/api/v2/users/me/keys/tokens", carol, NULL);
    assert_int_equal(res.status, 200);
    assert_true(json_is_null(res.json));
    response_release(&res);
    free(carol);
}

static void include_all_for_owner_only(void **state)
{
    char *key;
    char *id;
    struct response res;
    json_t *item;

    (void)state;
    key = create_token(bob, "/api/v2/users/me/keys/tokens",
                       "{\"token_name\":\"bobs-own\"}");
    id = key_id(key);

    res = call("GET", "/api/v2/users/me/keys/tokens?include_all=true", owner,
               NULL);
    assert_int_equal(res.status, 200);
    item = find_listed(res.json, id);
    assert_non_null(item);
    assert_string_equal(json_string_value(json_object_get(item, "username")),
                        "bob");
    response_release(&res);

    /* A member asking for everything sees only its own tokens. */
    res = call("GET", "/api/v2/users/me/keys/tokens?include_all=true", alice,
               NULL);
    assert_int_equal(res.status, 200);
    assert_null(find_listed(res.json, id));
    response_release(&res);

    /* Without include_all the owner sees only its own tokens. */
    res = call("GET", "/api/v2/users/me/keys/tokens?include_all=nope", owner,
               NULL);
    assert_int_equal(res.status, 200);
    assert_null(find_listed(res.json, id));
    response_release(&res);
    free(id);
    free(key);
}

static void session_key_route(void **state)
{
    char *key;
    struct response res;

    (void)state;
    key = create_token(alice, "/api/v2/users/me/keys", NULL);
    assert_key_format(key);
    res = get_key(alice, key);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "login_type"), "password");
    assert_string_equal(response_string(&res, "scope"), "all");
    assert_string_equal(response_string(&res, "token_name"), "");
    assert_int_equal(
        json_integer_value(json_object_get(res.json, "lifetime_seconds")),
        7 * 24 * 3600);
    assert_null(json_object_get(res.json, "key"));
    response_release(&res);

    res = call("POST", "/api/v2/users/me/keys", alice, NULL);
    assert_int_equal(res.status, 201);
    assert_null(response_cookie(&res, "coder_session_token"));
    response_release(&res);

    /* Session keys are not tokens and are not listed. */
    res = call("GET", "/api/v2/users/me/keys/tokens", key, NULL);
    assert_int_equal(res.status, 200);
    {
        char *id = key_id(key);

        assert_null(find_listed(res.json, id));
        free(id);
    }
    response_release(&res);
    free(key);
}

static void token_config_per_role(void **state)
{
    struct response res;

    (void)state;
    res = call("GET", "/api/v2/users/me/keys/tokens/tokenconfig", owner, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(res.json, "max_token_lifetime")),
        168 * HOUR_NS);
    response_release(&res);

    res = call("GET", "/api/v2/users/me/keys/tokens/tokenconfig", alice, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(res.json, "max_token_lifetime")),
        876600 * HOUR_NS);
    response_release(&res);

    /* The cap is the target's: the owner reading alice's gets hers. */
    res =
        call("GET", "/api/v2/users/alice/keys/tokens/tokenconfig", owner, NULL);
    assert_int_equal(res.status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(res.json, "max_token_lifetime")),
        876600 * HOUR_NS);
    response_release(&res);
}

static void lifetime_limits(void **state)
{
    char body[128];
    struct response res;
    json_t *max;

    (void)state;
    res = call("GET", "/api/v2/users/me/keys/tokens/tokenconfig", owner, NULL);
    max = json_object_get(res.json, "max_token_lifetime");
    assert_true(json_integer_value(max) > 0);
    snprintf(body, sizeof(body), "{\"lifetime\":%lld}",
             (long long)(json_integer_value(max) + HOUR_NS));
    response_release(&res);

    res = call("POST", "/api/v2/users/me/keys/tokens", owner, body);
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Failed to validate create API key request.");
    assert_string_equal(response_string(&res, "detail"),
                        "lifetime must be less than 168h0m0s");
    response_release(&res);

    res = call("POST", "/api/v2/users/me/keys/tokens", owner,
               "{\"lifetime\":-1}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "detail"),
                        "lifetime must be positive number greater than 0");
    response_release(&res);
}

static void one_hour_lifetime(void **state)
{
    const int64_t hour = 3600LL * TIMESTAMP_US_PER_SECOND;
    char *key;
    struct response res;
    int64_t before;
    int64_t after;
    int64_t expires;

    (void)state;
    before = timestamp_now();
    key = create_token(alice, "/api/v2/users/me/keys/tokens",
                       "{\"lifetime\":3600000000000,\"token_name\":\"hour\"}");
    after = timestamp_now();
    res = get_key(alice, key);
    assert_int_equal(res.status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(res.json, "lifetime_seconds")),
        3600);
    expires = time_field(res.json, "expires_at");
    assert_int_equal(expires - time_field(res.json, "created_at"), hour);
    /* The server shares this clock: the key expires an hour after a
     * moment between sending the request and reading the reply. */
    assert_true(expires >= before + hour);
    assert_true(expires <= after + hour);
    response_release(&res);
    free(key);
}

static void owner_capped_by_admin_max(void **state)
{
    const char *body = "{\"lifetime\":720000000000000}"; /* 200h */

    (void)state;
    assert_int_equal(
        status_of("POST", "/api/v2/users/me/keys/tokens", owner, body), 400);
    /* The same request for a member is within the member maximum. */
    assert_int_equal(
        status_of("POST", "/api/v2/users/me/keys/tokens", alice, body), 201);
    /* An owner minting for a member is held to the member's cap. */
    assert_int_equal(
        status_of("POST", "/api/v2/users/bob/keys/tokens", owner, body), 201);
}

static void hostile_token_bodies(void **state)
{
    static const char *const bodies[] = {
        "{\"lifetime\":18446744073709551616}",
        "{\"lifetime\":9223372036854775807}",
        "{\"lifetime\":-9223372036854775808}",
        "{\"lifetime\":100000000000000000000000000000}",
        "{\"lifetime\":1.5}",
        "{\"lifetime\":3.6e12}",
        "{\"lifetime\":\"3600000000000\"}",
        "{\"lifetime\":true}",
        "{\"scope\":\"root\"}",
        "{\"scope\":\"ALL\"}",
        "{\"scope\":5}",
        "{\"token_name\":7}",
        "{\"token_name\":[\"a\"]}",
        "[]",
        "\"text\"",
        "{",
        "",
    };
    char *name = malloc(10000 + 64);
    long status;

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        status =
            status_of("POST", "/api/v2/users/me/keys/tokens", alice, bodies[i]);
        print_message("body %s -> %ld\n", bodies[i], status);
        assert_int_equal(status, 400);
    }

    memcpy(name, "{\"token_name\":\"", 15);
    memset(name + 15, 'n', 10000);
    memcpy(name + 15 + 10000, "\"}", 3);
    status = status_of("POST", "/api/v2/users/me/keys/tokens", alice, name);
    assert_int_equal(status, 400);
    free(name);
}

static void unknown_scope_message(void **state)
{
    struct response res;

    (void)state;
    res = call("POST", "/api/v2/users/me/keys/tokens", alice,
               "{\"scope\":\"root\"}");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"),
                        "Failed to create API key.");
    assert_string_equal(response_string(&res, "detail"),
                        "invalid or unsupported API key scope: \"root\"");
    assert_true(response_has_validation(&res, "scope"));
    response_release(&res);
}

static void other_users_keys_not_found(void **state)
{
    char *key;
    char *id;
    char path[128];
    struct response res;

    (void)state;
    key = create_token(alice, "/api/v2/users/me/keys/tokens",
                       "{\"token_name\":\"private\"}");
    id = key_id(key);
    snprintf(path, sizeof(path), "/api/v2/users/me/keys/%s", id);

    /* bob may not see or revoke alice's key, by id or by name. */
    res = call("GET", path, bob, NULL);
    assert_int_equal(res.status, 404);
    assert_string_equal(
        response_string(&res, "message"),
        "Resource not found or you do not have access to this resource");
    response_release(&res);
    assert_int_equal(status_of("DELETE", path, bob, NULL), 404);
    assert_int_equal(status_of("GET", "/api/v2/users/me", key, NULL), 200);
    /* bob cannot even name alice in a path. */
    assert_int_equal(
        status_of("GET", "/api/v2/users/alice/keys/tokens/private", bob, NULL),
        400);
    assert_int_equal(
        status_of("GET", "/api/v2/users/alice/keys/tokens", bob, NULL), 400);
    assert_int_equal(
        status_of("POST", "/api/v2/users/alice/keys/tokens", bob, "{}"), 400);
    assert_int_equal(status_of("POST", "/api/v2/users/alice/keys", bob, NULL),
                     400);
    assert_int_equal(status_of("GET",
                               "/api/v2/users/alice/keys/tokens/tokenconfig",
                               bob, NULL),
                     400);

    /* A user admin sees alice but not her keys. */
    res = call("GET", "/api/v2/users/alice/keys/tokens", manager, NULL);
    assert_int_equal(res.status, 200);
    assert_true(json_is_null(res.json));
    response_release(&res);
    assert_int_equal(status_of("GET", path, manager, NULL), 404);
    assert_int_equal(status_of("GET", "/api/v2/users/alice/keys/tokens/private",
                               manager, NULL),
                     404);
    assert_int_equal(
        status_of("POST", "/api/v2/users/alice/keys/tokens", manager, "{}"),
        403);
    assert_int_equal(
        status_of("POST", "/api/v2/users/alice/keys", manager, NULL), 403);
    assert_int_equal(status_of("DELETE", path, manager, NULL), 404);

    /* The owner sees and revokes any key. */
    assert_int_equal(status_of("GET", "/api/v2/users/alice/keys/tokens/private",
                               owner, NULL),
                     200);
    assert_int_equal(status_of("GET", path, owner, NULL), 200);
    assert_int_equal(status_of("DELETE", path, owner, NULL), 204);
    assert_int_equal(status_of("GET", "/api/v2/users/me", key, NULL), 401);
    free(id);
    free(key);
}

static void owner_mints_for_member(void **state)
{
    char *key;
    struct response res;

    (void)state;
    key = create_token(owner, "/api/v2/users/alice/keys/tokens",
                       "{\"token_name\":\"from-owner\"}");
    res = call("GET", "/api/v2/users/me", key, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "username"), "alice");
    response_release(&res);
    free(key);

    key = create_token(owner, "/api/v2/users/alice/keys", NULL);
    res = call("GET", "/api/v2/users/me", key, NULL);
    assert_string_equal(response_string(&res, "username"), "alice");
    response_release(&res);
    free(key);
}

static void routes_need_session(void **state)
{
    static const char *const routes[][2] = {
        {"POST", "/api/v2/users/me/keys"},
        {"GET", "/api/v2/users/me/keys/tokens"},
        {"POST", "/api/v2/users/me/keys/tokens"},
        {"GET", "/api/v2/users/me/keys/tokens/tokenconfig"},
        {"GET", "/api/v2/users/me/keys/tokens/some-name"},
        {"GET", "/api/v2/users/me/keys/ABCDEFGHIJ"},
        {"DELETE", "/api/v2/users/me/keys/ABCDEFGHIJ"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        struct response res = call(routes[i][0], routes[i][1], NULL, "{}");

        print_message("%s %s\n", routes[i][0], routes[i][1]);
        assert_int_equal(res.status, 401);
        assert_non_null(response_string(&res, "message"));
        response_release(&res);
        res = call(routes[i][0], routes[i][1],
                   "ABCDEFGHIJ-0123456789012345678901", "{}");
        assert_int_equal(res.status, 401);
        response_release(&res);
    }
}

static void app_connect_scope(void **state)
{
    char *app;
    char *id;
    char path[128];
    struct response res;

    (void)state;
    app = create_token(alice, "/api/v2/users/me/keys/tokens",
                       "{\"scope\":\"application_connect\","
                       "\"token_name\":\"app\"}");
    id = key_id(app);
    snprintf(path, sizeof(path), "/api/v2/users/me/keys/%s", id);
    res = call("GET", path, alice, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "scope"), "application_connect");
    response_release(&res);

    /* Such a key reaches no Users API data. */
    assert_int_equal(status_of("GET", "/api/v2/users/me", app, NULL), 400);
    assert_int_equal(
        status_of("POST", "/api/v2/users/me/keys/tokens", app, "{}"), 400);
    free(id);
    free(app);
}

static void logout_removes_app_keys(void **state)
{
    char *session;
    char *app;
    char *full;
    struct response res;

    (void)state;
    session = harness_login(server, "bob@example.com", HARNESS_PASSWORD);
    assert_non_null(session);
    app = create_token(session, "/api/v2/users/me/keys/tokens",
                       "{\"scope\":\"application_connect\"}");
    full = create_token(session, "/api/v2/users/me/keys/tokens",
                        "{\"token_name\":\"survives-logout\"}");

    res = call("POST", "/api/v2/users/logout", session, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(response_string(&res, "message"), "Logged out!");
    response_release(&res);

    assert_int_equal(status_of("GET", "/api/v2/users/me", session, NULL), 401);
    res = call("GET", "/api/v2/users/me", app, NULL);
    assert_int_equal(res.status, 401);
    assert_string_equal(response_string(&res, "detail"), "API key is invalid.");
    response_release(&res);
    assert_int_equal(status_of("GET", "/api/v2/users/me", full, NULL), 200);
    free(full);
    free(app);
    free(session);
}

static void generated_names_differ(void **state)
{
    char *dave;
    struct response res;
    json_t *item;
    size_t i;

    (void)state;
    dave = seed_member_session(server, "dave");
    for (int n = 0; n < 12; n++)
        free(create_token(dave, "/api/v2/users/me/keys/tokens", "{}"));
    res = call("GET", "/api/v2/users/me/keys/tokens", dave, NULL);
    assert_int_equal(json_array_size(res.json), 12);
    json_array_foreach(res.json, i, item)
    {
        const char *name =
            json_string_value(json_object_get(item, "token_name"));

        for (size_t j = i + 1; j < json_array_size(res.json); j++)
            assert_string_not_equal(
                name, json_string_value(json_object_get(
                          json_array_get(res.json, j), "token_name")));
    }
    response_release(&res);
    free(dave);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_name_per_member),
        cmocka_unit_test(empty_body_generates_name),
        cmocka_unit_test(lookup_delete_recreate),
        cmocka_unit_test(key_matches_listing),
        cmocka_unit_test(list_is_null_when_empty),
        cmocka_unit_test(include_all_for_owner_only),
        cmocka_unit_test(session_key_route),
        cmocka_unit_test(token_config_per_role),
        cmocka_unit_test(lifetime_limits),
        cmocka_unit_test(one_hour_lifetime),
        cmocka_unit_test(owner_capped_by_admin_max),
        cmocka_unit_test(hostile_token_bodies),
        cmocka_unit_test(unknown_scope_message),
        cmocka_unit_test(other_users_keys_not_found),
        cmocka_unit_test(owner_mints_for_member),
        cmocka_unit_test(routes_need_session),
        cmocka_unit_test(app_connect_scope),
        cmocka_unit_test(logout_removes_app_keys),
        cmocka_unit_test(generated_names_differ),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
