/* SPDX-License-Identifier: MIT */
/* Writing JSON responses and Coder's error shape. */
#include "api/api_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"
#include "util/utf8.h"

json_t *api_string(const char *s)
{
    json_t *value = json_string(s ? s : "");
    char *fixed;

    if (value != NULL)
        return value;
    fixed = utf8_sanitize(s, strlen(s));
    value = json_string(fixed);
    free(fixed);
    return value ? value : json_string("");
}

void api_json(struct api_call *call, unsigned status, json_t *body)
{
    /* Go's encoder ends every document with a newline; clients do not
     * depend on it, but it keeps curl output readable. */
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t len;

    json_decref(body);
    if (text == NULL) {
        http_response_set(call->req, 500, NULL, NULL, 0);
        return;
    }
    len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len] = '\n';
    text[len + 1] = '\0';
    http_response_set(call->req, status, "application/json; charset=utf-8",
                      text, len + 1);
}

void api_text(struct api_call *call, unsigned status, const char *text)
{
    size_t len = strlen(text);

    http_response_set(call->req, status, "text/plain; charset=utf-8",
                      xstrdup(text), len);
}

void api_empty(struct api_call *call, unsigned status)
{
    http_response_set(call->req, status, NULL, NULL, 0);
}

void api_error(struct api_call *call, unsigned status, const char *message,
               const char *detail, json_t *validations)
{
    json_t *body = json_object();

    json_object_set_new(body, "message", api_string(message));
    if (detail != NULL && detail[0] != '\0')
        json_object_set_new(body, "detail", api_string(detail));
    if (validations != NULL && json_array_size(validations) > 0)
        json_object_set(body, "validations", validations);
    json_decref(validations);
    api_json(call, status, body);
}

void api_validation_add(json_t *validations, const char *field,
                        const char *detail)
{
    json_t *entry = json_object();

    json_object_set_new(entry, "field", api_string(field));
    json_object_set_new(entry, "detail", api_string(detail));
    json_array_append_new(validations, entry);
}

void api_not_found(struct api_call *call)
{
    api_error(call, 404,
              "Resource not found or you do not have access to this resource",
              NULL, NULL);
}

void api_forbidden(struct api_call *call)
{
    api_error(call, 403, "Forbidden.",
              "You don't have permission to view this content. If you "
              "believe this is a mistake, please contact your administrator "
              "or try signing in with different credentials.",
              NULL);
}

void api_internal_error(struct api_call *call, const char *message,
                        const char *detail)
{
    log_kv(LOG_ERROR, "api", message, "request_id", http_request_id(call->req),
           "path", http_request_path(call->req), "detail", detail, NULL);
    api_error(call, 500, message, detail, NULL);
}

void api_store_failure(struct api_call *call, enum store_result result,
                       const char *message)
{
    const char *reason = store_last_error();

    if (result == STORE_UNAVAILABLE) {
        log_kv(LOG_ERROR, "api", "database unavailable", "request_id",
               http_request_id(call->req), "detail", reason, NULL);
        http_response_add_header(call->req, "Retry-After", "1");
        api_error(call, 503, "The database is unavailable. Try again shortly.",
                  reason, NULL);
        return;
    }
    api_internal_error(call, message, reason);
}
