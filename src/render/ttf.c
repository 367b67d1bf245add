/* ttf.c — hinting instructions out of a TrueType font (ttf.h). The layout
 * of the tables is Apple's and Microsoft's "TrueType Reference" / OpenType
 * spec: big-endian, a table directory sorted by tag, 'loca' offsets into
 * 'glyf' (16-bit halves or 32-bit), simple glyphs with their instructions
 * after the contour ends, composite glyphs with theirs after the last
 * component (flag WE_HAVE_INSTRUCTIONS). */
#include "render/ttf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The tables libharu 2.3 writes into a PDF, in tag order. */
static const char *const keep[] = {"OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea",
                                   "hmtx", "loca", "maxp", "name", "post", "prep"};
#define NKEEP ((int)(sizeof keep / sizeof keep[0]))
enum {
    T_CMAP = 1,
    T_GLYF = 4,
    T_HEAD = 5,
    T_LOCA = 8,
    T_MAXP = 9,
    T_NAME = 10,
    T_POST = 11
};

/* Composite glyph flags. */
#define ARG_1_AND_2_ARE_WORDS 0x0001
#define WE_HAVE_A_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define WE_HAVE_AN_X_AND_Y_SCALE 0x0040
#define WE_HAVE_A_TWO_BY_TWO 0x0080
#define WE_HAVE_INSTRUCTIONS 0x0100

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i += 4) {
        unsigned char w[4] = {0};
        memcpy(w, p + i, n - i < 4 ? n - i : 4);
        sum += get32(w);
    }
    return sum;
}

struct table {
    const unsigned char *p;
    size_t n;
};

/* One glyph without its instructions into out (room for n bytes); returns
 * its new length, or -1 when the glyph does not parse. */
static long strip_glyph(const unsigned char *g, size_t n, unsigned char *out)
{
    if (n == 0)
        return 0;
    if (n < 10)
        return -1;
    int16_t contours = (int16_t)get16(g);
    if (contours >= 0) {
        size_t at = 10 + 2 * (size_t)contours; /* the instruction length */
        if (at + 2 > n)
            return -1;
        size_t ilen = get16(g + at);
        if (at + 2 + ilen > n)
            return -1;
        memcpy(out, g, at);
        put16(out + at, 0);
        memcpy(out + at + 2, g + at + 2 + ilen, n - at - 2 - ilen);
        return (long)(n - ilen);
    }
    size_t at = 10;
    uint16_t flags;
    memcpy(out, g, 10);
    do {
        if (at + 4 > n)
            return -1;
        flags = get16(g + at);
        size_t len = 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
        if (flags & WE_HAVE_A_SCALE)
            len += 2;
        else if (flags & WE_HAVE_AN_X_AND_Y_SCALE)
            len += 4;
        else if (flags & WE_HAVE_A_TWO_BY_TWO)
            len += 8;
        if (at + len > n)
            return -1;
        memcpy(out + at, g + at, len);
        put16(out + at, flags & ~WE_HAVE_INSTRUCTIONS);
        at += len;
    } while (flags & MORE_COMPONENTS);
    return (long)at;
}

