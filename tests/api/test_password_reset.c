/* SPDX-License-Identifier: MIT */
/*
 * Password reset by one-time passcode, with the code delivered by mail to
 * an SMTP sink that this test runs on loopback.
 */
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
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
#include "smtp_sink.h"

/* Seconds to wait for a queued mail to reach the sink. */
#define MAIL_WAIT_SECONDS 60

#define NEW_PASSWORD "Fresh-Garden-Lantern-77"

static struct smtp_sink *sink;
static struct harness *server;
static char smarthost[64];

/* The arguments that point a server at the sink, with up to two more. */
static void mail_args(const char *args[8], const char *extra1,
                      const char *extra2)
{
    args[0] = "--email-smarthost";
    args[1] = smarthost;
    args[2] = "--email-from";
    args[3] = "Usher <usher@example.com>";
    args[4] = extra1;
    args[5] = extra2;
    args[6] = NULL;
    args[7] = NULL;
}

static int start_server(void **state)
{
    const char *args[8];

    (void)state;
    sink = smtp_sink_start(NULL);
    snprintf(smarthost, sizeof(smarthost), "127.0.0.1:%d",
             smtp_sink_port(sink));
    mail_args(args, NULL, NULL);
    server = harness_start(args);
    free(harness_setup_owner(server, "owner@example.com", "owner",
                             HARNESS_PASSWORD));
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    harness_free(server);
    smtp_sink_stop(sink);
    return 0;
}

static struct response post(const char *path, const char *body)
{
    return harness_call(server, "POST", path, NULL, body);
}

static long status_of(struct harness *h, const char *method, const char *path,
                      const char *token, const char *body)
{
    struct response res = harness_call(h, method, path, token, body);
    long status = res.status;

    response_release(&res);
    return status;
}

static long request_code(const char *email)
{
    char body[256];
    struct response res;
    long status;

    snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
    res = post("/api/v2/users/otp/request", body);
    status = res.status;
    assert_string_equal(res.body, "");
    response_release(&res);
    return status;
}

static struct response change_password(const char *email, const char *code,
                                       const char *password)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"email\":\"%s\",\"one_time_passcode\":\"%s\","
             "\"password\":\"%s\"}",
             email, code, password);
    return post("/api/v2/users/otp/change-password", body);
}

static long change_status(const char *email, const char *code,
                          const char *password)
{
    struct response res = change_password(email, code, password);
    long status = res.status;

    if (status == 400 && json_object_get(res.json, "validations") == NULL)
        assert_string_equal(response_string(&res, "message"),
                            "Incorrect email or one-time passcode.");
    response_release(&res);
    return status;
}

