/* SPDX-License-Identifier: MIT */
/* Git SSH keys: the public half, regeneration, algorithms and access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "harness.h"
#include "seed.h"
#include "util/timestamp.h"

static struct harness *server;
static char *owner;
static char *alice;
static char *bob;
static char *auditor;
static char *manager;

static char *seed_session(const char *username, const char *role)
{
    const char *roles[] = {role, NULL};
    struct seed_user spec = {username, roles, false};
    char email[128];

    free(seed_user(server, &spec));
    snprintf(email, sizeof(email), "%s@example.com", username);
    return harness_login(server, email, HARNESS_PASSWORD);
}

static int start_server(void **state)
{
    (void)state;
    server = harness_start(NULL);
    owner = harness_setup_owner(server, "owner@example.com", "owner",
                                HARNESS_PASSWORD);
    alice = seed_member_session(server, "alice");
    bob = seed_member_session(server, "bob");
    auditor = seed_session("auditor", "auditor");
    manager = seed_session("manager", "user-admin");
    return auditor != NULL && manager != NULL ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    free(owner);
    free(alice);
    free(bob);
    free(auditor);
    free(manager);
    harness_free(server);
    return 0;
}

static long status_of(const char *method, const char *path, const char *token)
{
    struct response res = harness_call(server, method, path, token, NULL);
    long status = res.status;

    response_release(&res);
    return status;
}

/* Write public_key to a file and return what `ssh-keygen -l -f` prints,
 * failing the test unless it exits with status 0. */
static char *fingerprint(const char *public_key)
{
    char path[] = "/tmp/usher-gitsshkey-XXXXXX";
    char command[256];
    char output[1024] = "";
    int fd = mkstemp(path);
    FILE *pipe;
    size_t n;
    int status;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, public_key, strlen(public_key)),
                     (ssize_t)strlen(public_key));
    close(fd);
    snprintf(command, sizeof(command), "ssh-keygen -l -f %s 2>&1", path);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    n = fread(output, 1, sizeof(output) - 1, pipe);
    output[n] = '\0';
    status = pclose(pipe);
    unlink(path);
    print_message("ssh-keygen: %s", output);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    return strdup(output);
}

static int64_t time_of(const struct response *res, const char *field)
{
    const char *text = response_string(res, field);
    int64_t ts = 0;
    char err[64];

    assert_non_null(text);
    assert_int_equal(timestamp_parse(text, &ts, err, sizeof(err)), 0);
    return ts;
}

/* Check the OpenSSH line: "<type> <base64>\n" with no comment. */
static void assert_public_key(const char *key, const char *type)
{
    size_t len = strlen(key);
    const char *space = strchr(key, ' ');

    assert_true(len > strlen(type) + 2);
    assert_int_equal(strncmp(key, type, strlen(type)), 0);
    assert_int_equal(key[strlen(type)], ' ');
    assert_int_equal(key[len - 1], '\n');
    assert_ptr_equal(strchr(key, '\n'), key + len - 1);
    assert_null(strchr(space + 1, ' '));
}

static void get_returns_openssh_line(void **state)
{
    struct response me;
    struct response res;
    const char *key;
    char *printed;

    (void)state;
    me = harness_call(server, "GET", "/api/v2/users/me", owner, NULL);
    res =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", owner, NULL);
    assert_int_equal(res.status, 200);
    key = response_string(&res, "public_key");
    assert_non_null(key);
    assert_public_key(key, "ssh-ed25519");
    assert_string_equal(response_string(&res, "user_id"),
                        response_string(&me, "id"));
    assert_non_null(response_string(&res, "created_at"));
    assert_non_null(response_string(&res, "updated_at"));
    assert_null(json_object_get(res.json, "private_key"));
    assert_int_equal(json_object_size(res.json), 4);
    printed = fingerprint(key);
    assert_non_null(strstr(printed, "(ED25519)"));
    free(printed);
    response_release(&res);
    response_release(&me);
}

