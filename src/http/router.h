#ifndef USHER_HTTP_ROUTER_H
#define USHER_HTTP_ROUTER_H

#include <stddef.h>

/*
 * Maps a method and a path to a route. Patterns are split on "/"; a segment
 * written "{name}" matches any one non-empty segment and captures it. At
 * every level a literal segment is tried before a parameter, so
 * "/users/first" wins over "/users/{user}" whatever the order of adding.
 *
 * Paths are matched as the client sent them, still percent-encoded, so an
 * encoded "/" (%2F) stays inside its segment and "%75sers" is not "users".
 * A captured segment is decoded only when the whole path is in the form
 * Go's URL encoder writes (see urlpath_is_canonical). Otherwise it is
 * returned as sent. That is how Coder's router treats paths.
 */

#define ROUTER_MAX_PARAMS 4

struct router;

struct router_match {
    /* The data given to router_add, or NULL when nothing matched. */
    const void *data;
    unsigned flags;
    /* The pattern that matched, for logs and rate limits. */
    const char *pattern;
    /* Set when the path matched but not for this method. */
    int wrong_method;
    size_t nparams;
    const char *param_names[ROUTER_MAX_PARAMS];
    /* Heap copies; released by router_match_release. */
    char *param_values[ROUTER_MAX_PARAMS];
};

struct router *router_new(void);

/* Free the router and its routes. NULL is ok. */
void router_free(struct router *router);

/*
 * Add a route. flags and data are returned with every match. Returns 0, or
 * -1 for a malformed pattern or one that is already routed for method.
 */
int router_add(struct router *router, const char *method, const char *pattern,
               unsigned flags, const void *data);

/* Match method and path (as sent, without the query string); see struct
 * router_match. Always release it. */
void router_match(const struct router *router, const char *method,
                  const char *path, struct router_match *match);

void router_match_release(struct router_match *match);

/* Return the value captured for {name}, or NULL. */
const char *router_match_param(const struct router_match *match,
                               const char *name);

#endif