/* Wait for message number index and return the code in it (malloc'd). */
static char *receive_code(size_t index, const char *to)
{
    const struct smtp_sink_message *m;
    regex_t re;
    regmatch_t match;
    const char *body;
    char *code;

    assert_int_equal(smtp_sink_wait(sink, index + 1, MAIL_WAIT_SECONDS),
                     index + 1);
    m = smtp_sink_message(sink, index);
    assert_non_null(m);
    assert_string_equal(m->rcpt_to, to);
    assert_string_equal(m->mail_from, "usher@example.com");
    assert_int_equal(regcomp(&re,
                             "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                             "[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                             REG_EXTENDED),
                     0);
    /* The code is in the body, after the headers (Message-ID holds a
     * UUID too). */
    body = strstr(m->data, "\r\n\r\n");
    assert_non_null(body);
    assert_int_equal(regexec(&re, body, 1, &match, 0), 0);
    regfree(&re);
    code = strndup(body + match.rm_so, (size_t)(match.rm_eo - match.rm_so));
    /* The code appears in the body only, never in the log. */
    assert_false(harness_log_contains(server, code));
    return code;
}

static void reset_with_mailed_code(void **state)
{
    char *session;
    char *token;
    char *code;
    char *fresh;
    struct response res;
    size_t before = smtp_sink_count(sink);

    (void)state;
    session = seed_member_session(server, "alice");
    res = harness_call(server, "POST", "/api/v2/users/me/keys/tokens", session,
                       "{\"token_name\":\"ci\"}");
    assert_int_equal(res.status, 201);
    token = strdup(response_string(&res, "key"));
    response_release(&res);

    /* Both answer 204; mail goes out in order, so once the known address
     * has its message, nothing was sent for the unknown one. */
    assert_int_equal(request_code("nobody@example.com"), 204);
    assert_int_equal(request_code("alice@example.com"), 204);
    code = receive_code(before, "alice@example.com");
    assert_int_equal(smtp_sink_count(sink), before + 1);

    assert_int_equal(change_status("alice@example.com",
                                   "00000000-0000-4000-8000-000000000000",
                                   NEW_PASSWORD),
                     400);
    assert_int_equal(change_status("nobody@example.com", code, NEW_PASSWORD),
                     400);

    res = change_password("alice@example.com", code, "password");
    assert_int_equal(res.status, 400);
    assert_string_equal(response_string(&res, "message"), "Invalid password.");
    assert_true(response_has_validation(&res, "password"));
    response_release(&res);

    /* Nothing so far changed the account. */
    assert_int_equal(
        status_of(server, "GET", "/api/v2/users/me", session, NULL), 200);

    assert_int_equal(change_status("alice@example.com", code, NEW_PASSWORD),
                     204);
    res = harness_call(server, "GET", "/api/v2/users/me", session, NULL);
    assert_int_equal(res.status, 401);
    response_release(&res);
    res = harness_call(server, "GET", "/api/v2/users/me", token, NULL);
    assert_int_equal(res.status, 401);
    response_release(&res);
    assert_null(harness_login(server, "alice@example.com", HARNESS_PASSWORD));
    fresh = harness_login(server, "alice@example.com", NEW_PASSWORD);
    assert_non_null(fresh);

    /* The code is spent. */
    assert_int_equal(
        change_status("alice@example.com", code, "Another-Strong-Pass-99"),
        400);
    free(fresh);
    free(code);
    free(token);
    free(session);
}

static void mail_message_format(void **state)
{
    const struct smtp_sink_message *m;
    size_t before = smtp_sink_count(sink);
    char *code;

    (void)state;
    free(seed_member_session(server, "bob"));
    /* The address is matched ignoring case; the mail goes to the stored
     * one. */
    assert_int_equal(request_code("BOB@Example.COM"), 204);
    code = receive_code(before, "bob@example.com");
    m = smtp_sink_message(sink, before);
    assert_string_equal(m->helo, "localhost");
    assert_non_null(strstr(m->data, "From: Usher <usher@example.com>\r\n"));
    assert_non_null(strstr(m->data, "\r\nTo: bob@example.com\r\n"));
    assert_non_null(strstr(m->data, "\r\nSubject: "));
    assert_non_null(strstr(m->data, "\r\nDate: "));
    assert_non_null(strstr(m->data, "\r\nMessage-ID: <"));
    assert_non_null(
        strstr(m->data, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(m->data, "Hello bob,"));
    assert_non_null(strstr(m->data, "20 minutes"));
    free(code);
}

static void new_code_replaces_old(void **state)
{
    size_t before = smtp_sink_count(sink);
    char *first;
    char *second;

    (void)state;
    free(seed_member_session(server, "carol"));
    assert_int_equal(request_code("carol@example.com"), 204);
    first = receive_code(before, "carol@example.com");
    assert_int_equal(request_code("carol@example.com"), 204);
    second = receive_code(before + 1, "carol@example.com");
    assert_string_not_equal(first, second);
    assert_int_equal(change_status("carol@example.com", first, NEW_PASSWORD),
                     400);

    /* The current password cannot be reused. */
    {
        struct response res =
            change_password("carol@example.com", second, HARNESS_PASSWORD);

        assert_int_equal(res.status, 400);
        assert_string_equal(response_string(&res, "message"),
                            "New password cannot match old password.");
        response_release(&res);
    }
    assert_int_equal(change_status("carol@example.com", second, NEW_PASSWORD),
                     204);
    free(first);
    free(second);
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *data)
{
    (void)ptr;
    (void)data;
    return size * nmemb;
}

/* Several requests redeem one code at the same moment: one wins. */
static void concurrent_redemptions_one_wins(void **state)
{
    enum { RACERS = 6 };
    size_t before = smtp_sink_count(sink);
    CURLM *multi = curl_multi_init();
    CURL *easy[RACERS];
    char bodies[RACERS][512];
    char url[256];
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/json");
    int running = 1;
    int won = 0;
    int lost = 0;
    char *code;

    (void)state;
    free(seed_member_session(server, "racer"));
    assert_int_equal(request_code("racer@example.com"), 204);
    code = receive_code(before, "racer@example.com");
    snprintf(url, sizeof(url), "%s/api/v2/users/otp/change-password",
             harness_base_url(server));
    for (int i = 0; i < RACERS; i++) {
        snprintf(bodies[i], sizeof(bodies[i]),
                 "{\"email\":\"racer@example.com\",\"one_time_passcode\":"
                 "\"%s\",\"password\":\"%s-%d\"}",
                 code, NEW_PASSWORD, i);
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, bodies[i]);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard_body);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 120L);
        curl_multi_add_handle(multi, easy[i]);
    }
    while (running > 0) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    for (int i = 0; i < RACERS; i++) {
        long status = 0;

        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        won += status == 204;
        lost += status == 400;
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    assert_int_equal(won, 1);
    assert_int_equal(lost, RACERS - 1);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    free(code);
}

