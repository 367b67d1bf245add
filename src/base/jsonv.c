#include "base/jsonv.h"

#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool fe_has(const struct field_errors *fe, const char *field)
{
    for (int i = 0; i < fe->n; i++)
        if (strcmp(fe->e[i].field, field) == 0)
            return true;
    return false;
}

void fe_add(struct field_errors *fe, const char *field, const char *fmt, ...)
{
    if (fe->n >= FIELD_ERRORS_MAX || fe_has(fe, field))
        return; /* the first problem of a field is the one reported */
    snprintf(fe->e[fe->n].field, sizeof fe->e[fe->n].field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    char *m = fe->e[fe->n].message;
    int len = vsnprintf(m, sizeof fe->e[fe->n].message, fmt, ap);
    va_end(ap);
    if (len >= (int)sizeof fe->e[fe->n].message) { /* drop a cut multi-byte character */
        size_t n = strlen(m);
        while (n > 0 && ((unsigned char)m[n - 1] & 0xc0) == 0x80)
            n--;
        if (n > 0 && ((unsigned char)m[n - 1] & 0x80))
            n--;
        m[n] = '\0';
    }
    fe->n++;
}

static void read_string(json_t *v, const struct jv_field *f, struct arena *a,
                        struct field_errors *fe)
{
    const char **out = f->out;
    if (json_is_null(v) && !f->required) {
        *out = NULL;
        return;
    }
    if (!json_is_string(v)) {
        fe_add(fe, f->name, "ожидается строка");
        return;
    }
    const char *s = json_string_value(v);
    int max = f->max_len ? f->max_len : 1000;
    if (json_string_length(v) != strlen(s) || !text_valid(s))
        fe_add(fe, f->name, "недопустимые символы");
    else if ((int)strlen(s) > max)
        fe_add(fe, f->name, "не длиннее %d байт", max);
    else if (f->required && !*s)
        fe_add(fe, f->name, "обязательное поле");
    else
        *out = arena_strdup(a, s);
}

static void read_one(json_t *v, const struct jv_field *f, struct arena *a, struct field_errors *fe)
{
    switch (f->kind) {
    case JV_STRING: read_string(v, f, a, fe); break;
    case JV_INT:
        if (json_is_integer(v))
            *(int64_t *)f->out = json_integer_value(v);
        else if (json_is_null(v) && !f->required)
            *(int64_t *)f->out = 0;
        else
            fe_add(fe, f->name, "ожидается целое число");
        break;
    case JV_BOOL:
        if (json_is_boolean(v))
            *(bool *)f->out = json_is_true(v);
        else
            fe_add(fe, f->name, "ожидается true или false");
        break;
    }
}

int jv_read(json_t *obj, const struct jv_field *fields, struct arena *a, struct field_errors *fe)
{
    int before = fe->n;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const struct jv_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name)
            fe_add(fe, key, "неизвестное поле");
    }
    for (const struct jv_field *f = fields; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (f->present)
            *f->present = v != NULL;
        if (v)
            read_one(v, f, a, fe);
        else if (f->required)
            fe_add(fe, f->name, "обязательное поле");
    }
    return fe->n - before;
}
