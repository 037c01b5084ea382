#ifndef USHER_STORE_BACKEND_H
#define USHER_STORE_BACKEND_H

/*
 * The contract between store.c and the backends. Each backend fills one
 * struct store_ops; every entry has the meaning of the store_* function of
 * the same name in store.h. Nothing outside src/store includes this file.
 */

#include "store/store.h"

struct store_ops {
    const char *name;
    void (*free)(struct store *store);
    enum store_result (*deployment_id)(struct store *, char *);

    enum store_result (*org_get_default)(struct store *, struct organization *);
    enum store_result (*org_get_by_id)(struct store *, const char *,
                                       struct organization *);
    enum store_result (*org_get_by_name)(struct store *, const char *,
                                         struct organization *);
    enum store_result (*org_list_for_user)(struct store *, const char *,
                                           struct organization **, size_t *);
    enum store_result (*org_membership_roles)(struct store *, const char *,
                                              struct strlist *,
                                              struct strlist **);

    enum store_result (*user_count)(struct store *, int64_t *);
    enum store_result (*user_get_by_id)(struct store *, const char *,
                                        struct user *);
    enum store_result (*user_get_by_username)(struct store *, const char *,
                                              struct user *);
    enum store_result (*user_get_by_email)(struct store *, const char *,
                                           struct user *);
    enum store_result (*user_insert)(struct store *,
                                     const struct store_new_user *);
    enum store_result (*user_list)(struct store *,
                                   const struct store_user_query *,
                                   struct user **, size_t *, int64_t *);
    enum store_result (*user_update_profile)(struct store *, const char *,
                                             const char *, const char *,
                                             int64_t);
    enum store_result (*user_update_status)(struct store *, const char *,
                                            enum user_status, int64_t);
    enum store_result (*user_activate_if_dormant)(struct store *, const char *,
                                                  int64_t);
    enum store_result (*user_update_roles)(struct store *, const char *,
                                           const struct strlist *, int64_t);
    enum store_result (*user_update_password)(struct store *, const char *,
                                              const char *, const char *,
                                              int64_t);
    enum store_result (*user_set_one_time_passcode)(struct store *,
                                                    const char *, const char *,
                                                    int64_t);
    enum store_result (*user_delete)(struct store *, const char *, int64_t);
    enum store_result (*user_touch)(struct store *, const char *, int64_t);

    enum store_result (*apikey_insert)(struct store *, const struct apikey *,
                                       const struct store_key_guard *);
    enum store_result (*apikey_get)(struct store *, const char *,
                                    struct apikey *);
    enum store_result (*apikey_get_token_by_name)(struct store *, const char *,
                                                  const char *,
                                                  struct apikey *);
    enum store_result (*apikey_list_tokens)(struct store *, const char *,
                                            struct store_apikey_row **,
                                            size_t *);
    enum store_result (*apikey_delete)(struct store *, const char *);
    enum store_result (*apikey_delete_app_connect)(struct store *,
                                                   const char *);
    enum store_result (*apikey_touch)(struct store *, const char *, int64_t,
                                      int64_t, const char *);
    enum store_result (*auth_lookup)(struct store *, const char *,
                                     struct store_auth *);

    enum store_result (*gitsshkey_get)(struct store *, const char *,
                                       struct gitsshkey *);
    enum store_result (*gitsshkey_put)(struct store *, const struct gitsshkey *,
                                       bool);

    enum store_result (*user_config_get)(struct store *, const char *,
                                         const char *, char **);
    enum store_result (*user_config_set)(struct store *, const char *,
                                         const char *const *,
                                         const char *const *, size_t);
};

/* The head of every backend's own struct store. */
struct store {
    const struct store_ops *ops;
};

/* Record the failure text that store_last_error() returns on this thread. */
void store_set_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Open a backend; each returns NULL with the reason in err. */
struct store *store_sqlite_open(const struct store_config *config, char *err,
                                size_t errsize);
struct store *store_postgres_open(const struct store_config *config, char *err,
                                  size_t errsize);

/* One schema change, applied in version order inside a transaction. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

/* The migrations of each backend, embedded from src/store/migrations at
 * build time, in version order. */
extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_migration_count;
extern const struct store_migration store_postgres_migrations[];
extern const size_t store_postgres_migration_count;

/* The organization every store starts with, named as Coder names it. */
#define STORE_DEFAULT_ORG_NAME "coder"
#define STORE_DEFAULT_ORG_DISPLAY_NAME "Coder"
#define STORE_DEFAULT_ORG_DESCRIPTION "Builtin default organization."

#endif
