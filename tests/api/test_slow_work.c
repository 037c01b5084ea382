/* SPDX-License-Identifier: MIT */
/*
 * Password hashing runs beside, not in front of, token-authenticated
 * requests: with one hashing thread and a queue of logins, a token request
 * is answered while the logins are still waiting their turn.
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

#include "harness.h"

#define LOGINS 40
#define TOKEN_REQUESTS 5

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static CURL *make_easy(const char *url, const char *body,
                       struct curl_slist *headers)
{
    CURL *easy = curl_easy_init();

    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 120L);
    if (body != NULL)
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    return easy;
}

static void token_requests_overtake_queued_logins(void **state)
{
    const char *const args[] = {"--hash-threads", "1", NULL};
    struct harness *h = harness_start(args);
    char *token =
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD);
    char url[256];
    char header[128];
    struct curl_slist *json =
        curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *auth;
    CURLM *multi = curl_multi_init();
    CURL *logins[LOGINS];
    CURL *me;
    int running = 1;
    int logins_done = 0;
    int logins_done_before_me = -1;
    int token_requests = 0;
    long status;

    (void)state;
    snprintf(header, sizeof(header), "Coder-Session-Token: %s", token);
    auth = curl_slist_append(NULL, header);
    snprintf(url, sizeof(url), "%s/api/v2/users/login", harness_base_url(h));
    for (int i = 0; i < LOGINS; i++) {
        logins[i] = make_easy(url,
                              "{\"email\":\"owner@example.com\",\"password\":"
                              "\"" HARNESS_PASSWORD "\"}",
                              json);
        curl_multi_add_handle(multi, logins[i]);
    }
    /* Give the logins a head start: wait until the first one has been
     * answered, so that the rest are queued behind the one hashing
     * thread. */
    while (running > 0 && logins_done == 0) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL)
            logins_done += msg->msg == CURLMSG_DONE;
    }

    /* Then send token requests one after another, each on a new
     * connection, while the logins wait. */
    snprintf(url, sizeof(url), "%s/api/v2/users/me", harness_base_url(h));
    me = make_easy(url, NULL, auth);
    curl_multi_add_handle(multi, me);
    running = 1;
    while (running > 0) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            if (msg->easy_handle != me) {
                logins_done++;
                continue;
            }
            curl_easy_getinfo(me, CURLINFO_RESPONSE_CODE, &status);
            assert_int_equal(status, 200);
            curl_multi_remove_handle(multi, me);
            curl_easy_cleanup(me);
            me = NULL;
            if (++token_requests == TOKEN_REQUESTS) {
                logins_done_before_me = logins_done;
                continue;
            }
            me = make_easy(url, NULL, auth);
            curl_multi_add_handle(multi, me);
            running = 1;
        }
    }

    assert_int_equal(token_requests, TOKEN_REQUESTS);
    for (int i = 0; i < LOGINS; i++) {
        curl_easy_getinfo(logins[i], CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 201);
    }
    print_message("logins answered before the token requests: %d of %d\n",
                  logins_done_before_me, LOGINS);
    /* Had the logins hashed on the connection threads, each token request
     * would have waited behind the logins of its thread, and five of them
     * in a row behind most of the queue. */
    assert_true(logins_done_before_me >= 1);
    assert_true(logins_done_before_me < LOGINS / 2);

    for (int i = 0; i < LOGINS; i++) {
        curl_multi_remove_handle(multi, logins[i]);
        curl_easy_cleanup(logins[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(json);
    curl_slist_free_all(auth);
    free(token);
    harness_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_requests_overtake_queued_logins),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
