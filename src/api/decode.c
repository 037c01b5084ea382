/* SPDX-License-Identifier: MIT */
/*
 * Request bodies: strict JSON decoding into field tables, and Coder's
 * declarative validation tags. Decoding follows Coder's Go decoder where a
 * client can tell the difference: keys match ignoring case, unknown keys
 * are skipped, and null leaves a field unset. It is stricter where Go is
 * lenient and no client depends on it, so duplicate keys (also keys that
 * name one field in different cases), NUL characters and bytes after the
 * document are rejected. A body of null decodes to no fields, as in Go.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/name.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/strlist.h"

static const char invalid_json[] = "Request body must be valid JSON.";

/* The JSON kind names Go's decoder uses in its messages. */
static const char *json_kind(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

static const char *go_type(enum api_field_type type)
{
    switch (type) {
    case API_FIELD_STRING:
        return "string";
    case API_FIELD_BOOL:
        return "bool";
    case API_FIELD_INT64:
        return "int64";
    case API_FIELD_STRING_ARRAY:
        return "[]string";
    case API_FIELD_OBJECT:
        return "object";
    }
    return "value";
}

static bool only_whitespace(const char *body, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (strchr(" \t\r\n", body[i]) == NULL)
            return false;
    }
    return true;
}

static const struct api_field *find_field(const struct api_field *fields,
                                          size_t nfields, const char *key)
{
    /* An exact match wins over one that differs only in case. */
    for (size_t i = 0; i < nfields; i++) {
        if (strcmp(fields[i].name, key) == 0)
            return &fields[i];
    }
    for (size_t i = 0; i < nfields; i++) {
        if (strcasecmp(fields[i].name, key) == 0)
            return &fields[i];
    }
    return NULL;
}

static void mark_present(const struct api_field *field, void *target)
{
    if (field->present_offset != API_NO_PRESENCE)
        *(bool *)((char *)target + field->present_offset) = true;
}

/* Store one value into its field. Returns 0, or -1 for a wrong type. */
static int store_value(const struct api_field *field, json_t *value,
                       void *target)
{
    char *slot = (char *)target + field->offset;
    size_t i;
    json_t *item;

    if (json_is_null(value))
        return 0;
    switch (field->type) {
    case API_FIELD_STRING:
        if (!json_is_string(value))
            return -1;
        free(*(char **)slot);
        *(char **)slot = xstrdup(json_string_value(value));
        break;
    case API_FIELD_BOOL:
        if (!json_is_boolean(value))
            return -1;
        *(bool *)slot = json_is_true(value);
        break;
    case API_FIELD_INT64:
        if (!json_is_integer(value))
            return -1;
        *(int64_t *)slot = (int64_t)json_integer_value(value);
        break;
    case API_FIELD_STRING_ARRAY:
        if (!json_is_array(value))
            return -1;
        json_array_foreach(value, i, item)
        {
            if (!json_is_string(item) && !json_is_null(item))
                return -1;
        }
        strlist_release((struct strlist *)slot);
        json_array_foreach(value, i, item)
        {
            strlist_push((struct strlist *)slot,
                         json_is_string(item) ? json_string_value(item) : "");
        }
        break;
    case API_FIELD_OBJECT:
        if (!json_is_object(value))
            return -1;
        break;
    }
    mark_present(field, target);
    return 0;
}

static void type_error(struct api_call *call, const char *type_name,
                       const struct api_field *field, json_t *value)
{
    const char *dot = strrchr(type_name, '.');
    char detail[512];
    char reason[128];
    json_t *validations = json_array();

    snprintf(detail, sizeof(detail),
             "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
             json_kind(value), dot ? dot + 1 : type_name, field->name,
             go_type(field->type));
    snprintf(reason, sizeof(reason), "must be of type %s, not %s",
             go_type(field->type), json_kind(value));
    api_validation_add(validations, field->name, reason);
    api_error(call, 400, invalid_json, detail, validations);
}

/* Describe a parse failure in detail. jansson quotes the text near the
 * fault, which may be part of a password, so only a duplicate key (a name,
 * never a value) is quoted back. */
