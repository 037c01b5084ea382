/* SPDX-License-Identifier: MIT */
/* Organizations: the record. */
#include "core/organization.h"

#include <stdlib.h>
#include <string.h>

void organization_release(struct organization *org)
{
    free(org->name);
    free(org->display_name);
    free(org->description);
    free(org->icon);
    memset(org, 0, sizeof(*org));
}

void organization_free_array(struct organization *orgs, size_t count)
{
    if (orgs == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        organization_release(&orgs[i]);
    free(orgs);
}
