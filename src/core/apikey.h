#ifndef USHER_CORE_APIKEY_H
#define USHER_CORE_APIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/user.h"
#include "util/uuid.h"

/*
 * API keys are "<id>-<secret>": a 10-character id that names the key in the
 * API and a 22-character secret, both drawn from 0-9A-Za-z. Only the
 * SHA-256 digest of the secret is stored.
 */
#define APIKEY_ID_LEN 10
#define APIKEY_SECRET_LEN 22
#define APIKEY_TOKEN_LEN (APIKEY_ID_LEN + 1 + APIKEY_SECRET_LEN)
#define APIKEY_HASH_LEN 32

enum apikey_scope {
    APIKEY_SCOPE_ALL,
    APIKEY_SCOPE_APPLICATION_CONNECT,
};

/* A stored key. token_name is owned by the struct. */
struct apikey {
    char id[APIKEY_ID_LEN + 1];
    unsigned char hashed_secret[APIKEY_HASH_LEN];
    char user_id[UUID_STR_LEN + 1];
    int64_t last_used;
    int64_t expires_at;
    int64_t created_at;
    int64_t updated_at;
    enum login_type login_type;
    enum apikey_scope scope;
    int64_t lifetime_seconds;
    char *token_name;
    char ip_address[64];
};

/* Free the strings of key and zero it. */
void apikey_release(struct apikey *key);

/*
 * Generate a new id and secret and write the full token to token. Returns
 * 0, or -1 when the random generator fails.
 */
int apikey_generate(char id[APIKEY_ID_LEN + 1],
                    char secret[APIKEY_SECRET_LEN + 1],
                    char token[APIKEY_TOKEN_LEN + 1]);

/*
 * Split a presented token into id and secret. Returns 0, or -1 with the
 * reason Coder gives (for example "incorrect amount of API key parts,
 * expected 2 got 3") in reason.
 */
int apikey_parse(const char *token, char id[APIKEY_ID_LEN + 1],
                 char secret[APIKEY_SECRET_LEN + 1], char *reason,
                 size_t reason_size);

/* Store SHA-256 of secret in out. Returns 0, or -1 when OpenSSL fails. */
int apikey_hash_secret(const char *secret, unsigned char out[APIKEY_HASH_LEN]);

/* Compare the digest of secret with a stored digest in constant time. */
bool apikey_secret_matches(const unsigned char stored[APIKEY_HASH_LEN],
                           const char *secret);

/* Return the wire name of a scope. */
const char *apikey_scope_name(enum apikey_scope scope);

/* Parse a wire scope name. Returns 0 or -1. */
int apikey_scope_parse(const char *name, enum apikey_scope *scope);

#endif
