/* SPDX-License-Identifier: MIT */
/*
 * Password reset by one-time passcode: a user asks for a code by e-mail
 * address, receives it by mail, and sets a new password with it. Both
 * routes take about the same time and send the same response whether or
 * not the address belongs to anyone, so that they reveal no accounts.
 */
#include "api/api_internal.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/mail.h"
#include "core/password.h"
#include "http/httpd.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timestamp.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* How long a code stays valid, as in Coder. */
#define OTP_VALIDITY_MINUTES 20
#define OTP_VALIDITY (OTP_VALIDITY_MINUTES * 60LL * TIMESTAMP_US_PER_SECOND)

/* Largest mail message built here. */
#define MAIL_MAX (16u * 1024u)

static const char wrong_code[] = "Incorrect email or one-time passcode.";

static void wipe(char *secret)
{
    if (secret != NULL)
        OPENSSL_cleanse(secret, strlen(secret));
}

static int refuse_if_disabled(struct api_call *call)
{
    if (!call->api->settings.disable_password_auth)
        return 0;
    api_error(call, 403, "Password authentication is disabled.", NULL, NULL);
    return -1;
}

/* ----- POST /users/otp/request ------------------------------------------- */

struct otp_request {
    char *email;
};

static const struct api_field otp_request_fields[] = {
    {"email", API_FIELD_STRING, offsetof(struct otp_request, email),
     API_NO_PRESENCE},
};

/* Build the mail carrying code for user. Returns the message (the caller
 * owns it), or NULL when it cannot be composed. */
static char *compose_code_mail(struct api_call *call, const struct user *user,
                               const char *code)
{
    const struct api_settings *s = &call->api->settings;
    struct mail_message message = {0};
    struct buf body;
    struct buf text;
    char id[UUID_STR_LEN + 256];
    char uuid[UUID_STR_LEN + 1];
    char *result = NULL;

    buf_init(&body, MAIL_MAX);
    buf_init(&text, MAIL_MAX);
    if (uuid_generate(uuid) != 0)
        goto out;
    snprintf(id, sizeof(id), "%s@%s", uuid,
             s->email_hello && s->email_hello[0] ? s->email_hello
                                                 : "localhost");
    if (buf_printf(&body,
                   "Hello %s,\n\n"
                   "Someone asked to reset the password of your account at\n"
                   "%s. To choose a new password, enter this one-time\n"
                   "passcode together with the new password:\n\n"
                   "    %s\n\n"
                   "The passcode works once and expires in %d minutes. If you\n"
                   "did not ask for a reset, ignore this message: your\n"
                   "password stays as it is.\n",
                   user->username, s->access_url ? s->access_url : "Usher",
                   code, OTP_VALIDITY_MINUTES) != 0)
        goto out;
    message.from = s->email_from ? s->email_from : "";
    message.to = user->email;
    message.subject = "Your one-time passcode to reset your password";
    message.message_id = id;
    message.date = call->now;
    message.body = body.data;
    if (mail_compose(&message, &text) == 0)
        result = buf_take(&text);

out:
    OPENSSL_cleanse(body.data, body.len);
    OPENSSL_cleanse(text.data, text.len);
    buf_release(&body);
    buf_release(&text);
    return result;
}

/* Store the hash of a new code for user and queue the mail with it. */
static void issue_code(struct api_call *call, const struct user *user,
                       const char *code, const char *hashed)
{
    const char *request_id = http_request_id(call->req);
    enum store_result result;
    char *mail;

    result = store_user_set_one_time_passcode(call->api->store, user->id,
                                              hashed, call->now + OTP_VALIDITY);
    if (result != STORE_OK) {
        log_kv(LOG_ERROR, "otp", "cannot store one-time passcode", "request_id",
               request_id, "user_id", user->id, "detail", store_last_error(),
               NULL);
        return;
    }
    /* NOTE: addresses with non-ASCII characters cannot be composed yet,
     * since the headers are written without RFC 2047 encoding. */
    mail = compose_code_mail(call, user, code);
    if (mail == NULL) {
        log_kv(LOG_ERROR, "otp", "cannot compose one-time passcode mail",
               "request_id", request_id, "user_id", user->id, NULL);
        return;
    }
    api_mail_queue(call->api, request_id, user->email, mail);
}

/* Find the user with address email. Returns true with the user in out. */
static bool find_user(struct api_call *call, const char *email,
                      struct user *out)
{
    enum store_result result =
        store_user_get_by_email(call->api->store, email, out);

    if (result == STORE_OK)
        return true;
    if (result != STORE_NOT_FOUND)
        log_kv(LOG_ERROR, "otp", "cannot look up user by e-mail", "request_id",
               http_request_id(call->req), "detail", store_last_error(), NULL);
    return false;
}

static void request_code(struct api_call *call, const char *email)
{
    struct user user = {0};
    char code[UUID_STR_LEN + 1];
    char hashed[PASSWORD_HASH_MAX];
    bool found = find_user(call, email, &user);

    /* The code is a random UUID, as Coder's. It is hashed even for
     * unknown addresses so that both cases cost the same. */
    if (uuid_generate(code) != 0 || password_hash(code, hashed) != 0) {
        log_kv(LOG_ERROR, "otp", "cannot generate one-time passcode",
               "request_id", http_request_id(call->req), NULL);
    } else if (found) {
        issue_code(call, &user, code, hashed);
    } else {
        log_kv(LOG_WARN, "otp",
               "password reset requested for an unknown e-mail address",
               "request_id", http_request_id(call->req), "email", email, NULL);
    }
    OPENSSL_cleanse(code, sizeof(code));
    OPENSSL_cleanse(hashed, sizeof(hashed));
    user_release(&user);
}

