/* SPDX-License-Identifier: MIT */
/* Sending one message through an SMTP relay with libcurl. */
#include "util/smtp.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/number.h"
#include "util/str.h"

/* Maximum length of a password read from --email-auth-password-file. */
#define PASSWORD_FILE_MAX 1024

/* Seconds to wait for the TCP (and TLS) connection to the relay. */
#define CONNECT_TIMEOUT_SECONDS 10L

int smtp_parse_smarthost(const char *smarthost, char host[SMTP_HOST_MAX],
                         unsigned *port)
{
    const char *colon = strrchr(smarthost, ':');
    size_t host_len;
    int64_t number;

    if (colon == NULL || colon == smarthost)
        return -1;
    host_len = (size_t)(colon - smarthost);
    if (host_len >= SMTP_HOST_MAX)
        return -1;
    /* An IPv6 address must be bracketed, so its colons are not the
     * port separator; anything else must have no colon at all. */
    if (smarthost[0] == '[') {
        if (smarthost[host_len - 1] != ']' || host_len < 3)
            return -1;
    } else if (memchr(smarthost, ':', host_len) != NULL) {
        return -1;
    }
    for (size_t i = 0; i < host_len; i++) {
        unsigned char c = (unsigned char)smarthost[i];

        if (c <= ' ' || c == '/' || c == '@' || c >= 0x7f)
            return -1;
    }
    if (strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        number_parse_i64(colon + 1, 1, 65535, &number) != NUMBER_OK)
        return -1;
    memcpy(host, smarthost, host_len);
    host[host_len] = '\0';
    *port = (unsigned)number;
    return 0;
}

int smtp_mailbox_address(const char *mailbox, char *out, size_t size)
{
    const char *start = strrchr(mailbox, '<');
    const char *end;
    size_t len;

    if (start != NULL) {
        start++;
        end = strchr(start, '>');
        if (end == NULL)
            return -1;
    } else {
        start = mailbox;
        while (*start == ' ')
            start++;
        end = start + strlen(start);
        while (end > start && end[-1] == ' ')
            end--;
    }
    len = (size_t)(end - start);
    if (len == 0 || len >= size)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)start[i];

        if (c <= ' ' || c == '<' || c == '>' || c == 0x7f)
            return -1;
    }
    memcpy(out, start, len);
    out[len] = '\0';
    return 0;
}

