#ifndef USHER_CORE_PASSWORD_INTERNAL_H
#define USHER_CORE_PASSWORD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The strength check with a count of its work, so that a test can check
 * that the work grows in proportion to the password's length. The server
 * uses password.h, whose functions call these.
 *
 * A step is one visit of one character to one rule of the check: the
 * decoding, the base, the repeats, each sequence walk, each byte of the
 * length summed, and the reason for a weak password.
 */

/* Return password_entropy(password), adding the steps taken to *steps. */
double password_entropy_counted(const char *password, uint64_t *steps);

/* Act as password_check_strength, adding the steps taken to *steps. */
int password_check_strength_counted(const char *password, char *reason,
                                    size_t size, uint64_t *steps);

#endif
