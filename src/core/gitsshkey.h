#ifndef USHER_CORE_GITSSHKEY_H
#define USHER_CORE_GITSSHKEY_H

#include <stdint.h>

#include "util/uuid.h"

/* A user's git SSH key pair. Strings are owned by the struct. */
struct gitsshkey {
    char user_id[UUID_STR_LEN + 1];
    int64_t created_at;
    int64_t updated_at;
    /* PEM or OpenSSH text; never sent to API clients. */
    char *private_key;
    /* One OpenSSH authorized_keys line ending in a single "\n". */
    char *public_key;
};

enum gitsshkey_algorithm {
    GITSSHKEY_ED25519,
    GITSSHKEY_ECDSA, /* NIST P-256 */
    GITSSHKEY_RSA4096,
};

/* Free the strings of key (wiping the private half) and zero it. */
void gitsshkey_release(struct gitsshkey *key);

/*
 * Generate a key pair with libssh and store both halves in key's strings
 * (user_id and times are left alone). RSA-4096 takes around a second, so
 * callers run this off the request threads. Returns 0 or -1.
 */
int gitsshkey_generate(enum gitsshkey_algorithm algorithm,
                       struct gitsshkey *key);

/*
 * Parse an algorithm name as CODER_SSH_KEYGEN_ALGORITHM takes it ("ed25519",
 * "ecdsa", "rsa4096"; case does not matter). Returns 0 or -1.
 */
int gitsshkey_algorithm_parse(const char *name,
                              enum gitsshkey_algorithm *algorithm);

#endif
