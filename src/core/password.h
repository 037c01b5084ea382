#ifndef USHER_CORE_PASSWORD_H
#define USHER_CORE_PASSWORD_H

#include <stddef.h>

/*
 * Passwords are stored the way Coder stores them, so hashes move between
 * the two: "$pbkdf2-sha256$<iterations>$<salt>$<key>" with PBKDF2-HMAC-SHA256,
 * a 16-byte random salt, a 64-byte key, unpadded standard base64 for both,
 * and 65535 iterations for new hashes. One hash costs about 30 ms of CPU.
 */

#define PASSWORD_ITERATIONS 65535
#define PASSWORD_SALT_LEN 16
#define PASSWORD_KEY_LEN 64

/* Room for any hash this module writes, with NUL. */
#define PASSWORD_HASH_MAX 160

/* Longest password accepted, in bytes. */
#define PASSWORD_MAX_LEN 64

/* Entropy in bits a password must reach, in go-password-validator's model. */
#define PASSWORD_MIN_ENTROPY 52.0

enum password_match {
    PASSWORD_MATCH,
    PASSWORD_MISMATCH,
    /* The stored hash cannot be read; it matches nothing. */
    PASSWORD_BAD_HASH,
};

/*
 * Hash password with a fresh random salt into out. Returns 0, or -1 when
 * the random generator or PBKDF2 fails.
 */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* Hash with the given salt and iteration count, as password_hash does. */
int password_hash_with_salt(const char *password, const unsigned char *salt,
                            size_t salt_len, int iterations,
                            char out[PASSWORD_HASH_MAX]);

/*
 * Check password against a stored hash in constant time, reading the
 * iteration count from the hash. An empty hash (an unknown user, or a user
 * without a password) is checked against a throw-away hash so that it takes
 * as long as a real check, and never matches.
 */
enum password_match password_verify(const char *hashed, const char *password);

/*
 * Apply Coder's strength rule: at least PASSWORD_MIN_ENTROPY bits, and at
 * most PASSWORD_MAX_LEN bytes. Returns 0 for a strong password, or -1 with
 * the reason (the text Coder shows) in reason.
 */
int password_check_strength(const char *password, char *reason, size_t size);

/* Return the entropy of password in bits, as go-password-validator 0.3.0
 * computes it. */
double password_entropy(const char *password);

#endif
