/* SPDX-License-Identifier: MIT */
/* Cryptographically secure random bytes and strings. */
#include "util/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

int random_bytes(void *out, size_t len)
{
    if (len > (size_t)INT32_MAX)
        return -1;
    return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

int random_alnum(char *out, size_t len)
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    unsigned char pool[64];
    size_t used = sizeof(pool);
    size_t n = 0;

    while (n < len) {
        unsigned char byte;

        if (used == sizeof(pool)) {
            if (random_bytes(pool, sizeof(pool)) != 0)
                return -1;
            used = 0;
        }
        byte = pool[used++];
        /* 248 is the largest multiple of 62 below 256: rejecting the rest
         * keeps every character equally likely. */
        if (byte >= 248)
            continue;
        out[n++] = alphabet[byte % 62];
    }
    out[len] = '\0';
    OPENSSL_cleanse(pool, sizeof(pool));
    return 0;
}