static void expired_code_rejected(void **state)
{
    const char *args[8];
    size_t before = smtp_sink_count(sink);
    char *stale;
    char *fresh;

    (void)state;
    free(seed_member_session(server, "dave"));
    assert_int_equal(request_code("dave@example.com"), 204);
    stale = receive_code(before, "dave@example.com");

    /* Thirty minutes on, past the 20 minutes a code lives. */
    mail_args(args, "--clock-offset", "30m");
    harness_restart_with(server, args);
    assert_int_equal(change_status("dave@example.com", stale, NEW_PASSWORD),
                     400);

    /* A code asked for then is still good ten minutes later. */
    assert_int_equal(request_code("dave@example.com"), 204);
    fresh = receive_code(before + 1, "dave@example.com");
    mail_args(args, "--clock-offset", "40m");
    harness_restart_with(server, args);
    assert_int_equal(change_status("dave@example.com", fresh, NEW_PASSWORD),
                     204);

    mail_args(args, NULL, NULL);
    harness_restart_with(server, args);
    free(stale);
    free(fresh);
}

static void bad_bodies_rejected(void **state)
{
    static const char *const requests[] = {
        "{}",
        "{\"email\":\"\"}",
        "{\"email\":\"not-an-address\"}",
        "{\"email\":5}",
        "[]",
        "",
    };
    static const char *const changes[] = {
        "{}",
        "{\"email\":\"a@example.com\",\"password\":\"" NEW_PASSWORD "\"}",
        "{\"email\":\"a@example.com\",\"one_time_passcode\":\"x\"}",
        "{\"password\":\"" NEW_PASSWORD "\",\"one_time_passcode\":\"x\"}",
        "{\"email\":\"nope\",\"password\":\"" NEW_PASSWORD "\","
        "\"one_time_passcode\":\"x\"}",
        "{\"email\":\"a@example.com\",\"password\":7,"
        "\"one_time_passcode\":\"x\"}",
        "",
    };
    struct response res;

    (void)state;
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
        res = post("/api/v2/users/otp/request", requests[i]);
        print_message("request %s -> %ld\n", requests[i], res.status);
        assert_int_equal(res.status, 400);
        response_release(&res);
    }
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        res = post("/api/v2/users/otp/change-password", changes[i]);
        print_message("change %s -> %ld\n", changes[i], res.status);
        assert_int_equal(res.status, 400);
        response_release(&res);
    }

    res = post("/api/v2/users/otp/change-password", "{}");
    assert_true(response_has_validation(&res, "email"));
    assert_true(response_has_validation(&res, "password"));
    assert_true(response_has_validation(&res, "one_time_passcode"));
    response_release(&res);
}

