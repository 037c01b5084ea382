/* SPDX-License-Identifier: MIT */
/*
 * Outgoing mail: one thread takes queued messages and hands each to the
 * SMTP relay, so that a slow or unreachable relay never holds up a request.
 */
#include "api/api_internal.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"

/* Messages that may wait for the relay before new ones are dropped. */
#define MAIL_QUEUE_MAX 256

/* Seconds one delivery may take, as Coder's default dispatch timeout. */
#define MAIL_TIMEOUT_SECONDS 60L

struct mail_job {
    const struct smtp_config *smtp;
    atomic_bool *stopping;
    char request_id[64];
    char *to;
    char *message;
};

static void free_job(struct mail_job *job)
{
    OPENSSL_cleanse(job->message, strlen(job->message));
    free(job->message);
    free(job->to);
    free(job);
}

static void send_job(void *arg)
{
    struct mail_job *job = arg;
    char err[512];

    if (atomic_load(job->stopping))
        log_kv(LOG_WARN, "mail", "mail dropped: the server is stopping",
               "request_id", job->request_id, "to", job->to, NULL);
    else if (smtp_send(job->smtp, job->to, job->message, err, sizeof(err)) == 0)
        log_kv(LOG_INFO, "mail", "mail sent", "request_id", job->request_id,
               "to", job->to, NULL);
    else
        log_kv(LOG_ERROR, "mail", "cannot send mail", "request_id",
               job->request_id, "to", job->to, "detail", err, NULL);
    free_job(job);
}

static void fill_smtp(struct api *api)
{
    const struct api_settings *s = &api->settings;
    struct smtp_config *c = &api->smtp;

    c->smarthost = s->email_smarthost;
    c->hello = s->email_hello;
    c->from = s->email_from;
    c->auth_identity = s->email_auth_identity;
    c->auth_username = s->email_auth_username;
    c->auth_password = s->email_auth_password;
    c->auth_password_file = s->email_auth_password_file;
    c->force_tls = s->email_force_tls;
    c->starttls = s->email_tls_starttls;
    c->tls_server_name = s->email_tls_server_name;
    c->tls_skip_verify = s->email_tls_skip_verify;
    c->tls_ca_file = s->email_tls_ca_file;
    c->tls_cert_file = s->email_tls_cert_file;
    c->tls_key_file = s->email_tls_key_file;
    c->timeout_seconds = MAIL_TIMEOUT_SECONDS;
}

int api_mail_start(struct api *api)
{
    atomic_init(&api->mail_stopping, false);
    fill_smtp(api);
    if (api->settings.email_smarthost == NULL)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    api->curl_ready = true;
    api->mail_pool = workpool_new(1, MAIL_QUEUE_MAX, 0);
    return api->mail_pool != NULL ? 0 : -1;
}

void api_mail_stop(struct api *api)
{
    char pending[32];

    atomic_store(&api->mail_stopping, true);
    if (api->mail_pool != NULL) {
        snprintf(pending, sizeof(pending), "%zu",
                 workpool_pending(api->mail_pool));
        log_kv(LOG_INFO, "mail", "stopping the mail sender", "pending", pending,
               NULL);
    }
    workpool_free(api->mail_pool);
    api->mail_pool = NULL;
    if (api->curl_ready)
        curl_global_cleanup();
    api->curl_ready = false;
}

void api_mail_queue(struct api *api, const char *request_id, const char *to,
                    char *message)
{
    struct mail_job *job;

    if (api->mail_pool == NULL) {
        log_kv(LOG_WARN, "mail", "cannot send mail: no SMTP relay configured",
               "request_id", request_id, "to", to, "hint",
               "set --email-smarthost", NULL);
        OPENSSL_cleanse(message, strlen(message));
        free(message);
        return;
    }
    job = xcalloc(1, sizeof(*job));
    job->smtp = &api->smtp;
    job->stopping = &api->mail_stopping;
    str_copy(job->request_id, request_id, sizeof(job->request_id));
    job->to = xstrdup(to);
    job->message = message;
    if (workpool_submit(api->mail_pool, send_job, job) != 0) {
        log_kv(LOG_ERROR, "mail", "cannot send mail: the mail queue is full",
               "request_id", request_id, "to", to, NULL);
        free_job(job);
    }
}
