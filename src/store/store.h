#ifndef USHER_STORE_STORE_H
#define USHER_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/apikey.h"
#include "core/gitsshkey.h"
#include "core/organization.h"
#include "core/user.h"
#include "util/strlist.h"

/*
 * The store holds every piece of state: users, organizations, API keys, git
 * SSH keys and per-user settings. One interface, two backends: SQLite (the
 * embedded default) and PostgreSQL (shared by several server processes).
 * Handlers call only the functions below and never learn which backend
 * answers.
 *
 * Every function is safe to call from any thread at the same time. Each
 * call that changes several rows does so in one transaction: either all of
 * it happens or none. No backend caches rows between calls, so a change made
 * by one server process is seen by the next call in every other.
 *
 * Out-parameters are written only when STORE_OK is returned; the caller
 * then owns what they point to and releases it with the type's _release or
 * _free_array function. On any other result, store_last_error() describes
 * the failure for the log.
 */
struct store;

enum store_result {
    STORE_OK = 0,
    STORE_NOT_FOUND,   /* no such row (or none that matches the condition) */
    STORE_CONFLICT,    /* a uniqueness rule or precondition stopped it */
    STORE_UNAVAILABLE, /* the database cannot be reached right now */
    STORE_ERROR,       /* anything else; see store_last_error() */
};

struct store_config {
    /* PostgreSQL connection string (URL or key=value); NULL for SQLite. */
    const char *postgres_url;
    /* SQLite database file, created when missing. */
    const char *sqlite_path;
    /* Most PostgreSQL connections kept open at once. */
    unsigned max_connections;
};

/*
 * Open the configured backend and apply pending migrations. A default
 * organization exists once this returns. Returns the store, or NULL with
 * the reason in err.
 */
struct store *store_open(const struct store_config *config, char *err,
                         size_t errsize);

/* Close every connection and free the store. NULL is ok. */
void store_free(struct store *store);

/* Return "sqlite" or "postgres". */
const char *store_backend_name(const struct store *store);

/*
 * Return a description of the last failure of a store call on this thread.
 * The text never contains secrets. Valid until the next store call.
 */
const char *store_last_error(void);

/* Return a stable id for this deployment, made when the store was created. */
enum store_result store_deployment_id(struct store *store,
                                      char out[UUID_STR_LEN + 1]);

/* ----- organizations ----------------------------------------------------- */

enum store_result store_org_get_default(struct store *store,
                                        struct organization *out);

enum store_result store_org_get_by_id(struct store *store, const char *id,
                                      struct organization *out);

/* Look an organization up by name, ignoring case. */
enum store_result store_org_get_by_name(struct store *store, const char *name,
                                        struct organization *out);

/* List the organizations user_id is a member of, in name order. */
enum store_result store_org_list_for_user(struct store *store,
                                          const char *user_id,
                                          struct organization **out,
                                          size_t *count);

/* List the organization roles the user holds in each membership. On
 * STORE_OK, org_ids[i] pairs with roles[i]; free both with
 * store_free_membership_roles. */
enum store_result store_org_membership_roles(struct store *store,
                                             const char *user_id,
                                             struct strlist *org_ids,
                                             struct strlist **roles);

void store_free_membership_roles(struct strlist *org_ids,
                                 struct strlist *roles);

/* ----- users ------------------------------------------------------------- */

/* Count users that are not deleted. */
enum store_result store_user_count(struct store *store, int64_t *count);

/*
 * Fetch a user by id with roles and memberships filled in. Deleted users are
 * returned too, with deleted set, as Coder does for lookups by id.
 */
enum store_result store_user_get_by_id(struct store *store, const char *id,
                                       struct user *out);

/* Fetch a user that is not deleted by username, ignoring case. */
enum store_result store_user_get_by_username(struct store *store,
                                             const char *username,
                                             struct user *out);

