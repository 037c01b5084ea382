/* SPDX-License-Identifier: MIT */
/* The appearance settings of a user: theme and terminal font. */
#include "api/api_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Keys of the per-user settings, as Coder names them. */
#define KEY_THEME "theme_preference"
#define KEY_FONT "terminal_font"

/* Font names the web terminal supports; "" means the client's default. */
static const char *const fonts[] = {
    "",
    "ibm-plex-mono",
    "fira-code",
    "source-code-pro",
    "jetbrains-mono",
    "geist-mono",
};

static bool font_supported(const char *name)
{
    for (size_t i = 0; i < COUNT(fonts); i++) {
        if (strcmp(fonts[i], name) == 0)
            return true;
    }
    return false;
}

/* Read one setting into *value (NULL when never stored). Returns 0, or -1
 * after sending the error. */
static int read_setting(struct api_call *call, const char *user_id,
                        const char *key, char **value)
{
    enum store_result result =
        store_user_config_get(call->api->store, user_id, key, value);

    if (result == STORE_NOT_FOUND) {
        *value = NULL;
        return 0;
    }
    if (result != STORE_OK) {
        api_store_failure(call, result,
                          "Internal error fetching user's appearance "
                          "settings.");
        return -1;
    }
    return 0;
}

static void send_appearance(struct api_call *call, const char *theme,
                            const char *font)
{
    json_t *reply = json_object();

    json_object_set_new(reply, KEY_THEME, api_string(theme ? theme : ""));
    json_object_set_new(reply, KEY_FONT, api_string(font ? font : ""));
    api_json(call, 200, reply);
}

/* Resolve {user} and check action on its personal data: reads the caller
 * may not make are 404, updates 403. Returns 0, or -1 after sending the
 * response. */
static int resolve_owner(struct api_call *call, enum rbac_action action,
                         struct user *target)
{
    /* A deleted user's data can still be read by id, never changed. */
    int rc = action == RBAC_USER_READ_PERSONAL
                 ? api_resolve_user(call, target)
                 : api_resolve_live_user(call, target);

    if (rc != 0)
        return -1;
    if (rbac_allowed(&call->subject, action, target->id))
        return 0;
    user_release(target);
    if (action == RBAC_USER_READ_PERSONAL)
        api_not_found(call);
    else
        api_forbidden(call);
    return -1;
}

static void get_appearance(struct api_call *call)
{
    struct user target = {0};
    char *theme = NULL;
    char *font = NULL;

    if (resolve_owner(call, RBAC_USER_READ_PERSONAL, &target) != 0)
        return;
    if (read_setting(call, target.id, KEY_THEME, &theme) == 0 &&
        read_setting(call, target.id, KEY_FONT, &font) == 0)
        send_appearance(call, theme, font);
    free(theme);
    free(font);
    user_release(&target);
}

struct appearance_request {
    char *theme_preference;
    char *terminal_font;
    bool has_font;
};

static const struct api_field appearance_fields[] = {
    {"theme_preference", API_FIELD_STRING,
     offsetof(struct appearance_request, theme_preference), API_NO_PRESENCE},
    {"terminal_font", API_FIELD_STRING,
     offsetof(struct appearance_request, terminal_font),
     offsetof(struct appearance_request, has_font)},
};

/*
 * Store the theme, and the font when the request has one. Clients written
 * before Coder added terminal_font never send it, so a request without it
 * keeps the stored font.
 */
static void update_appearance(struct api_call *call, const struct user *target,
                              const struct appearance_request *body)
{
    const char *keys[] = {KEY_THEME, KEY_FONT};
    const char *values[] = {body->theme_preference, body->terminal_font};
    char *stored_font = NULL;
    enum store_result result;

    result = store_user_config_set(call->api->store, target->id, keys, values,
                                   body->has_font ? 2 : 1);
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error updating user.");
        return;
    }
    if (body->has_font) {
        send_appearance(call, body->theme_preference, body->terminal_font);
        return;
    }
    if (read_setting(call, target->id, KEY_FONT, &stored_font) == 0)
        send_appearance(call, body->theme_preference, stored_font);
    free(stored_font);
}

static void put_appearance(struct api_call *call)
{
    struct user target = {0};
    struct appearance_request body = {0};
    json_t *validations;

    if (resolve_owner(call, RBAC_USER_UPDATE_PERSONAL, &target) != 0)
        return;
    if (api_decode(call, "codersdk.UpdateUserAppearanceSettingsRequest",
                   appearance_fields, COUNT(appearance_fields), &body) != 0)
        goto out;
    validations = json_array();
    api_validate(validations, KEY_THEME, body.theme_preference, "required");
    if (api_validation_result(call, validations) != 0)
        goto out;
    if (body.has_font && !font_supported(body.terminal_font)) {
        api_error(call, 400, "Unsupported font family.", NULL, NULL);
        goto out;
    }
    update_appearance(call, &target, &body);

out:
    api_decode_release(appearance_fields, COUNT(appearance_fields), &body);
    user_release(&target);
}

const struct api_route api_routes_appearance[] = {
    {"GET", "/users/{user}/appearance", get_appearance, API_AUTH},
    {"PUT", "/users/{user}/appearance", put_appearance, API_AUTH},
    {NULL, NULL, NULL, 0},
};