static void put_regenerates_key(void **state)
{
    struct response before;
    struct response put;
    struct response after;

    (void)state;
    before =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", alice, NULL);
    assert_int_equal(before.status, 200);
    put =
        harness_call(server, "PUT", "/api/v2/users/me/gitsshkey", alice, NULL);
    assert_int_equal(put.status, 200);
    assert_string_not_equal(response_string(&put, "public_key"),
                            response_string(&before, "public_key"));
    assert_string_equal(response_string(&put, "created_at"),
                        response_string(&before, "created_at"));
    assert_true(time_of(&put, "updated_at") > time_of(&before, "updated_at"));
    assert_public_key(response_string(&put, "public_key"), "ssh-ed25519");

    after =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", alice, NULL);
    assert_int_equal(after.status, 200);
    assert_true(json_equal(after.json, put.json));
    free(fingerprint(response_string(&after, "public_key")));
    response_release(&before);
    response_release(&put);
    response_release(&after);
}

static void other_users_keys_hidden(void **state)
{
    (void)state;
    /* A member cannot name another member at all. */
    assert_int_equal(status_of("GET", "/api/v2/users/alice/gitsshkey", bob),
                     400);
    assert_int_equal(status_of("PUT", "/api/v2/users/alice/gitsshkey", bob),
                     400);
    /* An auditor sees the user but not the key. */
    assert_int_equal(status_of("GET", "/api/v2/users/alice/gitsshkey", auditor),
                     404);
    assert_int_equal(status_of("PUT", "/api/v2/users/alice/gitsshkey", auditor),
                     404);
    /* User admins and owners manage the key as personal data. */
    assert_int_equal(status_of("GET", "/api/v2/users/alice/gitsshkey", manager),
                     200);
    assert_int_equal(status_of("PUT", "/api/v2/users/alice/gitsshkey", manager),
                     200);
    assert_int_equal(status_of("GET", "/api/v2/users/alice/gitsshkey", owner),
                     200);
}

static void owner_key_matches_users_key(void **state)
{
    struct response by_owner;
    struct response by_self;

    (void)state;
    by_owner =
        harness_call(server, "GET", "/api/v2/users/bob/gitsshkey", owner, NULL);
    by_self =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", bob, NULL);
    assert_int_equal(by_owner.status, 200);
    assert_true(json_equal(by_owner.json, by_self.json));
    response_release(&by_owner);
    response_release(&by_self);
}

static void missing_key_made_on_read(void **state)
{
    struct seed_user spec = {"legacy", NULL, true};
    char *token;
    struct response first;
    struct response second;

    (void)state;
    free(seed_user(server, &spec));
    token = harness_login(server, "legacy@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    first =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", token, NULL);
    assert_int_equal(first.status, 200);
    assert_public_key(response_string(&first, "public_key"), "ssh-ed25519");
    assert_string_equal(response_string(&first, "created_at"),
                        response_string(&first, "updated_at"));
    second =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", token, NULL);
    assert_true(json_equal(first.json, second.json));
    response_release(&first);
    response_release(&second);
    free(token);
}

struct collected {
    char data[4096];
    size_t len;
};

static size_t collect_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct collected *c = arg;
    size_t n = size * nmemb;

    if (n > sizeof(c->data) - 1 - c->len)
        n = sizeof(c->data) - 1 - c->len;
    memcpy(c->data + c->len, ptr, n);
    c->len += n;
    c->data[c->len] = '\0';
    return size * nmemb;
}

/* First reads racing for a missing key all get the one key that is
 * stored. */
