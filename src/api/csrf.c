/* SPDX-License-Identifier: MIT */
/*
 * Cross-site request forgery protection for browser sessions, as Coder
 * does it with a double-submit token. Every response to a client without
 * a well-formed csrf_token cookie sets one (32 random bytes, standard
 * base64). A request that changes state and authenticates only through the
 * session cookie must echo that token in X-CSRF-TOKEN. The header may hold
 * it as is or masked, the form Coder's pages hand out: a 32-byte pad
 * followed by the token XOR the pad, in base64. A page on another origin cannot
 * read the cookie, and cannot send the header without a CORS preflight
 * that this server never grants.
 */
#include "api/api_internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/random.h"

#define CSRF_COOKIE "csrf_token"
#define CSRF_HEADER "X-CSRF-TOKEN"
#define SESSION_COOKIE "coder_session_token"
#define SESSION_HEADER "Coder-Session-Token"
#define CSRF_TOKEN_LEN 32
/* Standard base64 of CSRF_TOKEN_LEN and of twice that, with padding. */
#define CSRF_TEXT_LEN 44
#define CSRF_MASKED_TEXT_LEN 88
/* A year, the lifetime Coder gives the cookie. */
#define CSRF_COOKIE_MAX_AGE "31536000"

static const char failure[] =
    "Something is wrong with your CSRF token. Please refresh the page. If "
    "this error persists, try clearing your cookies.\n";

/* Decode standard padded base64 of exactly want bytes into out. Returns 0,
 * or -1 when text is not that. */
static int decode_exact(const char *text, unsigned char *out, size_t want)
{
    size_t len = text ? strlen(text) : 0;
    size_t pad = 0;
    unsigned char buf[CSRF_MASKED_TEXT_LEN];
    int n;

    if (len == 0 || len % 4 != 0 || len > sizeof(buf))
        return -1;
    while (pad < 2 && text[len - 1 - pad] == '=')
        pad++;
    n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
    if (n < 0 || (size_t)n - pad != want) {
        OPENSSL_cleanse(buf, sizeof(buf));
        return -1;
    }
    memcpy(out, buf, want);
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

static bool safe_method(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
           strcmp(method, "OPTIONS") == 0 || strcmp(method, "TRACE") == 0;
}

static bool equals(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Report whether the request needs a CSRF token: it changes state, and
 * its only credential is the session cookie, which a browser attaches by
 * itself. The first user's creation is exempt, as in Coder.
 */
static bool needs_token(struct http_request *req)
{
    const char *session = http_request_cookie(req, SESSION_COOKIE);

    if (safe_method(http_request_method(req)) || session == NULL)
        return false;
    if (strstr(http_request_path(req), "api/v2/users/first") != NULL)
        return false;
    return !equals(http_request_header(req, SESSION_HEADER), session) &&
           !equals(http_request_query(req, SESSION_COOKIE), session);
}

/* Compare the sent token, masked or not, with the cookie's in constant
 * time. */
static bool token_matches(const unsigned char real[CSRF_TOKEN_LEN],
                          const char *sent_text)
{
    unsigned char sent[2 * CSRF_TOKEN_LEN];
    size_t len = sent_text ? strlen(sent_text) : 0;
    bool match = false;

    if (len == CSRF_TEXT_LEN &&
        decode_exact(sent_text, sent, CSRF_TOKEN_LEN) == 0) {
        match = CRYPTO_memcmp(real, sent, CSRF_TOKEN_LEN) == 0;
    } else if (len == CSRF_MASKED_TEXT_LEN &&
               decode_exact(sent_text, sent, sizeof(sent)) == 0) {
        for (size_t i = 0; i < CSRF_TOKEN_LEN; i++)
            sent[i] ^= sent[CSRF_TOKEN_LEN + i];
        match = CRYPTO_memcmp(real, sent, CSRF_TOKEN_LEN) == 0;
    }
    OPENSSL_cleanse(sent, sizeof(sent));
    return match;
}

/* Set a new token cookie; returns 0, or -1 when no random bytes came. */
static int set_token_cookie(struct api_call *call)
{
    unsigned char token[CSRF_TOKEN_LEN];
    char text[CSRF_TEXT_LEN + 1];
    char cookie[128];

    if (random_bytes(token, sizeof(token)) != 0)
        return -1;
    EVP_EncodeBlock((unsigned char *)text, token, sizeof(token));
    snprintf(cookie, sizeof(cookie),
             CSRF_COOKIE "=%s; Path=/; Max-Age=" CSRF_COOKIE_MAX_AGE
                         "; HttpOnly%s; SameSite=Lax",
             text, call->api->settings.secure_auth_cookie ? "; Secure" : "");
    http_response_add_header(call->req, "Set-Cookie", cookie);
    OPENSSL_cleanse(token, sizeof(token));
    OPENSSL_cleanse(text, sizeof(text));
    return 0;
}

bool api_csrf_rejected(struct api_call *call)
{
    unsigned char real[CSRF_TOKEN_LEN];
    bool have_real = decode_exact(http_request_cookie(call->req, CSRF_COOKIE),
                                  real, sizeof(real)) == 0;
    bool match;

    http_response_add_header(call->req, "Vary", "Cookie");
    if (!have_real && set_token_cookie(call) != 0) {
        api_internal_error(call, "Failed to create a CSRF token.",
                           "cannot read random bytes");
        return true;
    }
    if (!needs_token(call->req)) {
        OPENSSL_cleanse(real, sizeof(real));
        return false;
    }
    match = have_real &&
            token_matches(real, http_request_header(call->req, CSRF_HEADER));
    OPENSSL_cleanse(real, sizeof(real));
    if (match)
        return false;
    log_kv(LOG_INFO, "api", "CSRF token missing or wrong", "request_id",
           http_request_id(call->req), NULL);
    http_response_add_header(call->req, "X-Content-Type-Options", "nosniff");
    api_text(call, 400, failure);
    return true;
}
