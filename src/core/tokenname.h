#ifndef USHER_CORE_TOKENNAME_H
#define USHER_CORE_TOKENNAME_H

#include <stddef.h>

/*
 * Names for API tokens created without one: "<adjective>_<noun>", such as
 * "misty_heron", from two word lists of this module, lower-case ASCII with
 * exactly one underscore, as Coder's generated token names look.
 */

/* Room for the longest generated name, with NUL. */
#define TOKENNAME_MAX 32

/* Return the number of adjectives, and of nouns, to choose from. */
size_t tokenname_adjective_count(void);
size_t tokenname_noun_count(void);

/*
 * Write the name made of adjective number adjective and noun number noun.
 * Returns 0, or -1 when an index is out of range (out is then "").
 */
int tokenname_compose(size_t adjective, size_t noun, char out[TOKENNAME_MAX]);

/*
 * Write a name whose words are drawn uniformly with OpenSSL's CSPRNG.
 * Returns 0, or -1 when the generator fails.
 */
int tokenname_generate(char out[TOKENNAME_MAX]);

#endif
