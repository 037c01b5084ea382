/* SPDX-License-Identifier: MIT */
/* A segment trie that routes requests by method and path pattern. */
#include "http/router.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http/urlpath.h"
#include "util/mem.h"

#define MAX_SEGMENTS 16

struct route {
    char *method;
    char *pattern;
    unsigned flags;
    const void *data;
    struct route *next;
};

struct node {
    char *literal;    /* NULL for a parameter node */
    char *param_name; /* set for a parameter node */
    struct node **children;
    size_t nchildren;
    struct route *routes; /* routes that end at this node */
};

struct router {
    struct node root;
};

struct router *router_new(void)
{
    return xcalloc(1, sizeof(struct router));
}

static void node_release(struct node *node)
{
    struct route *route = node->routes;

    while (route != NULL) {
        struct route *next = route->next;

        free(route->method);
        free(route->pattern);
        free(route);
        route = next;
    }
    for (size_t i = 0; i < node->nchildren; i++) {
        node_release(node->children[i]);
        free(node->children[i]);
    }
    free(node->children);
    free(node->literal);
    free(node->param_name);
}

void router_free(struct router *router)
{
    if (router == NULL)
        return;
    node_release(&router->root);
    free(router);
}

/* Split path into segments (dropping the leading "/"); returns the count,
 * or -1 when there are too many. An empty path part yields "". */
static int split(const char *path, char *copy, char **segments)
{
    int n = 0;
    char *p = copy;

    memcpy(copy, path, strlen(path) + 1);
    if (*p == '/')
        p++;
    while (p != NULL) {
        char *slash = strchr(p, '/');

        if (n == MAX_SEGMENTS)
            return -1;
        if (slash != NULL)
            *slash = '\0';
        segments[n++] = p;
        p = slash ? slash + 1 : NULL;
    }
    return n;
}

static bool is_param(const char *segment)
{
    size_t len = strlen(segment);

    return len > 2 && segment[0] == '{' && segment[len - 1] == '}';
}

static struct node *child_for(struct node *node, const char *segment)
{
    bool param = is_param(segment);
    struct node *child;

    for (size_t i = 0; i < node->nchildren; i++) {
        child = node->children[i];
        if (param && child->param_name != NULL)
            return child;
        if (!param && child->literal != NULL &&
            strcmp(child->literal, segment) == 0)
            return child;
    }
    child = xcalloc(1, sizeof(*child));
    if (param)
        child->param_name = xstrndup(segment + 1, strlen(segment) - 2);
    else
        child->literal = xstrdup(segment);
    node->children =
        xrealloc(node->children, (node->nchildren + 1) * sizeof(child));
    node->children[node->nchildren++] = child;
    return child;
}

int router_add(struct router *router, const char *method, const char *pattern,
               unsigned flags, const void *data)
{
    char *copy = xmalloc(strlen(pattern) + 1);
    char *segments[MAX_SEGMENTS];
    struct node *node = &router->root;
    struct route *route;
    int nparams = 0;
    int n = split(pattern, copy, segments);

    if (n < 0) {
        free(copy);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        nparams += is_param(segments[i]);
        node = child_for(node, segments[i]);
    }
    free(copy);
    if (nparams > ROUTER_MAX_PARAMS)
        return -1;
    for (route = node->routes; route != NULL; route = route->next) {
        if (strcmp(route->method, method) == 0)
            return -1;
    }

    route = xcalloc(1, sizeof(*route));
    route->method = xstrdup(method);
    route->pattern = xstrdup(pattern);
    route->flags = flags;
    route->data = data;
    route->next = node->routes;
    node->routes = route;
    return 0;
}

/* Find the node for segments[index..], trying literals first. Captured
 * parameters are recorded in names and values (pointers into segments). */
static const struct node *walk(const struct node *node, char **segments,
                               int index, int count, const char **names,
                               const char **values, size_t *nparams)
{
    const struct node *found;

    if (index == count)
        return node->routes != NULL ? node : NULL;
    for (size_t i = 0; i < node->nchildren; i++) {
        const struct node *child = node->children[i];

        if (child->literal == NULL ||
            strcmp(child->literal, segments[index]) != 0)
            continue;
        found = walk(child, segments, index + 1, count, names, values, nparams);
        if (found != NULL)
            return found;
    }
    for (size_t i = 0; i < node->nchildren; i++) {
        const struct node *child = node->children[i];
        size_t before = *nparams;

        if (child->param_name == NULL || segments[index][0] == '\0' ||
            *nparams == ROUTER_MAX_PARAMS)
            continue;
        names[*nparams] = child->param_name;
        values[*nparams] = segments[index];
        (*nparams)++;
        found = walk(child, segments, index + 1, count, names, values, nparams);
        if (found != NULL)
            return found;
        *nparams = before;
    }
    return NULL;
}

void router_match(const struct router *router, const char *method,
                  const char *path, struct router_match *match)
{
    char *copy = xmalloc(strlen(path) + 1);
    char *segments[MAX_SEGMENTS];
    const char *values[ROUTER_MAX_PARAMS];
    const struct node *node = NULL;
    int n = split(path, copy, segments);
    bool decode;

    memset(match, 0, sizeof(*match));
    if (n >= 0)
        node = walk(&router->root, segments, 0, n, match->param_names, values,
                    &match->nparams);
    if (node == NULL) {
        match->nparams = 0;
        free(copy);
        return;
    }
    for (const struct route *r = node->routes; r != NULL; r = r->next) {
        if (strcmp(r->method, method) == 0) {
            match->data = r->data;
            match->flags = r->flags;
            match->pattern = r->pattern;
        }
    }
    if (match->data == NULL) {
        match->wrong_method = 1;
        match->pattern = node->routes->pattern;
        match->nparams = 0;
    }
    /* Captured segments are decoded only when the whole path is in the
     * form Go would write, as Coder's router does. */
    decode = urlpath_is_canonical(path);
    for (size_t i = 0; i < match->nparams; i++) {
        match->param_values[i] = xstrdup(values[i]);
        if (decode)
            urlpath_unescape(match->param_values[i]);
    }
    free(copy);
}

void router_match_release(struct router_match *match)
{
    for (size_t i = 0; i < match->nparams; i++)
        free(match->param_values[i]);
    memset(match, 0, sizeof(*match));
}

const char *router_match_param(const struct router_match *match,
                               const char *name)
{
    for (size_t i = 0; i < match->nparams; i++) {
        if (strcmp(match->param_names[i], name) == 0)
            return match->param_values[i];
    }
    return NULL;
}