static void racing_first_reads_agree(void **state)
{
    enum { READERS = 6 };
    struct seed_user spec = {"racer", NULL, true};
    char *token;
    char url[256];
    char header[128];
    struct curl_slist *headers;
    CURLM *multi = curl_multi_init();
    CURL *easy[READERS];
    struct collected bodies[READERS];
    struct response stored;
    int running = 1;

    (void)state;
    free(seed_user(server, &spec));
    token = harness_login(server, "racer@example.com", HARNESS_PASSWORD);
    assert_non_null(token);
    snprintf(url, sizeof(url), "%s/api/v2/users/me/gitsshkey",
             harness_base_url(server));
    snprintf(header, sizeof(header), "Coder-Session-Token: %s", token);
    headers = curl_slist_append(NULL, header);
    memset(bodies, 0, sizeof(bodies));
    for (int i = 0; i < READERS; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, collect_body);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &bodies[i]);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 120L);
        curl_multi_add_handle(multi, easy[i]);
    }
    while (running > 0) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }

    stored =
        harness_call(server, "GET", "/api/v2/users/me/gitsshkey", token, NULL);
    assert_int_equal(stored.status, 200);
    for (int i = 0; i < READERS; i++) {
        json_t *body = json_loads(bodies[i].data, 0, NULL);
        long status = 0;

        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        assert_non_null(body);
        assert_string_equal(
            json_string_value(json_object_get(body, "public_key")),
            response_string(&stored, "public_key"));
        json_decref(body);
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    response_release(&stored);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    free(token);
}

static void routes_need_session(void **state)
{
    (void)state;
    assert_int_equal(status_of("GET", "/api/v2/users/me/gitsshkey", NULL), 401);
    assert_int_equal(status_of("PUT", "/api/v2/users/me/gitsshkey", NULL), 401);
    assert_int_equal(status_of("GET", "/api/v2/users/me/gitsshkey",
                               "ABCDEFGHIJ-0123456789012345678901"),
                     401);
}

/* Start a fresh server generating algorithm keys and check the first
 * user's key and a regenerated one. */
static void check_algorithm(const char *algorithm, const char *type,
                            const char *label)
{
    const char *args[] = {"--ssh-keygen-algorithm", algorithm, NULL};
    struct harness *h = harness_start(args);
    char *token =
        harness_setup_owner(h, "o@example.com", "o", HARNESS_PASSWORD);
    const char *methods[] = {"GET", "PUT"};

    for (size_t i = 0; i < 2; i++) {
        struct response res = harness_call(
            h, methods[i], "/api/v2/users/me/gitsshkey", token, NULL);
        char *printed;

        assert_int_equal(res.status, 200);
        assert_public_key(response_string(&res, "public_key"), type);
        printed = fingerprint(response_string(&res, "public_key"));
        assert_non_null(strstr(printed, label));
        free(printed);
        response_release(&res);
    }
    free(token);
    harness_free(h);
}

static void ecdsa_keys(void **state)
{
    (void)state;
    check_algorithm("ecdsa", "ecdsa-sha2-nistp256", "(ECDSA)");
}

static void rsa4096_keys(void **state)
{
    (void)state;
    check_algorithm("RSA4096", "ssh-rsa", "4096 ");
}

static void unknown_algorithm_stops_start(void **state)
{
    char command[1024];
    char output[1024] = "";
    FILE *pipe;
    size_t n;
    int status;

    (void)state;
    snprintf(command, sizeof(command),
             "CODER_SSH_KEYGEN_ALGORITHM=dsa '%s' server "
             "--http-address 127.0.0.1:0 --sqlite-path /nonexistent/x.db 2>&1",
             getenv("USHER_BINARY"));
    pipe = popen(command, "r");
    assert_non_null(pipe);
    n = fread(output, 1, sizeof(output) - 1, pipe);
    output[n] = '\0';
    status = pclose(pipe);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    assert_non_null(strstr(output, "invalid key type: dsa, must be one of: "
                                   "ed25519,ecdsa,rsa4096"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_returns_openssh_line),
        cmocka_unit_test(put_regenerates_key),
        cmocka_unit_test(other_users_keys_hidden),
        cmocka_unit_test(owner_key_matches_users_key),
        cmocka_unit_test(missing_key_made_on_read),
        cmocka_unit_test(racing_first_reads_agree),
        cmocka_unit_test(routes_need_session),
        cmocka_unit_test(ecdsa_keys),
        cmocka_unit_test(rsa4096_keys),
        cmocka_unit_test(unknown_algorithm_stops_start),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