/* Fetch a user that is not deleted by e-mail address, ignoring case. */
enum store_result store_user_get_by_email(struct store *store,
                                          const char *email, struct user *out);

struct store_new_user {
    /* Every field is stored; organization_ids become memberships. */
    const struct user *user;
    /* Generated key pair stored with the user; NULL to store none. */
    const struct gitsshkey *gitsshkey;
    /* When set, fail with STORE_CONFLICT if any user exists already. */
    bool only_if_first;
};

/*
 * Create a user, its memberships and its git SSH key in one transaction.
 * Returns STORE_CONFLICT when another user that is not deleted has the same
 * username or e-mail (ignoring case), or, with only_if_first, when any user
 * exists; STORE_NOT_FOUND when an organization does not exist.
 */
enum store_result store_user_insert(struct store *store,
                                    const struct store_new_user *new_user);

/* Bits for the status and login type filters of struct store_user_query. */
#define STORE_BIT(value) (1u << (unsigned)(value))

/* Filters and page of a user listing. Unset filters are NULL, 0 or false. */
struct store_user_query {
    /* Case-insensitive substring of username or e-mail; NULL for none. */
    const char *search;
    unsigned statuses;    /* STORE_BIT(enum user_status) set, 0 = any */
    unsigned login_types; /* STORE_BIT(enum login_type) set, 0 = any */
    /* Users holding any of these stored site roles; empty = any. */
    const struct strlist *roles;
    bool has_created_before, has_created_after;
    int64_t created_before, created_after; /* inclusive bounds */
    bool has_last_seen_before, has_last_seen_after;
    int64_t last_seen_before, last_seen_after; /* inclusive bounds */
    bool has_github_com_user_id;
    int64_t github_com_user_id;
    /* Only users whose lower-cased username sorts after this user's. */
    const char *after_id;
    /* Restrict the result to this one user (a member sees only itself). */
    const char *only_user_id;
    int64_t offset;
    int64_t limit; /* 0 = no limit */
};

/*
 * List users that are not deleted, ordered by lower-cased username, with
 * roles and memberships filled in. *total is the number of matching users
 * before offset and limit apply. A search of three or more characters is
 * answered from a text index rather than a scan.
 */
enum store_result store_user_list(struct store *store,
                                  const struct store_user_query *query,
                                  struct user **users, size_t *count,
                                  int64_t *total);

/* Free an array of count users. NULL is ok. */
void store_free_users(struct user *users, size_t count);

/* Set username and name. STORE_CONFLICT when another user has the name. */
enum store_result store_user_update_profile(struct store *store, const char *id,
                                            const char *username,
                                            const char *name, int64_t now);

/* Set the status. */
enum store_result store_user_update_status(struct store *store, const char *id,
                                           enum user_status status,
                                           int64_t now);

/*
 * Switch a dormant user to active. Returns STORE_OK whether or not the user
 * was dormant, STORE_NOT_FOUND when there is no such user.
 */
enum store_result store_user_activate_if_dormant(struct store *store,
                                                 const char *id, int64_t now);

/* Replace the stored site roles. */
enum store_result store_user_update_roles(struct store *store, const char *id,
                                          const struct strlist *roles,
                                          int64_t now);

/*
 * Store a new password hash, clear any pending one-time passcode and delete
 * every API key of the user, in one transaction. When passcode is not
 * NULL, the change happens only if the user's stored passcode hash is still
 * exactly passcode, so that one code can be redeemed only once even by two
 * requests at the same time; otherwise it returns STORE_NOT_FOUND.
 */
enum store_result store_user_update_password(struct store *store,
                                             const char *id,
                                             const char *hashed_password,
                                             const char *passcode, int64_t now);

/* Store the hash and expiry of a password-reset code, replacing any other. */
enum store_result store_user_set_one_time_passcode(struct store *store,
                                                   const char *id,
                                                   const char *hashed,
                                                   int64_t expires_at);