/* New 'glyf' and 'loca' (same format as the font's) without instructions. */
static int strip_glyphs(struct table glyf, struct table loca, int long_loca, unsigned nglyphs,
                        unsigned char **nglyf, size_t *nglyf_len, unsigned char **nloca)
{
    size_t loca_len = (size_t)(nglyphs + 1) * (long_loca ? 4 : 2);
    if (loca.n < loca_len)
        return -1;
    /* Each glyph shrinks or stays, plus up to 3 bytes of padding. */
    unsigned char *g = malloc(glyf.n + 4 * (size_t)nglyphs + 4), *l = malloc(loca_len);
    if (!g || !l)
        goto fail;
    size_t at = 0;
    for (unsigned i = 0; i < nglyphs; i++) {
        size_t from = long_loca ? get32(loca.p + 4 * i) : 2 * (size_t)get16(loca.p + 2 * i);
        size_t to = long_loca ? get32(loca.p + 4 * i + 4) : 2 * (size_t)get16(loca.p + 2 * i + 2);
        if (from > to || to > glyf.n)
            goto fail;
        if (long_loca)
            put32(l + 4 * i, (uint32_t)at);
        else
            put16(l + 2 * i, (uint32_t)(at / 2));
        long len = strip_glyph(glyf.p + from, to - from, g + at);
        if (len < 0)
            goto fail;
        at += (size_t)len;
        while (at % (long_loca ? 4 : 2))
            g[at++] = 0;
    }
    if (long_loca)
        put32(l + 4 * nglyphs, (uint32_t)at);
    else
        put16(l + 2 * nglyphs, (uint32_t)(at / 2));
    *nglyf = g;
    *nglyf_len = at;
    *nloca = l;
    return 0;
fail:
    free(g);
    free(l);
    return -1;
}

/* The code points the lean font maps: Latin with its Western and Central
 * European letters, Cyrillic with the letters of Russia's other languages,
 * and the punctuation, currency and mathematical signs of U+2010–U+22FF
 * (– — « » „ “ … № ₽ − ≤ ≥). Everything else (ligatures, private-use
 * alternates) is drawn as a missing glyph. */
static const uint32_t ranges[][2] = {{0x20, 0x52F}, {0x2010, 0x22FF}};
#define NRANGES ((int)(sizeof ranges / sizeof ranges[0]))

/* The glyph of code point c in a format 4 cmap subtable (0: none). */
static unsigned cmap4_glyph(const unsigned char *sub, size_t len, uint32_t c)
{
    if (len < 14)
        return 0;
    unsigned seg = get16(sub + 6) / 2;
    if (16 + 8 * (size_t)seg > len)
        return 0;
    const unsigned char *end = sub + 14, *start = end + 2 * seg + 2, *delta = start + 2 * seg,
                        *ro = delta + 2 * seg;
    for (unsigned i = 0; i < seg; i++) {
        if (c > get16(end + 2 * i))
            continue;
        if (c < get16(start + 2 * i))
            return 0;
        unsigned r = get16(ro + 2 * i);
        if (r == 0)
            return (c + get16(delta + 2 * i)) & 0xFFFF;
        size_t at = (size_t)(ro + 2 * i - sub) + r + 2 * (c - get16(start + 2 * i));
        if (at + 2 > len)
            return 0;
        unsigned g = get16(sub + at);
        return g ? (g + get16(delta + 2 * i)) & 0xFFFF : 0;
    }
    return 0;
}

/* A new 'cmap': one Windows Unicode (3, 1) format 4 subtable with one
 * segment a range of `ranges` (glyphs through glyphIdArray, 0 in the gaps)
 * and the closing 0xFFFF. Few segments: libharu looks a code point up by
 * walking them, once for every code point of the BMP when a document loads
 * the font (for its widths), and for every character drawn. */
