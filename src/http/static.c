/* static.c — the web UI's files from the configured directory. Only plain
 * names under it are served (no "..", no hidden files); "/" is index.html. */
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *type_of(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".woff2", "font/woff2"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

static bool safe(const char *path)
{
    return path[0] == '/' && !strstr(path, "..") && !strstr(path, "/.") && !strchr(path, '\\');
}

int http_static(struct http_req *r)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        http_header(r, "Allow", "GET, HEAD");
        return http_problem(r, 405, "method-not-allowed", "Метод не поддерживается", NULL);
    }
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    if (!safe(rel))
        return http_problem(r, 404, "not-found", "Не найдено", NULL);
    char *file = arena_printf(r->arena, "%s%s", r->cfg->web, rel);
    FILE *f = fopen(file, "rb");
    if (!f)
        return http_problem(r, 404, "not-found", "Не найдено",
                            arena_printf(r->arena, "нет такого адреса: %s", r->path));
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[16384];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n > cap) {
            char *bigger = realloc(buf, cap = (len + n) * 2);
            if (!bigger)
                break;
            buf = bigger;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    bool failed = ferror(f) || n > 0;
    fclose(f);
    if (failed) {
        free(buf);
        return http_problem(r, 500, "internal", "Внутренняя ошибка", "файл не прочитан");
    }
    http_header(r, "Cache-Control", "no-cache");
    http_header(r, "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "frame-ancestors 'none'");
    return http_text(r, 200, type_of(rel), buf, len);
}
