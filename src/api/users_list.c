/* SPDX-License-Identifier: MIT */
/*
 * GET /users: the user listing with Coder's search syntax and pagination.
 * Owners, user admins, template admins and auditors see every user; a
 * plain member sees only themself, and count covers only what is shown.
 */
#include "api/api_internal.h"

#include "core/pagination.h"
#include "core/search.h"

static json_t *validations_json(const struct validation_errors *errors)
{
    json_t *list = json_array();

    for (size_t i = 0; i < validation_errors_count(errors); i++)
        api_validation_add(list, errors->fields.items[i],
                           errors->details.items[i]);
    return list;
}

/* Fill query from the parsed search and page; query points into both. */
static void build_query(const struct search_users *search,
                        const struct pagination *page,
                        struct store_user_query *query)
{
    query->search = search->text;
    query->statuses = search->statuses;
    query->login_types = search->login_types;
    query->roles = &search->roles;
    query->has_created_before = search->has_created_before;
    query->created_before = search->created_before;
    query->has_created_after = search->has_created_after;
    query->created_after = search->created_after;
    query->has_last_seen_before = search->has_last_seen_before;
    query->last_seen_before = search->last_seen_before;
    query->has_last_seen_after = search->has_last_seen_after;
    query->last_seen_after = search->last_seen_after;
    query->has_github_com_user_id = search->has_github_com_user_id;
    query->github_com_user_id = search->github_com_user_id;
    query->after_id = page->has_after_id ? page->after_id : NULL;
    query->offset = page->offset;
    query->limit = page->limit;
}

static void reply_users(struct api_call *call, const struct user *users,
                        size_t count, int64_t total)
{
    json_t *body = json_object();
    json_t *list = json_array();

    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, api_render_listed_user(&users[i]));
    json_object_set_new(body, "users", list);
    json_object_set_new(body, "count", json_integer(total));
    api_json(call, 200, body);
}

/* Run the listing with the caller's visibility applied. */
static void run_listing(struct api_call *call, struct store_user_query *query)
{
    struct user *users = NULL;
    size_t count = 0;
    int64_t total = 0;
    enum store_result result;

    if (!rbac_allowed(&call->subject, RBAC_USER_READ, NULL)) {
        /* A key that may not even read its own user lists no user. */
        if (!rbac_allowed(&call->subject, RBAC_USER_READ, call->auth.user.id)) {
            reply_users(call, NULL, 0, 0);
            return;
        }
        query->only_user_id = call->auth.user.id;
    }
    result = store_user_list(call->api->store, query, &users, &count, &total);
    if (result != STORE_OK) {
        api_store_failure(call, result, "Internal error fetching users.");
        return;
    }
    /* Coder takes the count from the rows of the page, so an empty page
     * (an offset past the end, say) reports 0. */
    if (count == 0)
        total = 0;
    reply_users(call, users, count, total);
    store_free_users(users, count);
}

static void list_users(struct api_call *call)
{
    const char *q = http_request_query(call->req, "q");
    struct search_users search = {0};
    struct pagination page = {0};
    struct validation_errors errors = {0};
    struct store_user_query query = {0};

    /* The search is checked first; pagination only when it is valid. */
    if (search_parse_users(q ? q : "", &search, &errors) != 0) {
        api_error(call, 400, "Invalid user search query.", NULL,
                  validations_json(&errors));
        goto out;
    }
    if (pagination_parse(http_request_query(call->req, "after_id"),
                         http_request_query(call->req, "limit"),
                         http_request_query(call->req, "offset"), &page,
                         &errors) != 0) {
        api_error(call, 400, "Query parameters have invalid values.", NULL,
                  validations_json(&errors));
        goto out;
    }
    build_query(&search, &page, &query);
    run_listing(call, &query);

out:
    validation_errors_release(&errors);
    search_users_release(&search);
}

const struct api_route api_routes_users_list[] = {
    {"GET", "/users", list_users, API_AUTH},
    {NULL, NULL, NULL, 0},
};
