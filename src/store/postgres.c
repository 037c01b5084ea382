/* SPDX-License-Identifier: MIT */
/* PostgreSQL backend. */
#include "store/backend.h"

#include <stdio.h>

/* TODO: the PostgreSQL backend; until it lands, --postgres-url fails at
 * start-up with this message. */
struct store *store_postgres_open(const struct store_config *config, char *err,
                                  size_t errsize)
{
    (void)config;
    snprintf(err, errsize, "this build has no PostgreSQL backend");
    return NULL;
}