static void post_otp_request(struct api_call *call)
{
    struct otp_request body = {0};
    json_t *validations;

    if (refuse_if_disabled(call) != 0)
        return;
    if (api_decode(call, "codersdk.RequestOneTimePasscodeRequest",
                   otp_request_fields, COUNT(otp_request_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "email", body.email, "required,email");
    if (api_validation_result(call, validations) != 0)
        goto out;

    /* Failures past this point are logged only, because the response
     * must not tell whether the address exists. */
    request_code(call, body.email);
    api_empty(call, 204);

out:
    api_decode_release(otp_request_fields, COUNT(otp_request_fields), &body);
}

/* ----- POST /users/otp/change-password ----------------------------------- */

struct otp_change_request {
    char *email;
    char *password;
    char *one_time_passcode;
};

static const struct api_field otp_change_fields[] = {
    {"email", API_FIELD_STRING, offsetof(struct otp_change_request, email),
     API_NO_PRESENCE},
    {"password", API_FIELD_STRING,
     offsetof(struct otp_change_request, password), API_NO_PRESENCE},
    {"one_time_passcode", API_FIELD_STRING,
     offsetof(struct otp_change_request, one_time_passcode), API_NO_PRESENCE},
};

static int check_strength(struct api_call *call, const char *password)
{
    char reason[256];
    json_t *validations;

    if (password_check_strength(password, reason, sizeof(reason)) == 0)
        return 0;
    validations = json_array();
    api_validation_add(validations, "password", reason);
    api_error(call, 400, "Invalid password.", NULL, validations);
    return -1;
}

/*
 * Check the code against the user's pending one. Unknown users and users
 * without a pending code are checked against a throw-away hash, so every
 * failure takes as long as a real check. Returns 0, or -1 after sending
 * the 400 (or 500).
 */
static int check_code(struct api_call *call, bool found,
                      const struct user *user, const char *code)
{
    const char *hashed = found ? user->hashed_one_time_passcode : "";
    enum password_match match = password_verify(hashed ? hashed : "", code);

    if (match == PASSWORD_MATCH &&
        call->now <= user->one_time_passcode_expires_at)
        return 0;
    log_kv(LOG_WARN, "otp",
           "password reset attempted with a wrong or expired passcode",
           "request_id", http_request_id(call->req), NULL);
    api_error(call, 400, wrong_code, NULL, NULL);
    return -1;
}

/* Store the new password, clear the code and revoke every key, in one
 * store transaction. */
static void set_password(struct api_call *call, const struct user *user,
                         const char *password)
{
    char hashed[PASSWORD_HASH_MAX];
    enum store_result result;

    if (password_verify(user->hashed_password ? user->hashed_password : "",
                        password) == PASSWORD_MATCH) {
        api_error(call, 400, "New password cannot match old password.", NULL,
                  NULL);
        return;
    }
    if (password_hash(password, hashed) != 0) {
        api_internal_error(call, "Internal error.",
                           "cannot hash the new password");
        return;
    }
    /* The write happens only if the code checked above is still the stored
     * one, so two requests racing with the same code cannot both win. */
    result =
        store_user_update_password(call->api->store, user->id, hashed,
                                   user->hashed_one_time_passcode, call->now);
    OPENSSL_cleanse(hashed, sizeof(hashed));
    if (result == STORE_NOT_FOUND) {
        api_error(call, 400, wrong_code, NULL, NULL);
        return;
    }
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error.");
        return;
    }
    log_kv(LOG_INFO, "otp", "password reset with one-time passcode",
           "request_id", http_request_id(call->req), "user_id", user->id, NULL);
    api_empty(call, 204);
}

static void change_password(struct api_call *call,
                            const struct otp_change_request *body)
{
    struct user user = {0};
    enum store_result result;
    bool found;

    result = store_user_get_by_email(call->api->store, body->email, &user);
    if (result != STORE_OK && result != STORE_NOT_FOUND) {
        api_store_failure(call, result, "Internal error.");
        return;
    }
    found = result == STORE_OK;
    if (check_code(call, found, &user, body->one_time_passcode) == 0)
        set_password(call, &user, body->password);
    user_release(&user);
}

static void post_otp_change_password(struct api_call *call)
{
    struct otp_change_request body = {0};
    json_t *validations;

    if (refuse_if_disabled(call) != 0)
        return;
    if (api_decode(call, "codersdk.ChangePasswordWithOneTimePasscodeRequest",
                   otp_change_fields, COUNT(otp_change_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, "email", body.email, "required,email");
    api_validate(validations, "password", body.password, "required");
    api_validate(validations, "one_time_passcode", body.one_time_passcode,
                 "required");
    if (api_validation_result(call, validations) != 0)
        goto out;
    if (check_strength(call, body.password) != 0)
        goto out;
    change_password(call, &body);

out:
    wipe(body.password);
    wipe(body.one_time_passcode);
    api_decode_release(otp_change_fields, COUNT(otp_change_fields), &body);
}

const struct api_route api_routes_otp[] = {
    /* Both hash with PBKDF2, so they run on the work pool. */
    {"POST", "/users/otp/request", post_otp_request,
     API_LOGIN_LIMIT | HTTPD_ROUTE_BLOCKING},
    {"POST", "/users/otp/change-password", post_otp_change_password,
     API_LOGIN_LIMIT | HTTPD_ROUTE_BLOCKING},
    {NULL, NULL, NULL, 0},
};
