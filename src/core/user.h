#ifndef USHER_CORE_USER_H
#define USHER_CORE_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/strlist.h"
#include "util/uuid.h"

enum user_status {
    USER_STATUS_ACTIVE,
    USER_STATUS_DORMANT,
    USER_STATUS_SUSPENDED,
};

enum login_type {
    LOGIN_TYPE_PASSWORD,
    LOGIN_TYPE_GITHUB,
    LOGIN_TYPE_OIDC,
    LOGIN_TYPE_TOKEN,
    LOGIN_TYPE_NONE,
};

/* An account as the store holds it. Every string is owned by the struct. */
struct user {
    char id[UUID_STR_LEN + 1];
    char *username;
    char *email;
    char *name;
    char *avatar_url;
    /* Coder's $pbkdf2-sha256$... string, or "" when the user has none. */
    char *hashed_password;
    int64_t created_at;
    int64_t updated_at;
    /* TIMESTAMP_ZERO until the first authenticated request. */
    int64_t last_seen_at;
    enum user_status status;
    enum login_type login_type;
    /* Stored site role names; the implicit "member" is never stored. */
    struct strlist roles;
    /* Organizations the user is a member of. */
    struct strlist organization_ids;
    bool deleted;
    /* Hash of a pending password-reset code, or "" when none is pending. */
    char *hashed_one_time_passcode;
    int64_t one_time_passcode_expires_at;
    /* Numeric github.com account id, or 0 when not linked. */
    int64_t github_com_user_id;
};

/* Free the strings of user and zero it. */
void user_release(struct user *user);

/* Make dst a deep copy of src; dst must be released or zeroed. */
void user_copy(struct user *dst, const struct user *src);

/* Return the wire name of a status, such as "active". */
const char *user_status_name(enum user_status status);

/* Parse a wire status name. Returns 0 or -1 for an unknown name. */
int user_status_parse(const char *name, enum user_status *status);

/* Return the wire name of a login type, such as "password". */
const char *login_type_name(enum login_type type);

/* Parse a wire login type name. Returns 0 or -1 for an unknown name. */
int login_type_parse(const char *name, enum login_type *type);

#endif