static void disabled_password_auth(void **state)
{
    const char *args[] = {"--disable-password-auth", NULL};
    struct harness *h = harness_start(args);
    struct response res;

    (void)state;
    res = harness_call(h, "POST", "/api/v2/users/otp/request", NULL,
                       "{\"email\":\"a@example.com\"}");
    assert_int_equal(res.status, 403);
    assert_string_equal(response_string(&res, "message"),
                        "Password authentication is disabled.");
    response_release(&res);
    res =
        harness_call(h, "POST", "/api/v2/users/otp/change-password", NULL,
                     "{\"email\":\"a@example.com\",\"password\":\"" NEW_PASSWORD
                     "\",\"one_time_passcode\":\"x\"}");
    assert_int_equal(res.status, 403);
    response_release(&res);
    harness_free(h);
}

static void without_relay_logs_failure(void **state)
{
    struct harness *h = harness_start(NULL);
    struct response res;

    (void)state;
    free(
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD));
    res = harness_call(h, "POST", "/api/v2/users/otp/request", NULL,
                       "{\"email\":\"owner@example.com\"}");
    assert_int_equal(res.status, 204);
    response_release(&res);
    assert_int_equal(harness_stop(h), 0);
    assert_true(harness_log_contains(h, "no SMTP relay configured"));
    assert_true(harness_log_contains(h, "to=owner@example.com"));
    harness_free(h);
}

static void relay_failure_logged(void **state)
{
    struct smtp_sink_options options = {false, true, false};
    struct smtp_sink *rejecting = smtp_sink_start(&options);
    char host[64];
    const char *args[] = {"--email-smarthost", host, "--email-from",
                          "usher@example.com", NULL};
    struct harness *h;
    struct response res;

    (void)state;
    snprintf(host, sizeof(host), "127.0.0.1:%d", smtp_sink_port(rejecting));
    h = harness_start(args);
    free(
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD));
    res = harness_call(h, "POST", "/api/v2/users/otp/request", NULL,
                       "{\"email\":\"owner@example.com\"}");
    assert_int_equal(res.status, 204);
    response_release(&res);
    assert_int_equal(smtp_sink_wait(rejecting, 1, MAIL_WAIT_SECONDS), 1);
    /* Stopping sends what is queued first, so the outcome is logged. */
    assert_int_equal(harness_stop(h), 0);
    assert_true(harness_log_contains(h, "msg=\"cannot send mail\""));
    assert_int_equal(smtp_sink_count(rejecting), 0);
    harness_free(h);
    smtp_sink_stop(rejecting);
}

static void shutdown_drops_queued_mail(void **state)
{
    struct smtp_sink_options options = {false, false, true};
    struct smtp_sink *held = smtp_sink_start(&options);
    char host[64];
    const char *args[] = {"--email-smarthost", host, "--email-from",
                          "usher@example.com", NULL};
    const char *body = "{\"email\":\"owner@example.com\"}";
    struct harness *h;

    (void)state;
    snprintf(host, sizeof(host), "127.0.0.1:%d", smtp_sink_port(held));
    h = harness_start(args);
    free(
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD));

    /* The first mail waits for the sink's greeting; the second waits in
     * the queue behind it. */
    assert_int_equal(
        status_of(h, "POST", "/api/v2/users/otp/request", NULL, body), 204);
    assert_int_equal(smtp_sink_wait_connections(held, 1, MAIL_WAIT_SECONDS), 1);
    assert_int_equal(
        status_of(h, "POST", "/api/v2/users/otp/request", NULL, body), 204);

    /* Once the server is stopping, the mail in progress completes and
     * the queued one is dropped rather than sent. */
    assert_int_equal(kill(harness_pid(h), SIGTERM), 0);
    assert_true(harness_wait_log(h, "msg=\"stopping the mail sender\"",
                                 MAIL_WAIT_SECONDS));
    smtp_sink_release(held);
    assert_int_equal(harness_stop(h), 0);
    assert_int_equal(smtp_sink_count(held), 1);
    assert_true(
        harness_log_contains(h, "mail dropped: the server is stopping"));
    harness_free(h);
    smtp_sink_stop(held);
}

/* Send one code through a sink that asks for a login, with the server's
 * extra mail arguments, and return what the sink saw. */
