/* SPDX-License-Identifier: MIT */
/* Random "adjective_noun" names for API tokens created without a name. */
#include "core/tokenname.h"

#include <stdint.h>
#include <stdio.h>

#include "util/random.h"

/* Words of landscape and weather, short enough to type. */
static const char *const adjectives[] = {
    "amber",    "arctic",   "azure",   "balmy",  "breezy",  "bronze",
    "coastal",  "cobalt",   "crimson", "crisp",  "dappled", "dusky",
    "emerald",  "foggy",    "gilded",  "golden", "granite", "hazy",
    "hollow",   "icy",      "indigo",  "ivory",  "lunar",   "misty",
    "mossy",    "northern", "ochre",   "pale",   "polar",   "quiet",
    "rapid",    "rocky",    "rustic",  "sandy",  "silver",  "snowy",
    "solar",    "stony",    "sunny",   "swift",  "teal",    "tidal",
    "twilight", "velvet",   "verdant", "wild",   "windy",   "woolly",
};

static const char *const nouns[] = {
    "badger", "beacon",  "birch",   "bison",   "boulder", "brook",  "canyon",
    "cedar",  "comet",   "coral",   "cove",    "crane",   "delta",  "dune",
    "falcon", "fern",    "fjord",   "glacier", "grove",   "harbor", "heron",
    "island", "juniper", "kestrel", "lagoon",  "lark",    "maple",  "marsh",
    "meadow", "mesa",    "moose",   "nebula",  "orchid",  "otter",  "owl",
    "pebble", "pine",    "plover",  "quartz",  "raven",   "reef",   "ridge",
    "river",  "sparrow", "summit",  "thistle", "tundra",  "valley", "walrus",
    "willow",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

size_t tokenname_adjective_count(void)
{
    return COUNT(adjectives);
}

size_t tokenname_noun_count(void)
{
    return COUNT(nouns);
}

int tokenname_compose(size_t adjective, size_t noun, char out[TOKENNAME_MAX])
{
    out[0] = '\0';
    if (adjective >= COUNT(adjectives) || noun >= COUNT(nouns))
        return -1;
    snprintf(out, TOKENNAME_MAX, "%s_%s", adjectives[adjective], nouns[noun]);
    return 0;
}

/* Draw a uniform index below n, rejecting the values that would make a
 * plain modulo favour small indices. */
static int random_index(size_t n, size_t *out)
{
    uint32_t limit = UINT32_MAX - UINT32_MAX % (uint32_t)n;
    uint32_t value;

    do {
        if (random_bytes(&value, sizeof(value)) != 0)
            return -1;
    } while (value >= limit);
    *out = value % (uint32_t)n;
    return 0;
}

int tokenname_generate(char out[TOKENNAME_MAX])
{
    size_t adjective;
    size_t noun;

    out[0] = '\0';
    if (random_index(COUNT(adjectives), &adjective) != 0 ||
        random_index(COUNT(nouns), &noun) != 0)
        return -1;
    return tokenname_compose(adjective, noun, out);
}
