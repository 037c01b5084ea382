/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL backend: statement parameters and result columns, both in
 * libpq's text format, and the reading of a user row.
 */
#include "store/postgres_internal.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/number.h"
#include "util/utf8.h"

/* ----- parameters ------------------------------------------------------- */

void store_pg_params_init(struct store_pg_params *p)
{
    memset(p, 0, sizeof(*p));
}

void store_pg_params_release(struct store_pg_params *p)
{
    for (int i = 0; i < p->count; i++)
        free(p->owned[i]);
    memset(p, 0, sizeof(*p));
}

/* Claim the next parameter number. Running out is a bug in a caller. */
static int next(struct store_pg_params *p)
{
    if (p->count == STORE_PG_MAX_PARAMS) {
        log_kv(LOG_ERROR, "store", "too many statement parameters", NULL);
        abort();
    }
    p->owned[p->count] = NULL;
    return p->count++;
}

void store_pg_add_text(struct store_pg_params *p, const char *text)
{
    int i = next(p);

    p->values[i] = text ? text : "";
}

void store_pg_add_key(struct store_pg_params *p, const char *text)
{
    if (text != NULL && !utf8_valid(text, strlen(text)))
        p->matches_nothing = true;
    store_pg_add_text(p, text);
}

void store_pg_add_take(struct store_pg_params *p, char *text)
{
    int i = next(p);

    p->owned[i] = text;
    p->values[i] = text;
}

void store_pg_add_null(struct store_pg_params *p)
{
    p->values[next(p)] = NULL;
}

void store_pg_add_int(struct store_pg_params *p, int64_t value)
{
    int i = next(p);

    snprintf(p->numbers[i], sizeof(p->numbers[i]), "%" PRId64, value);
    p->values[i] = p->numbers[i];
}

void store_pg_add_bool(struct store_pg_params *p, bool value)
{
    p->values[next(p)] = value ? "true" : "false";
}

static bool canonical_uuid(const char *id)
{
    if (id == NULL || strlen(id) != UUID_STR_LEN)
        return false;
    for (size_t i = 0; i < UUID_STR_LEN; i++) {
        char c = id[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

void store_pg_add_uuid(struct store_pg_params *p, const char *id)
{
    store_pg_add_text(p, canonical_uuid(id) ? id : UUID_NIL);
}

void store_pg_add_strlist(struct store_pg_params *p, const struct strlist *list)
{
    struct buf out;

    buf_init(&out, (size_t)-1 / 2);
    buf_puts(&out, "{");
    for (size_t i = 0; i < list->len; i++) {
        if (i > 0)
            buf_puts(&out, ",");
        buf_puts(&out, "\"");
        for (const char *c = list->items[i]; *c != '\0'; c++) {
            if (*c == '"' || *c == '\\')
                buf_puts(&out, "\\");
            buf_append(&out, c, 1);
        }
        buf_puts(&out, "\"");
    }
    buf_puts(&out, "}");
    store_pg_add_take(p, buf_take(&out));
}

void store_pg_add_hex(struct store_pg_params *p, const unsigned char *data,
                      size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *text = xmalloc(len * 2 + 1);

    for (size_t i = 0; i < len; i++) {
        text[2 * i] = digits[data[i] >> 4];
        text[2 * i + 1] = digits[data[i] & 0x0f];
    }
    text[len * 2] = '\0';
    store_pg_add_take(p, text);
}

/* ----- results ---------------------------------------------------------- */

const char *store_pg_text(const PGresult *res, int row, int col)
{
    /* libpq returns "" for NULL, which is what every caller wants. */
    return PQgetvalue(res, row, col);
}

char *store_pg_dup(const PGresult *res, int row, int col)
{
    return xstrdup(store_pg_text(res, row, col));
}

void store_pg_copy(const PGresult *res, int row, int col, char *out,
                   size_t size)
{
    snprintf(out, size, "%s", store_pg_text(res, row, col));
}

int64_t store_pg_int(const PGresult *res, int row, int col)
{
    int64_t value = 0;

    if (number_parse_i64(store_pg_text(res, row, col), INT64_MIN, INT64_MAX,
                         &value) != NUMBER_OK)
        return 0;
    return value;
}

bool store_pg_bool(const PGresult *res, int row, int col)
{
    return store_pg_text(res, row, col)[0] == 't';
}

void store_pg_json_strlist(const PGresult *res, int row, int col,
                           struct strlist *list)
{
    json_t *array;
    size_t i;
    json_t *item;

    if (PQgetisnull(res, row, col))
        return;
    array = json_loads(store_pg_text(res, row, col), JSON_DECODE_ANY, NULL);
    if (!json_is_array(array)) {
        json_decref(array);
        return;
    }
    json_array_foreach(array, i, item)
    {
        if (json_is_string(item))
            strlist_push(list, json_string_value(item));
    }
    json_decref(array);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int store_pg_hex(const PGresult *res, int row, int col, unsigned char *out,
                 size_t len)
{
    const char *text = store_pg_text(res, row, col);

    if (strlen(text) != len * 2)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int high = hex_value(text[2 * i]);
        int low = hex_value(text[2 * i + 1]);

        if (high < 0 || low < 0)
            return -1;
        out[i] = (unsigned char)(high << 4 | low);
    }
    return 0;
}

void store_pg_read_user(const PGresult *res, int row, int first,
                        struct user *out)
{
    int c = first;

    memset(out, 0, sizeof(*out));
    store_pg_copy(res, row, c++, out->id, sizeof(out->id));
    out->email = store_pg_dup(res, row, c++);
    out->username = store_pg_dup(res, row, c++);
    out->name = store_pg_dup(res, row, c++);
    out->avatar_url = store_pg_dup(res, row, c++);
    out->hashed_password = store_pg_dup(res, row, c++);
    out->created_at = store_pg_int(res, row, c++);
    out->updated_at = store_pg_int(res, row, c++);
    out->last_seen_at = store_pg_int(res, row, c++);
    if (user_status_parse(store_pg_text(res, row, c++), &out->status) != 0)
        out->status = USER_STATUS_SUSPENDED;
    if (login_type_parse(store_pg_text(res, row, c++), &out->login_type) != 0)
        out->login_type = LOGIN_TYPE_NONE;
    store_pg_json_strlist(res, row, c++, &out->roles);
    out->deleted = store_pg_bool(res, row, c++);
    out->hashed_one_time_passcode = store_pg_dup(res, row, c++);
    out->one_time_passcode_expires_at = store_pg_int(res, row, c++);
    out->github_com_user_id = store_pg_int(res, row, c++);
    store_pg_json_strlist(res, row, c++, &out->organization_ids);
}
