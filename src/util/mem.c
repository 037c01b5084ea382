/* SPDX-License-Identifier: MIT */
/* Allocation wrappers that end the process when memory runs out. */
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void out_of_memory(void)
{
    static const char line[] = "level=error module=mem msg=\"out of memory\"\n";
    ssize_t ignored = write(STDERR_FILENO, line, sizeof(line) - 1);

    (void)ignored;
    abort();
}

void *xmalloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);

    if (ptr == NULL)
        out_of_memory();
    return ptr;
}

void *xcalloc(size_t count, size_t size)
{
    void *ptr = calloc(count ? count : 1, size ? size : 1);

    if (ptr == NULL)
        out_of_memory();
    return ptr;
}

void *xrealloc(void *ptr, size_t size)
{
    void *grown = realloc(ptr, size ? size : 1);

    if (grown == NULL)
        out_of_memory();
    return grown;
}

char *xstrdup(const char *str)
{
    if (str == NULL)
        return NULL;
    return xstrndup(str, strlen(str));
}

char *xstrndup(const char *str, size_t len)
{
    char *copy = xmalloc(len + 1);

    memcpy(copy, str, len);
    copy[len] = '\0';
    return copy;
}