static int lean_cmap(struct table cmap, unsigned nglyphs, unsigned char **out, size_t *out_len)
{
    const unsigned char *sub = NULL;
    size_t sub_len = 0;
    if (cmap.n < 4)
        return -1;
    unsigned nsub = get16(cmap.p + 2);
    for (unsigned i = 0; i < nsub && 4 + 8 * (size_t)(i + 1) <= cmap.n; i++) {
        const unsigned char *r = cmap.p + 4 + 8 * i;
        size_t off = get32(r + 4);
        if (get16(r) == 3 && get16(r + 2) == 1 && off + 4 <= cmap.n && get16(cmap.p + off) == 4) {
            sub = cmap.p + off;
            sub_len = get16(sub + 2);
            if (off + sub_len > cmap.n)
                return -1;
        }
    }
    if (!sub)
        return -1;
    uint32_t lo[NRANGES], hi[NRANGES];
    size_t glyphs = 0;
    for (int k = 0; k < NRANGES; k++) {
        lo[k] = ranges[k][1] + 1;
        hi[k] = 0;
        for (uint32_t c = ranges[k][0]; c <= ranges[k][1]; c++)
            if (cmap4_glyph(sub, sub_len, c)) {
                if (lo[k] > c)
                    lo[k] = c;
                hi[k] = c;
            }
        if (hi[k] < lo[k])
            return -1;
        glyphs += hi[k] - lo[k] + 1;
    }
    unsigned seg = NRANGES + 1;
    size_t len = 16 + 8 * (size_t)seg + 2 * glyphs;
    unsigned char *o = calloc(1, 12 + len);
    if (!o || len > 0xFFFF) {
        free(o);
        return -1;
    }
    put16(o + 2, 1);  /* one subtable */
    put16(o + 4, 3);  /* Windows */
    put16(o + 6, 1);  /* Unicode BMP */
    put32(o + 8, 12); /* its offset */
    unsigned char *f = o + 12;
    put16(f, 4);
    put16(f + 2, (uint32_t)len);
    put16(f + 6, 2 * seg);
    unsigned sel = 0;
    while ((2u << sel) <= seg)
        sel++;
    put16(f + 8, 2u << sel);              /* searchRange */
    put16(f + 10, sel);                   /* entrySelector */
    put16(f + 12, 2 * seg - (2u << sel)); /* rangeShift */
    unsigned char *end = f + 14, *start = end + 2 * seg + 2, *delta = start + 2 * seg,
                  *ro = delta + 2 * seg, *ids = ro + 2 * seg;
    size_t at = 0; /* into glyphIdArray */
    for (unsigned k = 0; k < NRANGES; k++) {
        put16(end + 2 * k, hi[k]);
        put16(start + 2 * k, lo[k]);
        put16(ro + 2 * k, (uint32_t)(2 * (seg - k + at)));
        for (uint32_t c = lo[k]; c <= hi[k]; c++, at++) {
            unsigned g = cmap4_glyph(sub, sub_len, c);
            put16(ids + 2 * at, g < nglyphs ? g : 0);
        }
    }
    put16(end + 2 * NRANGES, 0xFFFF);
    put16(start + 2 * NRANGES, 0xFFFF);
    put16(delta + 2 * NRANGES, 1); /* 0xFFFF + 1: glyph 0 */
    *out = o;
    *out_len = 12 + len;
    return 0;
}

/* A new 'name' with the records of name IDs 0–6 only (copyright, family,
 * style, unique name, full name, version, PostScript name), as font
 * subsetters keep them (fontTools' default): the licence text stays in the
 * font file, not in every document. */
static int lean_name(struct table name, unsigned char **out, size_t *out_len)
{
    if (name.n < 6)
        return -1;
    unsigned count = get16(name.p + 2), strings = get16(name.p + 4);
    if (6 + 12 * (size_t)count > name.n || strings > name.n)
        return -1;
    unsigned char *o = malloc(name.n);
    if (!o)
        return -1;
    unsigned kept = 0;
    for (unsigned i = 0; i < count; i++)
        kept += get16(name.p + 6 + 12 * i + 6) <= 6;
    size_t at = 6 + 12 * (size_t)kept, str = at;
    unsigned k = 0;
    for (unsigned i = 0; i < count; i++) {
        const unsigned char *r = name.p + 6 + 12 * i;
        size_t len = get16(r + 8), off = strings + (size_t)get16(r + 10);
        if (get16(r + 6) > 6)
            continue;
        if (off + len > name.n) {
            free(o);
            return -1;
        }
        memcpy(o + 6 + 12 * k, r, 8);
        put16(o + 6 + 12 * k + 8, (uint32_t)len);
        put16(o + 6 + 12 * k + 10, (uint32_t)(at - str));
        memcpy(o + at, name.p + off, len);
        at += len;
        k++;
    }
    put16(o, 0);
    put16(o + 2, kept);
    put16(o + 4, (uint32_t)str);
    *out = o;
    *out_len = at;
    return 0;
}

