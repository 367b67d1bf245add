/* test_routes.c — the OpenAPI document describes every route the server
 * answers, with the same method (DESIGN.md: "kept complete as modules are
 * added"), and every route names a right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/embedded.h"
#include "http/http.h"

#include <ctype.h>
#include <string.h>

static void openapi_lists_every_route(void **state)
{
    (void)state;
    const struct embedded_file *f = embedded_find("openapi.json");
    assert_non_null(f);
    json_error_t je;
    json_t *doc = json_loadb(f->data, f->size, 0, &je);
    assert_non_null(doc);
    json_t *paths = json_object_get(doc, "paths");
    assert_non_null(paths);
    for (const struct route *r = http_routes; r->method; r++) {
        char method[8] = {0};
        for (size_t i = 0; r->method[i] && i < sizeof method - 1; i++)
            method[i] = (char)tolower((unsigned char)r->method[i]);
        json_t *item = json_object_get(paths, r->pattern);
        if (!item || !json_object_get(item, method))
            fail_msg("openapi.json lacks %s %s", r->method, r->pattern);
    }
    json_decref(doc);
}

static void openapi_has_no_route_the_server_lacks(void **state)
{
    (void)state;
    const struct embedded_file *f = embedded_find("openapi.json");
    json_t *doc = json_loadb(f->data, f->size, 0, NULL);
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            if (strcmp(method, "parameters") == 0)
                continue;
            bool found = false;
            for (const struct route *r = http_routes; r->method && !found; r++)
                found = strcmp(r->pattern, path) == 0 && strcasecmp(r->method, method) == 0;
            if (!found)
                fail_msg("openapi.json has %s %s, the server does not", method, path);
        }
    }
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openapi_lists_every_route),
        cmocka_unit_test(openapi_has_no_route_the_server_lacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