/*
 * Mark the user deleted and delete its API keys and external login links,
 * in one transaction. Its username and e-mail are free for reuse after.
 */
enum store_result store_user_delete(struct store *store, const char *id,
                                    int64_t now);

/* Set last_seen_at (and updated_at) to now. */
enum store_result store_user_touch(struct store *store, const char *id,
                                   int64_t now);

/* ----- API keys ---------------------------------------------------------- */

/*
 * Conditions for storing a new key, checked in the insert's transaction
 * with the user's row locked, so that a concurrent password change or
 * deletion either finds the new key (and deletes it) or makes the insert
 * fail. A NULL field is not checked.
 */
struct store_key_guard {
    /* The user's stored password hash must still be this one. */
    const char *password_hash;
    /* This key, the one that authorized the request, must still exist. */
    const char *presented_key_id;
};

/*
 * Store a new key for a user who exists and is not deleted, when guard
 * (which may be NULL) holds. STORE_NOT_FOUND when the user or a guarded
 * condition is gone; STORE_CONFLICT when the user already has a key of
 * login type token with the same token_name.
 */
enum store_result store_apikey_insert(struct store *store,
                                      const struct apikey *key,
                                      const struct store_key_guard *guard);

enum store_result store_apikey_get(struct store *store, const char *id,
                                   struct apikey *out);

/* Fetch the user's key of login type token named token_name. */
enum store_result store_apikey_get_token_by_name(struct store *store,
                                                 const char *user_id,
                                                 const char *token_name,
                                                 struct apikey *out);

/* A key with the username of its owner, for token listings. */
struct store_apikey_row {
    struct apikey key;
    char *username;
};

/*
 * List keys of login type token: of user_id, or of every user when user_id
 * is NULL. Free with store_free_apikey_rows.
 */
enum store_result store_apikey_list_tokens(struct store *store,
                                           const char *user_id,
                                           struct store_apikey_row **rows,
                                           size_t *count);

void store_free_apikey_rows(struct store_apikey_row *rows, size_t count);

/* Delete one key. STORE_NOT_FOUND when there is none with that id. */
enum store_result store_apikey_delete(struct store *store, const char *id);

/* Delete the user's keys with the application_connect scope. */
enum store_result store_apikey_delete_app_connect(struct store *store,
                                                  const char *user_id);

/* Record use of a key: last_used, expires_at and the client address. */
enum store_result store_apikey_touch(struct store *store, const char *id,
                                     int64_t last_used, int64_t expires_at,
                                     const char *ip_address);

/* What authenticating one request needs, read in one query. */
struct store_auth {
    struct apikey key;
    struct user user;
    /* For github and oidc keys: whether the user's link still exists. */
    bool link_present;
};

/* Fetch a key together with its user, the user's roles and memberships. */
enum store_result store_auth_lookup(struct store *store, const char *key_id,
                                    struct store_auth *out);

void store_auth_release(struct store_auth *auth);

/* ----- git SSH keys ------------------------------------------------------ */

enum store_result store_gitsshkey_get(struct store *store, const char *user_id,
                                      struct gitsshkey *out);

/*
 * Store a user's key pair: insert it when the user has none. Otherwise,
 * with replace, replace both halves and updated_at while keeping
 * created_at; without it, change nothing and return STORE_CONFLICT, so
 * that of two writers racing to create a first key exactly one wins.
 */
enum store_result store_gitsshkey_put(struct store *store,
                                      const struct gitsshkey *key,
                                      bool replace);

/* ----- per-user settings ------------------------------------------------- */

/* Fetch one setting. STORE_NOT_FOUND when the user never stored it. */
enum store_result store_user_config_get(struct store *store,
                                        const char *user_id, const char *key,
                                        char **value);

/* Store several settings of one user in one transaction. */
enum store_result store_user_config_set(struct store *store,
                                        const char *user_id,
                                        const char *const *keys,
                                        const char *const *values,
                                        size_t count);

#endif
