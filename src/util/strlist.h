#ifndef USHER_UTIL_STRLIST_H
#define USHER_UTIL_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

/* A list of heap strings that owns its items. A zeroed list is empty. */
struct strlist {
    char **items;
    size_t len;
    size_t cap; /* slots allocated in items */
};

/* Append a copy of s. */
void strlist_push(struct strlist *list, const char *s);

/* Append s itself, taking ownership of it. */
void strlist_push_take(struct strlist *list, char *s);

/* Report whether the list holds a string equal to s. */
bool strlist_contains(const struct strlist *list, const char *s);

/* Free every item; the list is empty afterwards. */
void strlist_release(struct strlist *list);

/* Make dst a deep copy of src; dst's old items are freed. */
void strlist_copy(struct strlist *dst, const struct strlist *src);

#endif