int ttf_lean(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len)
{
    if (n < 12 || get32(in) != 0x00010000)
        return -1;
    unsigned ntables = get16(in + 4);
    if (12 + 16 * (size_t)ntables > n)
        return -1;
    struct table t[NKEEP] = {0};
    for (unsigned i = 0; i < ntables; i++) {
        const unsigned char *d = in + 12 + 16 * i;
        size_t off = get32(d + 8), len = get32(d + 12);
        if (off > n || len > n - off)
            return -1;
        for (int k = 0; k < NKEEP; k++)
            if (memcmp(d, keep[k], 4) == 0)
                t[k] = (struct table){in + off, len};
    }
    for (int k = 0; k < NKEEP; k++)
        if (!t[k].p)
            return -1;
    if (t[T_HEAD].n < 54 || t[T_MAXP].n < 6 || t[T_POST].n < 32)
        return -1;
    int long_loca = get16(t[T_HEAD].p + 50) != 0;
    unsigned nglyphs = get16(t[T_MAXP].p + 4);

    unsigned char *glyf = NULL, *loca = NULL, *post = NULL, *head = NULL, *o = NULL, *cmap = NULL,
                  *name = NULL;
    size_t glyf_len = 0, cmap_len = 0, name_len = 0;
    if (strip_glyphs(t[T_GLYF], t[T_LOCA], long_loca, nglyphs, &glyf, &glyf_len, &loca))
        return -1;
    if (lean_cmap(t[T_CMAP], nglyphs, &cmap, &cmap_len) || lean_name(t[T_NAME], &name, &name_len))
        goto fail;
    t[T_CMAP] = (struct table){cmap, cmap_len};
    t[T_NAME] = (struct table){name, name_len};
    t[T_GLYF] = (struct table){glyf, glyf_len};
    t[T_LOCA].n = (size_t)(nglyphs + 1) * (long_loca ? 4 : 2);
    t[T_LOCA].p = loca;
    /* 'post' 3.0: the header only, no glyph names (a CID font in a PDF
     * maps codes to glyphs by number). */
    post = malloc(32);
    head = malloc(t[T_HEAD].n);
    size_t dir = 12 + 16 * (size_t)NKEEP, total = dir;
    for (int k = 0; k < NKEEP; k++)
        total += (t[k].n + 3) & ~(size_t)3;
    o = calloc(1, total);
    if (!post || !head || !o)
        goto fail;
    memcpy(post, t[T_POST].p, 32);
    put32(post, 0x00030000);
    t[T_POST] = (struct table){post, 32};
    memcpy(head, t[T_HEAD].p, t[T_HEAD].n);
    put32(head + 8, 0); /* checkSumAdjustment: computed below */
    t[T_HEAD].p = head;

    put32(o, 0x00010000);
    put16(o + 4, NKEEP);
    unsigned sel = 0;
    while ((2u << sel) <= NKEEP)
        sel++;
    put16(o + 6, 16u << sel);                 /* searchRange */
    put16(o + 8, sel);                        /* entrySelector */
    put16(o + 10, NKEEP * 16 - (16u << sel)); /* rangeShift */
    size_t at = dir, head_at = 0;
    for (int k = 0; k < NKEEP; k++) {
        unsigned char *d = o + 12 + 16 * k;
        memcpy(d, keep[k], 4);
        put32(d + 4, checksum(t[k].p, t[k].n));
        put32(d + 8, (uint32_t)at);
        put32(d + 12, (uint32_t)t[k].n);
        memcpy(o + at, t[k].p, t[k].n);
        if (k == T_HEAD)
            head_at = at;
        at += (t[k].n + 3) & ~(size_t)3;
    }
    put32(o + head_at + 8, 0xB1B0AFBAu - checksum(o, total));
    free(glyf);
    free(loca);
    free(post);
    free(head);
    free(cmap);
    free(name);
    *out = o;
    *out_len = total;
    return 0;
fail:
    free(glyf);
    free(loca);
    free(post);
    free(head);
    free(cmap);
    free(name);
    free(o);
    return -1;
}