/* Read the password file into out without one trailing newline. */
static int read_password_file(const char *path, char *out, size_t size,
                              char *err, size_t errsize)
{
    FILE *file = fopen(path, "rb");
    size_t len;

    if (file == NULL) {
        snprintf(err, errsize, "cannot open the SMTP password file %s", path);
        return -1;
    }
    len = fread(out, 1, size - 1, file);
    if (ferror(file) || !feof(file)) {
        fclose(file);
        OPENSSL_cleanse(out, size);
        snprintf(err, errsize,
                 "cannot read the SMTP password file %s (at most %zu bytes)",
                 path, size - 2);
        return -1;
    }
    fclose(file);
    out[len] = '\0';
    if (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
    if (len > 0 && out[len - 1] == '\r')
        out[--len] = '\0';
    return 0;
}

struct upload {
    const char *data;
    size_t left;
};

static size_t on_read(char *buffer, size_t size, size_t nitems, void *arg)
{
    struct upload *up = arg;
    size_t n = size * nitems;

    if (n > up->left)
        n = up->left;
    memcpy(buffer, up->data, n);
    up->data += n;
    up->left -= n;
    return n;
}

static bool is_implicit_tls(const struct smtp_config *config, unsigned port)
{
    return config->force_tls || port == 465;
}

static bool nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Set the URL, and when a certificate name is configured, connect to the
 * smarthost while TLS verifies that name. */
static int set_target(CURL *curl, const struct smtp_config *config,
                      struct curl_slist **connect_to, char *err, size_t errsize)
{
    char host[SMTP_HOST_MAX];
    char url[2 * SMTP_HOST_MAX + 64];
    char mapping[3 * SMTP_HOST_MAX];
    const char *name;
    char *hello = NULL;
    unsigned port;
    bool tls;

    if (smtp_parse_smarthost(config->smarthost, host, &port) != 0) {
        snprintf(err, errsize, "invalid smarthost \"%s\": expected host:port",
                 config->smarthost);
        return -1;
    }
    tls = is_implicit_tls(config, port);
    name = nonempty(config->tls_server_name) ? config->tls_server_name : host;
    /* libcurl sends the URL's path as the EHLO name. */
    hello = curl_easy_escape(
        curl, nonempty(config->hello) ? config->hello : "localhost", 0);
    if (hello == NULL) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    snprintf(url, sizeof(url), "%s://%s:%u/%s", tls ? "smtps" : "smtp", name,
             port, hello);
    curl_free(hello);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    if (name != host) {
        snprintf(mapping, sizeof(mapping), "%s:%u:%s:%u", name, port, host,
                 port);
        *connect_to = curl_slist_append(NULL, mapping);
        curl_easy_setopt(curl, CURLOPT_CONNECT_TO, *connect_to);
    }
    if (!tls && config->starttls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    return 0;
}

static void set_tls(CURL *curl, const struct smtp_config *config)
{
    if (config->tls_skip_verify) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (nonempty(config->tls_ca_file))
        curl_easy_setopt(curl, CURLOPT_CAINFO, config->tls_ca_file);
    if (nonempty(config->tls_cert_file))
        curl_easy_setopt(curl, CURLOPT_SSLCERT, config->tls_cert_file);
    if (nonempty(config->tls_key_file))
        curl_easy_setopt(curl, CURLOPT_SSLKEY, config->tls_key_file);
}

/* Set the login; password must stay valid until the transfer ends. */
static int set_auth(CURL *curl, const struct smtp_config *config,
                    char *password, size_t size, char *err, size_t errsize)
{
    if (!nonempty(config->auth_username))
        return 0;
    if (nonempty(config->auth_password_file)) {
        if (read_password_file(config->auth_password_file, password, size, err,
                               errsize) != 0)
            return -1;
    } else {
        str_copy(password, config->auth_password ? config->auth_password : "",
                 size);
    }
    curl_easy_setopt(curl, CURLOPT_USERNAME, config->auth_username);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
    curl_easy_setopt(curl, CURLOPT_LOGIN_OPTIONS, "AUTH=PLAIN;AUTH=LOGIN");
    if (nonempty(config->auth_identity))
        curl_easy_setopt(curl, CURLOPT_SASL_AUTHZID, config->auth_identity);
    return 0;
}

static int set_envelope(CURL *curl, const struct smtp_config *config,
                        const char *to, struct curl_slist **recipients,
                        char *err, size_t errsize)
{
    char from[512];
    char angled[520];

    if (config->from == NULL ||
        smtp_mailbox_address(config->from, from, sizeof(from)) != 0) {
        snprintf(err, errsize, "invalid sender address \"%s\"",
                 config->from ? config->from : "");
        return -1;
    }
    snprintf(angled, sizeof(angled), "<%s>", from);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, angled);
    if (strlen(to) + 3 > sizeof(angled) || strpbrk(to, "<>\r\n ") != NULL) {
        snprintf(err, errsize, "invalid recipient address");
        return -1;
    }
    snprintf(angled, sizeof(angled), "<%s>", to);
    *recipients = curl_slist_append(NULL, angled);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, *recipients);
    return 0;
}

int smtp_send(const struct smtp_config *config, const char *to,
              const char *message, char *err, size_t errsize)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *recipients = NULL;
    struct curl_slist *connect_to = NULL;
    struct upload up = {message, strlen(message)};
    char password[PASSWORD_FILE_MAX + 2] = "";
    char curl_error[CURL_ERROR_SIZE] = "";
    CURLcode code;
    int rc = -1;

    if (curl == NULL) {
        snprintf(err, errsize, "cannot start a libcurl transfer");
        return -1;
    }
    if (set_target(curl, config, &connect_to, err, errsize) != 0 ||
        set_envelope(curl, config, to, &recipients, err, errsize) != 0 ||
        set_auth(curl, config, password, sizeof(password), err, errsize) != 0)
        goto out;
    set_tls(curl, config);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_SECONDS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, config->timeout_seconds);

    code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
        snprintf(err, errsize, "%s: %s", curl_easy_strerror(code),
                 curl_error[0] ? curl_error : "no details");
        goto out;
    }
    rc = 0;

out:
    OPENSSL_cleanse(password, sizeof(password));
    curl_easy_cleanup(curl);
    curl_slist_free_all(recipients);
    curl_slist_free_all(connect_to);
    return rc;
}