static void parse_error_detail(const json_error_t *error, char *detail,
                               size_t size)
{
    const char *near = strstr(error->text, " near '");
    int keep = (int)strlen(error->text);

    if (near != NULL && strncmp(error->text, "duplicate object key", 20) != 0)
        keep = (int)(near - error->text);
    snprintf(detail, size, "%.*s at line %d, column %d", keep, error->text,
             error->line, error->column);
}

/* Store every known key of root into target. Returns 0, or -1 after
 * sending the response. */
static int decode_fields(struct api_call *call, const char *type_name,
                         const struct api_field *fields, size_t nfields,
                         json_t *root, void *target)
{
    bool *seen = xcalloc(nfields ? nfields : 1, sizeof(*seen));
    const char *key;
    json_t *value;
    char detail[512];
    int rc = 0;

    json_object_foreach(root, key, value)
    {
        const struct api_field *field = find_field(fields, nfields, key);

        if (field == NULL)
            continue;
        if (seen[field - fields]) {
            snprintf(detail, sizeof(detail),
                     "duplicate object key \"%.200s\" (\"%s\" was given "
                     "already)",
                     key, field->name);
            api_error(call, 400, invalid_json, detail, NULL);
            rc = -1;
            break;
        }
        seen[field - fields] = true;
        if (store_value(field, value, target) != 0) {
            type_error(call, type_name, field, value);
            rc = -1;
            break;
        }
    }
    free(seen);
    return rc;
}

int api_decode(struct api_call *call, const char *type_name,
               const struct api_field *fields, size_t nfields, void *target)
{
    size_t len;
    const char *body = http_request_body(call->req, &len);
    json_error_t error;
    json_t *root;
    char detail[512];
    int rc;

    if (only_whitespace(body, len)) {
        api_error(call, 400, invalid_json, "EOF", NULL);
        return -1;
    }
    root =
        json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (root == NULL) {
        parse_error_detail(&error, detail, sizeof(detail));
        api_error(call, 400, invalid_json, detail, NULL);
        return -1;
    }
    if (json_is_null(root)) {
        json_decref(root);
        return 0;
    }
    if (!json_is_object(root)) {
        snprintf(detail, sizeof(detail),
                 "json: cannot unmarshal %s into Go value of type %s",
                 json_kind(root), type_name);
        json_decref(root);
        api_error(call, 400, invalid_json, detail, NULL);
        return -1;
    }
    rc = decode_fields(call, type_name, fields, nfields, root, target);
    json_decref(root);
    return rc;
}

void api_decode_release(const struct api_field *fields, size_t nfields,
                        void *target)
{
    for (size_t i = 0; i < nfields; i++) {
        char *slot = (char *)target + fields[i].offset;

        if (fields[i].type == API_FIELD_STRING) {
            free(*(char **)slot);
            *(char **)slot = NULL;
        } else if (fields[i].type == API_FIELD_STRING_ARRAY) {
            strlist_release((struct strlist *)slot);
        }
    }
}

static bool tag_passes(const char *tag, size_t len, const char *value)
{
    if (len == 8 && strncmp(tag, "required", len) == 0)
        return value[0] != '\0';
    if (len == 5 && strncmp(tag, "email", len) == 0)
        return name_email_valid(value);
    if (len == 8 && strncmp(tag, "username", len) == 0)
        return name_username_valid(value);
    if (len == 14 && strncmp(tag, "user_real_name", len) == 0)
        return name_real_name_valid(value);
    return true;
}

void api_validate(json_t *validations, const char *field, const char *value,
                  const char *tags)
{
    const char *tag = tags;

    if (value == NULL)
        value = "";
    while (*tag != '\0') {
        const char *comma = strchr(tag, ',');
        size_t len = comma ? (size_t)(comma - tag) : strlen(tag);

        if (!tag_passes(tag, len, value)) {
            struct buf detail;

            buf_init(&detail, (size_t)-1 / 2);
            buf_printf(&detail,
                       "Validation failed for tag \"%.*s\" with value: \"%s\"",
                       (int)len, tag, value);
            api_validation_add(validations, field, detail.data);
            buf_release(&detail);
            return;
        }
        tag = comma ? comma + 1 : tag + len;
    }
}

int api_validation_result(struct api_call *call, json_t *validations)
{
    if (json_array_size(validations) == 0) {
        json_decref(validations);
        return 0;
    }
    api_error(call, 400, "Validation failed.", NULL, validations);
    return -1;
}
