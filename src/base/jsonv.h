/* jsonv.h — reading request bodies: a table of expected fields is checked
 * against a JSON object, every problem is collected with the field's name
 * (for the problem+json `errors` list), unknown fields are refused. */
#ifndef UPRAVDOM_JSONV_H
#define UPRAVDOM_JSONV_H

#include "base/arena.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define FIELD_ERRORS_MAX 32

struct field_errors {
    int n;
    struct {
        char field[64];
        char message[512]; /* UTF-8; cut at a character boundary if longer */
    } e[FIELD_ERRORS_MAX];
};

/* Adds one error; ignored for a field that has one already, or past FIELD_ERRORS_MAX. */
void fe_add(struct field_errors *fe, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True if field already has an error. */
bool fe_has(const struct field_errors *fe, const char *field);

enum jv_kind {
    JV_STRING,
    JV_INT,
    JV_BOOL
};

struct jv_field {
    const char *name;
    enum jv_kind kind;
    bool required;
    int max_len;   /* JV_STRING: most characters (bytes); 0 = 1000 */
    void *out;     /* const char ** (arena copy; NULL for JSON null), int64_t *, bool * */
    bool *present; /* may be NULL; set true if the key was in the object */
};

/* Checks obj against fields (ending with {NULL}); fills outs and adds errors.
 * Returns the number of errors added. Strings must be valid UTF-8 text. */
int jv_read(json_t *obj, const struct jv_field *fields, struct arena *a, struct field_errors *fe);

#endif
