/* SPDX-License-Identifier: MIT */
/*
 * usher-seed: fill a store with benchmark users. It opens the store
 * through store_open, so that the schema and the default organization
 * exist, creates the owner account through the store interface, and then
 * writes the members in bulk with the backend's own fastest path.
 */
#include "seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "core/rbac.h"
#include "core/user.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/number.h"
#include "util/timestamp.h"
#include "util/uuid.h"

#define DEFAULT_PASSWORD "Bench-Horse-Battery-2026"
#define OWNER_USERNAME "admin"
#define OWNER_EMAIL "admin@example.com"

struct options {
    const char *sqlite_path;
    const char *postgres_url;
    const char *password;
    int64_t users;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: usher-seed (--sqlite-path PATH | --postgres-url URL) "
            "--users N [--password PASSWORD]\n"
            "\n"
            "Create the owner %s (%s) and N members user-0000001 ... in an\n"
            "empty store, all with the same password (default %s).\n",
            OWNER_USERNAME, OWNER_EMAIL, DEFAULT_PASSWORD);
}

static int parse_options(int argc, char **argv, struct options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->password = DEFAULT_PASSWORD;
    opt->users = -1;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;

        if (value == NULL)
            return -1;
        if (strcmp(argv[i], "--sqlite-path") == 0)
            opt->sqlite_path = value;
        else if (strcmp(argv[i], "--postgres-url") == 0)
            opt->postgres_url = value;
        else if (strcmp(argv[i], "--password") == 0)
            opt->password = value;
        else if (strcmp(argv[i], "--users") != 0)
            return -1;
        else if (number_parse_i64(value, 0, SEED_MAX_USERS, &opt->users) !=
                 NUMBER_OK)
            return -1;
        i++;
    }
    if ((opt->sqlite_path == NULL) == (opt->postgres_url == NULL) ||
        opt->users < 0 || opt->password[0] == '\0')
        return -1;
    return 0;
}

void seed_username(int64_t i, char out[SEED_NAME_MAX])
{
    snprintf(out, SEED_NAME_MAX, "user-%07lld", (long long)i);
}

void seed_email(int64_t i, char out[SEED_NAME_MAX])
{
    snprintf(out, SEED_NAME_MAX, "user-%07lld@example.com", (long long)i);
}

/* Insert the owner through the store, which fails when any user exists. */
static int insert_owner(struct store *store, const char *hashed,
                        const char *org_id, char *err, size_t errsize)
{
    struct user owner = {0};
    struct store_new_user new_user = {0};
    enum store_result result;
    int64_t now = timestamp_now();

    if (uuid_generate(owner.id) != 0) {
        snprintf(err, errsize, "cannot generate a user id");
        return -1;
    }
    owner.username = xstrdup(OWNER_USERNAME);
    owner.email = xstrdup(OWNER_EMAIL);
    owner.name = xstrdup("");
    owner.avatar_url = xstrdup("");
    owner.hashed_password = xstrdup(hashed);
    owner.hashed_one_time_passcode = xstrdup("");
    owner.created_at = now;
    owner.updated_at = now;
    owner.last_seen_at = TIMESTAMP_ZERO;
    owner.status = USER_STATUS_ACTIVE;
    owner.login_type = LOGIN_TYPE_PASSWORD;
    strlist_push(&owner.roles, RBAC_ROLE_NAME_OWNER);
    strlist_push(&owner.organization_ids, org_id);

    new_user.user = &owner;
    new_user.only_if_first = true;
    result = store_user_insert(store, &new_user);
    user_release(&owner);
    if (result == STORE_CONFLICT) {
        snprintf(err, errsize,
                 "the store already has users; seed an empty one");
        return -1;
    }
    if (result != STORE_OK) {
        snprintf(err, errsize, "cannot insert the owner: %s",
                 store_last_error());
        return -1;
    }
    return 0;
}

/* Migrate the store, create the owner and copy the default organization's
 * id into org_id. */
static int prepare_store(const struct options *opt, const char *hashed,
                         char org_id[UUID_STR_LEN + 1], char *err,
                         size_t errsize)
{
    struct store_config config = {0};
    struct organization org = {0};
    struct store *store;
    int rc = -1;

    config.sqlite_path = opt->sqlite_path;
    config.postgres_url = opt->postgres_url;
    config.max_connections = 1;
    store = store_open(&config, err, errsize);
    if (store == NULL)
        return -1;
    if (store_org_get_default(store, &org) != STORE_OK) {
        snprintf(err, errsize, "cannot read the default organization: %s",
                 store_last_error());
        goto out;
    }
    snprintf(org_id, UUID_STR_LEN + 1, "%s", org.id);
    rc = insert_owner(store, hashed, org.id, err, errsize);

out:
    organization_release(&org);
    store_free(store);
    return rc;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct seed_plan plan = {0};
    char hashed[PASSWORD_HASH_MAX];
    char org_id[UUID_STR_LEN + 1];
    char err[1024];
    int64_t started = timestamp_monotonic();
    int rc;

    if (parse_options(argc, argv, &opt) != 0) {
        usage();
        return 2;
    }
    /* Only errors: the store's start-up lines would clutter the output. */
    log_set_level(LOG_ERROR);
    if (password_hash(opt.password, hashed) != 0) {
        fprintf(stderr, "usher-seed: cannot hash the password\n");
        return 1;
    }
    if (prepare_store(&opt, hashed, org_id, err, sizeof(err)) != 0) {
        fprintf(stderr, "usher-seed: %s\n", err);
        return 1;
    }

    plan.users = opt.users;
    plan.hashed_password = hashed;
    plan.organization_id = org_id;
    plan.first_created_at = timestamp_now() - opt.users;
    if (opt.sqlite_path != NULL)
        rc = seed_sqlite(opt.sqlite_path, &plan, err, sizeof(err));
    else
        rc = seed_postgres(opt.postgres_url, &plan, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "usher-seed: %s\n", err);
        return 1;
    }
    printf("seeded owner %s and %lld members in %.1f s\n", OWNER_EMAIL,
           (long long)opt.users,
           (double)(timestamp_monotonic() - started) / 1e6);
    return 0;
}
