/* SPDX-License-Identifier: MIT */
/* GET /buildinfo and the API root. */
#include "api/api_internal.h"

static void get_buildinfo(struct api_call *call)
{
    const struct api_settings *s = &call->api->settings;
    json_t *body = json_object();

    json_object_set_new(body, "external_url", json_string(s->external_url));
    json_object_set_new(body, "version", json_string(s->version));
    json_object_set_new(body, "dashboard_url", json_string(s->access_url));
    json_object_set_new(body, "telemetry", json_false());
    json_object_set_new(body, "workspace_proxy", json_false());
    json_object_set_new(body, "agent_api_version", json_string("2.0"));
    json_object_set_new(body, "provisioner_api_version", json_string("1.0"));
    json_object_set_new(body, "upgrade_message", json_string(""));
    json_object_set_new(body, "deployment_id",
                        json_string(call->api->deployment_id));
    api_json(call, 200, body);
}

static void get_root(struct api_call *call)
{
    json_t *body = json_object();

    json_object_set_new(body, "message", json_string("\xf0\x9f\x91\x8b"));
    api_json(call, 200, body);
}

const struct api_route api_routes_buildinfo[] = {
    {"GET", "/buildinfo", get_buildinfo, 0},
    {"GET", "/", get_root, 0},
    {"GET", "", get_root, 0},
    {NULL, NULL, NULL, 0},
};
