#ifndef USHER_CORE_NAME_H
#define USHER_CORE_NAME_H

#include <stdbool.h>

/* Longest username or organization name, in bytes. */
#define NAME_USERNAME_MAX 32

/* Longest display name of a user, in bytes. */
#define NAME_REAL_NAME_MAX 128

/* Longest e-mail address accepted (RFC 5321's limit on a path). */
#define NAME_EMAIL_MAX 254

/*
 * Report whether s is a valid username (Coder's name rule): 1 to 32 bytes of
 * ASCII letters and digits in groups joined by single hyphens, and neither
 * "new" nor "create".
 */
bool name_username_valid(const char *s);

/*
 * Report whether s is a valid display name: at most 128 bytes, with no
 * leading or trailing white space. The empty string is valid.
 */
bool name_real_name_valid(const char *s);

/*
 * Report whether s is a valid e-mail address: a dot-atom or quoted local
 * part, "@", and a domain of two or more labels whose last label starts and
 * ends with a letter. Letters outside ASCII are allowed where the
 * go-playground validator that Coder uses allows them.
 */
bool name_email_valid(const char *s);

#endif