static void check_login(const char *const *extra, const char *user,
                        const char *password, const char *identity,
                        const char *hello)
{
    struct smtp_sink_options options = {true, false, false};
    struct smtp_sink *authing = smtp_sink_start(&options);
    char host[64];
    const char *args[16] = {"--email-smarthost", host, "--email-from",
                            "usher@example.com"};
    size_t n = 4;
    struct harness *h;
    const struct smtp_sink_message *m;

    snprintf(host, sizeof(host), "127.0.0.1:%d", smtp_sink_port(authing));
    for (size_t i = 0; extra[i] != NULL && n < 15; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    h = harness_start(args);
    free(
        harness_setup_owner(h, "owner@example.com", "owner", HARNESS_PASSWORD));
    assert_int_equal(status_of(h, "POST", "/api/v2/users/otp/request", NULL,
                               "{\"email\":\"owner@example.com\"}"),
                     204);
    assert_int_equal(smtp_sink_wait(authing, 1, MAIL_WAIT_SECONDS), 1);
    m = smtp_sink_message(authing, 0);
    assert_string_equal(m->auth_user, user);
    assert_string_equal(m->auth_password, password);
    assert_string_equal(m->auth_identity, identity);
    assert_string_equal(m->helo, hello);
    assert_false(harness_log_contains(h, password[0] ? password : "\x01"));
    harness_free(h);
    smtp_sink_stop(authing);
}

static void relay_login_options(void **state)
{
    /* clang-format off */
    const char *plain[] = {
        "--email-auth-username", "mailer",
        "--email-auth-password", "Relay-Secret-1",
        "--email-auth-identity", "usher-service",
        "--email-hello", "usher.test",
        NULL,
    };
    char path[] = "/tmp/usher-smtp-password-XXXXXX";
    int fd = mkstemp(path);
    const char *from_file[] = {
        "--email-auth-username", "mailer",
        "--email-auth-password", "ignored",
        "--email-auth-password-file", path,
        NULL,
    };
    /* clang-format on */
    const char *none[] = {NULL};

    (void)state;
    check_login(plain, "mailer", "Relay-Secret-1", "usher-service",
                "usher.test");
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "File-Secret-2\n", 14), 14);
    close(fd);
    check_login(from_file, "mailer", "File-Secret-2", "", "localhost");
    unlink(path);
    check_login(none, "", "", "", "localhost");
}

/* Run `usher server` with args and return its exit status; output gets
 * what it printed (at most size - 1 bytes). */
static int run_server_command(const char *args, char *output, size_t size)
{
    char command[1024];
    FILE *pipe;
    size_t n;
    int status;

    snprintf(command, sizeof(command),
             "'%s' server --http-address 127.0.0.1:0 "
             "--sqlite-path /nonexistent/usher.db %s 2>&1",
             getenv("USHER_BINARY"), args);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    n = fread(output, 1, size - 1, pipe);
    output[n] = '\0';
    status = pclose(pipe);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void startup_rejects_bad_options(void **state)
{
    static const struct {
        const char *args;
        const char *message;
    } cases[] = {
        {"--email-smarthost smtp.example.com",
         "invalid value \"smtp.example.com\" for --email-smarthost"},
        {"--email-smarthost smtp.example.com:0",
         "invalid value \"smtp.example.com:0\" for --email-smarthost"},
        {"--email-smarthost 127.0.0.1:25 --email-tls-cert-file /tmp/c.pem",
         "--email-tls-cert-file and --email-tls-cert-key-file must be set "
         "together"},
        {"--clock-offset -1h", "invalid value \"-1h\" for --clock-offset"},
    };
    char output[2048];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("%s\n", cases[i].args);
        assert_int_equal(
            run_server_command(cases[i].args, output, sizeof(output)), 2);
        assert_non_null(strstr(output, cases[i].message));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reset_with_mailed_code),
        cmocka_unit_test(mail_message_format),
        cmocka_unit_test(new_code_replaces_old),
        cmocka_unit_test(concurrent_redemptions_one_wins),
        cmocka_unit_test(expired_code_rejected),
        cmocka_unit_test(bad_bodies_rejected),
        cmocka_unit_test(disabled_password_auth),
        cmocka_unit_test(without_relay_logs_failure),
        cmocka_unit_test(relay_failure_logged),
        cmocka_unit_test(relay_login_options),
        cmocka_unit_test(shutdown_drops_queued_mail),
        cmocka_unit_test(startup_rejects_bad_options),
    };

    return cmocka_run_group_tests(tests, start_server, stop_server);
}
