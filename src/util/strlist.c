/* SPDX-License-Identifier: MIT */
/* Owned lists of strings. */
#include "util/strlist.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void strlist_push_take(struct strlist *list, char *s)
{
    /* Doubling keeps long lists (a role filter of thousands of names)
     * linear to build. */
    if (list->len == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 4;
        list->items = xrealloc(list->items, list->cap * sizeof(char *));
    }
    list->items[list->len++] = s;
}

void strlist_push(struct strlist *list, const char *s)
{
    strlist_push_take(list, xstrdup(s));
}

bool strlist_contains(const struct strlist *list, const char *s)
{
    for (size_t i = 0; i < list->len; i++) {
        if (strcmp(list->items[i], s) == 0)
            return true;
    }
    return false;
}

void strlist_release(struct strlist *list)
{
    for (size_t i = 0; i < list->len; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->len = 0;
    list->cap = 0;
}

void strlist_copy(struct strlist *dst, const struct strlist *src)
{
    strlist_release(dst);
    for (size_t i = 0; i < src->len; i++)
        strlist_push(dst, src->items[i]);
}
