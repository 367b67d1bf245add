/* font.c — the lean embedded font through hb-subset (font.h). */
#include "render/font.h"

#include <hb-subset.h>
#include <hb.h>
#include <stdlib.h>
#include <string.h>

/* What a payment document can hold; the rest of the font stays out. */
static const hb_codepoint_t ranges[][2] = {
    {0x0020, 0x007e}, /* ASCII */
    {0x00a0, 0x017f}, /* Latin-1 (« » ² ³ ·), Latin Extended-A (names: Ł, ź …) */
    {0x0400, 0x045f}, /* Cyrillic */
    {0x0490, 0x0491}, /* Ґ ґ */
    {0x2010, 0x2044}, /* dashes, quotes „ “ ”, ellipsis, bullets */
    {0x20ac, 0x20ac}, /* € */
    {0x20bd, 0x20bd}, /* ₽ */
    {0x2116, 0x2116}, /* № */
    {0x2212, 0x2212}, /* − */
    {0x2264, 0x2265}, /* ≤ ≥ */
};

/* libharu 2.3 refuses a TrueType font without these three tables
 * (HPDF_TTF_MISSING_TABLE); hb-subset without hinting drops them, so they
 * come back empty. */
static const char *const hinting[] = {"cvt ", "fpgm", "prep"};

/* The subset face's tables plus the empty hinting ones, as one font file. */
static hb_blob_t *with_hinting_tables(hb_face_t *sub)
{
    hb_blob_t *bytes = hb_face_reference_blob(sub);
    hb_face_t *face = hb_face_create(bytes, 0);
    hb_face_t *out = hb_face_builder_create();
    hb_tag_t tags[64];
    unsigned int n = 64;
    hb_face_get_table_tags(face, 0, &n, tags);
    for (unsigned int i = 0; i < n; i++) {
        hb_blob_t *t = hb_face_reference_table(face, tags[i]);
        hb_face_builder_add_table(out, tags[i], t);
        hb_blob_destroy(t);
    }
    static const char zero[4];
    hb_blob_t *empty = hb_blob_create(zero, sizeof zero, HB_MEMORY_MODE_READONLY, NULL, NULL);
    for (size_t i = 0; i < sizeof hinting / sizeof hinting[0]; i++) {
        hb_tag_t tag = hb_tag_from_string(hinting[i], 4);
        hb_blob_t *t = hb_face_reference_table(face, tag);
        if (!hb_blob_get_length(t))
            hb_face_builder_add_table(out, tag, empty);
        hb_blob_destroy(t);
    }
    hb_blob_destroy(empty);
    hb_blob_t *file = hb_face_reference_blob(out);
    hb_face_destroy(out);
    hb_face_destroy(face);
    hb_blob_destroy(bytes);
    return file;
}

int font_lean(const char *path, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    hb_blob_t *file = hb_blob_create_from_file_or_fail(path);
    if (!file)
        return -1;
    hb_face_t *face = hb_face_create(file, 0);
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    hb_face_t *sub = NULL;
    if (in) {
        hb_set_t *cps = hb_subset_input_unicode_set(in);
        for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
            hb_set_add_range(cps, ranges[i][0], ranges[i][1]);
        hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
        sub = hb_subset_or_fail(face, in);
        hb_subset_input_destroy(in);
    }
    int rc = -1;
    if (sub) {
        hb_blob_t *lean = with_hinting_tables(sub);
        unsigned int n = 0;
        const char *data = hb_blob_get_data(lean, &n);
        if (n > 12 && (*out = malloc(n)) != NULL) {
            memcpy(*out, data, n);
            *len = n;
            rc = 0;
        }
        hb_blob_destroy(lean);
        hb_face_destroy(sub);
    }
    hb_face_destroy(face);
    hb_blob_destroy(file);
    return rc;
}
