/* SPDX-License-Identifier: MIT */
/*
 * Keys minted while the credential behind them is revoked. A password
 * change revokes every key of the user, so no key may survive it: not one
 * minted through a session that the change revokes, nor one issued by a
 * login that checked the old password. Each round streams such requests
 * over several connections while the change runs, then tries every key
 * that was handed out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "seed.h"
#include "support.h"

#define OTHER_PASSWORD "Another-Horse-Battery-7"
#define ROUNDS 4
#define STREAMS 4
/* Requests per stream after which a stream stops even if the change is
 * still running, so that a round always ends. */
#define STREAM_LIMIT 400

static struct harness *server;

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    free(harness_setup_owner(server, "owner@example.com", "owner",
                             HARNESS_PASSWORD));
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    harness_free(server);
    return 0;
}

struct transfer {
    CURL *easy;
    struct curl_slist *headers;
    char body[4096];
    size_t len;
    int sent;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
    struct transfer *t = arg;
    size_t n = size * nmemb;

    if (n > sizeof(t->body) - 1 - t->len)
        n = sizeof(t->body) - 1 - t->len;
    memcpy(t->body + t->len, data, n);
    t->len += n;
    t->body[t->len] = '\0';
    return size * nmemb;
}

/* Prepare t for a request to path with an optional token and JSON body. */
static void setup_transfer(struct transfer *t, const char *method,
                           const char *path, const char *token,
                           const char *body)
{
    char url[512];
    char header[256];

    memset(t, 0, sizeof(*t));
    t->easy = curl_easy_init();
    snprintf(url, sizeof(url), "%s%s", harness_base_url(server), path);
    t->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (token != NULL) {
        snprintf(header, sizeof(header), "Coder-Session-Token: %s", token);
        t->headers = curl_slist_append(t->headers, header);
    }
    curl_easy_setopt(t->easy, CURLOPT_URL, url);
    curl_easy_setopt(t->easy, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(t->easy, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, 120L);
}

static void release_transfer(struct transfer *t)
{
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
}

static long status_of(const struct transfer *t)
{
    long status = 0;

    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* Return the string at key of a JSON reply (malloc'd), or NULL. */
static char *reply_string(const struct transfer *t, const char *key)
{
    json_t *root = json_loads(t->body, 0, NULL);
    const char *value = json_string_value(json_object_get(root, key));
    char *copy = value ? strdup(value) : NULL;

    json_decref(root);
    return copy;
}

struct round {
    const char *method;
    const char *path;
    const char *token;
    const char *body;
    /* The reply field that contains the new key. */
    const char *key_field;
    char *keys[STREAMS * STREAM_LIMIT];
    size_t key_count;
};

/* Record the key of a finished stream request, when it got one. */
static void record_key(struct round *r, const struct transfer *t)
{
    char *key;

    if (status_of(t) != 201)
        return;
    key = reply_string(t, r->key_field);
    assert_non_null(key);
    r->keys[r->key_count++] = key;
}

/*
 * Run the password change given by change_body as the user behind
 * change_token while STREAMS connections keep sending r's request, and
 * return the status of the change. Streams stop once the change is done.
 */
static long race_change(struct round *r, const char *change_token,
                        const char *change_body)
{
    CURLM *multi = curl_multi_init();
    struct transfer change;
    struct transfer streams[STREAMS];
    bool changed = false;
    int running = 1;
    long status;

    setup_transfer(&change, "PUT", "/api/v2/users/me/password", change_token,
                   change_body);
    curl_multi_add_handle(multi, change.easy);
    for (int i = 0; i < STREAMS; i++) {
        setup_transfer(&streams[i], r->method, r->path, r->token, r->body);
        streams[i].sent = 1;
        curl_multi_add_handle(multi, streams[i].easy);
    }
    while (running > 0) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (msg->easy_handle == change.easy) {
                changed = true;
                continue;
            }
            for (int i = 0; i < STREAMS; i++) {
                if (streams[i].easy != msg->easy_handle)
                    continue;
                record_key(r, &streams[i]);
                if (changed || streams[i].sent >= STREAM_LIMIT)
                    break;
                /* Send the same request again on this stream. */
                streams[i].len = 0;
                streams[i].sent++;
                curl_multi_add_handle(multi, streams[i].easy);
                running++;
            }
        }
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    status = status_of(&change);
    release_transfer(&change);
    for (int i = 0; i < STREAMS; i++)
        release_transfer(&streams[i]);
    curl_multi_cleanup(multi);
    return status;
}

/* Check that no key handed out in r works, and free them. */
static void expect_no_survivor(struct round *r)
{
    for (size_t i = 0; i < r->key_count; i++) {
        assert_int_equal(support_me_status(server, r->keys[i]), 401);
        free(r->keys[i]);
    }
}

static void change_body(char *out, size_t size, const char *old_password,
                        const char *new_password)
{
    snprintf(out, size, "{\"old_password\":\"%s\",\"password\":\"%s\"}",
             old_password, new_password);
}

/* Tokens minted with a session while a password change revokes it. */
static void minted_tokens_die_with_their_session(void **state)
{
    static struct round r;
    char body[256];

    (void)state;
    free(seed_member_session(server, "minter"));
    for (int i = 0; i < ROUNDS; i++) {
        const char *old = i % 2 == 0 ? HARNESS_PASSWORD : OTHER_PASSWORD;
        const char *next = i % 2 == 0 ? OTHER_PASSWORD : HARNESS_PASSWORD;
        char *stolen = harness_login(server, "minter@example.com", old);
        char *own = harness_login(server, "minter@example.com", old);

        memset(&r, 0, sizeof(r));
        r.method = "POST";
        r.path = "/api/v2/users/me/keys/tokens";
        r.token = stolen;
        r.body = "{}";
        r.key_field = "key";
        change_body(body, sizeof(body), old, next);
        assert_int_equal(race_change(&r, own, body), 204);
        assert_int_equal(support_me_status(server, stolen), 401);
        expect_no_survivor(&r);
        free(stolen);
        free(own);
    }
}

/* Sessions from logins with the old password during a password change. */
static void logins_with_old_password_die(void **state)
{
    static struct round r;
    char login[256];
    char body[256];

    (void)state;
    free(seed_member_session(server, "loginer"));
    for (int i = 0; i < ROUNDS; i++) {
        const char *old = i % 2 == 0 ? HARNESS_PASSWORD : OTHER_PASSWORD;
        const char *next = i % 2 == 0 ? OTHER_PASSWORD : HARNESS_PASSWORD;
        char *own = harness_login(server, "loginer@example.com", old);

        memset(&r, 0, sizeof(r));
        snprintf(login, sizeof(login),
                 "{\"email\":\"loginer@example.com\",\"password\":\"%s\"}",
                 old);
        r.method = "POST";
        r.path = "/api/v2/users/login";
        r.body = login;
        r.key_field = "session_token";
        change_body(body, sizeof(body), old, next);
        assert_int_equal(race_change(&r, own, body), 204);
        expect_no_survivor(&r);
        free(own);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minted_tokens_die_with_their_session),
        cmocka_unit_test(logins_with_old_password_die),
    };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
