/* import_premises.c — reading the extract of premises and rights
 * (`upravdom import premises`, docs/registry.md "Extract of premises and
 * rights"): its columns and words, the house each row names (resolve_house),
 * the check of a row's fields, and the grouping of rows per premises with the
 * rules that span rows (one type, area and cadastral number per premises, a
 * right not given twice, собственность as the only right, shares adding up to
 * at most 1). Writing the extract is import_write.c. */
#include "registry/import_impl.h"

#include "base/ident.h"
#include "base/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ premises file: reading */

const struct column premises_columns[P_NCOLS] = {
    [P_HOUSE] = {"дом", true},
    [P_NUMBER] = {"помещение", true},
    [P_KIND] = {"тип_помещения", true},
    [P_AREA] = {"площадь", true},
    [P_CADASTRAL] = {"кадастровый_номер"},
    [P_ENTRANCE] = {"подъезд"},
    [P_FLOOR] = {"этаж"},
    [P_OWNER] = {"собственник"},
    [P_OWNER_KIND] = {"вид_собственника"},
    [P_INN] = {"инн"},
    [P_RIGHT] = {"вид_права"},
    [P_SHARE] = {"доля"},
    [P_REG_NUMBER] = {"номер_регистрации"},
    [P_REG_DATE] = {"дата_регистрации"},
    [P_ENC] = {"обременение"},
    [P_ENC_NUMBER] = {"номер_обременения"},
    [P_ENC_DATE] = {"дата_обременения"},
};

/* The words of the file for the stored values (import_write.c) and the
 * stored value (index there) of each. */
static const char *const premises_kind_words[] = {"жилое",    "нежилое",     "машино-место",
                                                  "кладовая", "машиноместо", NULL};
static const unsigned char premises_kind_of[] = {1, 2, 3, 4, 3};
static const char *const owner_kind_words[] = {"фл", "юл", "публичное", NULL};
static const char *const right_type_words[] = {"собственность", "общая_долевая", "общая_совместная",
                                               "долевая",       "совместная",    NULL};
static const unsigned char right_type_of[] = {1, 2, 3, 2, 3};
enum {
    RT_OWN = 1,
    RT_SHARED = 2,
    RT_JOINT = 3,
    OK_PERSON = 1,
    OK_LEGAL = 2
};

bool group_eq(const void *v, const void *key)
{
    const struct pgroup *g = v;
    const struct gkey *k = key;
    return g->house == k->house && strcmp(g->number, k->number) == 0;
}

uint64_t group_hash(const struct phouse *h, const char *number)
{
    return hash_str(hash_bytes(HASH_SEED, &h, sizeof h), number);
}

/* The house named by key (cadastral number or FIAS GUID) for the current
 * row: *out is NULL, with an error recorded, when it is unknown or not ours. */
static int resolve_house(struct imp *m, struct pread *pr, const char *key, struct phouse **out)
{
    *out = NULL;
    bool guid = ident_fias_guid_valid(key, NULL);
    if (!guid && !ident_cadastral_valid(key, NULL))
        return ROW_ERROR(m, P_HOUSE, "дом: ожидается кадастровый номер или GUID ФИАС, а не «%s»",
                         key);
    char kbuf[256], *k = kbuf;
    size_t klen = strlen(key); /* valid identifiers are short */
    memcpy(kbuf, key, klen < sizeof kbuf ? klen + 1 : sizeof kbuf);
    kbuf[sizeof kbuf - 1] = '\0';
    for (char *p = k; guid && *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p + 32);
    bool fresh;
    struct found *f = cache_get(m, 'h', k, &fresh);
    if (!f)
        return ERR_NOMEM;
    if (fresh) {
        struct store_rows *r = NULL;
        struct store_conn *c = m->lookup ? m->lookup : m->c;
        int rc = guid ? store_query(c,
                                    "SELECT id, region_id, municipality_id, org_id FROM houses"
                                    " WHERE fias_guid = $1",
                                    (struct store_val[]){SV_T(k)}, 1, &r, m->e)
                      : store_query(c,
                                    "SELECT id, region_id, municipality_id, org_id FROM houses"
                                    " WHERE cadastral_number = $1 ORDER BY id LIMIT 1",
                                    (struct store_val[]){SV_T(k)}, 1, &r, m->e);
        if (rc == 0 && store_next(r)) {
            f->id = store_int(r, 0);
            f->region_id = store_int(r, 1);
            f->municipality_id = store_int(r, 2);
            f->org_id = store_isnull(r, 3) ? 0 : store_int(r, 3);
        }
        store_rows_free(r);
        if (rc)
            return rc;
        if (f->id && !may_touch(m->o->scope, f->region_id, f->municipality_id, f->org_id))
            f->id = -1;
        if (f->id > 0) {
            /* The same house may be named both ways in one file. */
            char idkey[24];
            snprintf(idkey, sizeof idkey, "%lld", (long long)f->id);
            struct found *byid = cache_get(m, 'i', idkey, &fresh);
            if (!byid)
                return ERR_NOMEM;
            if (fresh) {
                struct phouse *h = arena_alloc(m->a, sizeof *h);
                if (!h)
                    return err_set(m->e, ERR_NOMEM, "out of memory");
                *h = (struct phouse){.key = f->key,
                                     .id = f->id,
                                     .region_id = f->region_id,
                                     .municipality_id = f->municipality_id,
                                     .org_id = f->org_id};
                if (pr->last)
                    pr->last->next = h;
                else
                    pr->houses = h;
                pr->last = h;
                byid->house = h;
                m->res->houses++;
            }
            f->house = byid->house;
        }
    }
    if (f->id == 0)
        return ROW_ERROR(m, P_HOUSE,
                         "дом «%s» не найден в реестре: сначала загрузите его паспорт"
                         " (upravdom import houses)",
                         key);
    if (f->id < 0)
        return ROW_ERROR(m, P_HOUSE, "нет прав на дом «%s»", key);
    *out = f->house;
    return 0;
}

/* The premises number of the house, created on first sight. */
static struct pgroup *group_get(struct imp *m, struct pread *pr, struct phouse *h,
                                const char *number)
{
    struct gkey k = {h, number};
    uint64_t hash = group_hash(h, number);
    struct pgroup *g = ht_find(&pr->groups, hash, group_eq, &k);
    if (g)
        return g;
    if (!(g = arena_alloc(m->a, sizeof *g)) || !(g->number = arena_strdup(m->a, number)) ||
        ht_put(&pr->groups, hash, g)) {
        err_set(m->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->house = h;
    g->area = g->entrance = g->floor = NONE;
    g->share_den = 1;
    if (h->last)
        h->last->next = g;
    else
        h->groups = g;
    h->last = g;
    return g;
}

/* Copies the row's right into the arena as one block. */
static struct prow *new_row(struct imp *m, const struct prow *t)
{
    const char *const *src[] = {&t->owner,    &t->inn,        &t->reg_number, &t->reg_date,
                                &t->enc_kind, &t->enc_number, &t->enc_date};
    size_t need = sizeof(struct prow);
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
        need += *src[i] ? strlen(*src[i]) + 1 : 0;
    struct prow *r = arena_alloc(m->a, need);
    if (!r) {
        err_set(m->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    *r = *t;
    const char **dst[] = {&r->owner,    &r->inn,        &r->reg_number, &r->reg_date,
                          &r->enc_kind, &r->enc_number, &r->enc_date};
    char *p = (char *)(r + 1);
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
        if (!*src[i])
            continue;
        size_t n = strlen(*src[i]) + 1;
        memcpy(p, *src[i], n);
        *dst[i] = p;
        p += n;
    }
    return r;
}

static int add_orphan(struct imp *m, struct pread *pr)
{
    if (pr->norphans == pr->caporphans) {
        size_t cap = pr->caporphans ? pr->caporphans * 2 : 64;
        long *p = realloc(pr->orphans, sizeof *p * cap);
        if (!p)
            return err_set(m->e, ERR_NOMEM, "out of memory");
        pr->orphans = p;
        pr->caporphans = cap;
    }
    pr->orphans[pr->norphans++] = m->line;
    return 0;
}

/* The right columns of the current row: field checks into t. Returns a fatal
 * error code only; *ok tells whether the right is usable for the rules that
 * span rows. */
static int right_fields(struct imp *m, struct prow *t, bool *ok)
{
    const char **v = m->val;
    const char *why;
    int rc = 0;
    size_t errors = m->nerr;
    t->share_num = t->share_den = 1;
    t->owner_kind = OK_PERSON;
    if (!plain_text(v[P_OWNER], 500))
        rc = ROW_ERROR(m, P_OWNER, "собственник: недопустимые символы или длиннее 500 байт");
    if (rc == 0 && *v[P_OWNER_KIND]) {
        int k = word_index(v[P_OWNER_KIND], owner_kind_words);
        if (k < 0)
            rc = ROW_ERROR(m, P_OWNER_KIND,
                           "вид собственника: ожидается ФЛ, ЮЛ или публичное, а не «%s»",
                           v[P_OWNER_KIND]);
        else
            t->owner_kind = (unsigned char)(k + 1);
    }
    if (rc == 0 && *v[P_INN]) {
        size_t n = strlen(v[P_INN]);
        if (!ident_inn_valid(v[P_INN], &why))
            rc = ROW_ERROR(m, P_INN, "%s (ИНН «%s»)", why, v[P_INN]);
        else if (t->owner_kind == OK_LEGAL && n != 10)
            rc = ROW_ERROR(m, P_INN, "ИНН юридического лица — 10 цифр, а не «%s»", v[P_INN]);
        else if (t->owner_kind == OK_PERSON && n != 12)
            rc = ROW_ERROR(m, P_INN, "ИНН физического лица — 12 цифр, а не «%s»", v[P_INN]);
        else
            t->inn = v[P_INN];
    } else if (rc == 0 && t->owner_kind == OK_LEGAL) {
        rc = ROW_ERROR(m, field_no(m, P_INN) ? P_INN : P_OWNER_KIND,
                       "для юридического лица (ЮЛ) нужен ИНН");
    }
    if (rc == 0 && !*v[P_RIGHT]) {
        rc = ROW_ERROR(m, field_no(m, P_RIGHT) ? P_RIGHT : P_OWNER,
                       "не указан вид права (собственность, общая долевая, общая совместная)");
    } else if (rc == 0) {
        int k = word_index(v[P_RIGHT], right_type_words);
        if (k < 0)
            rc = ROW_ERROR(m, P_RIGHT,
                           "вид права: ожидается собственность, общая долевая или общая"
                           " совместная, а не «%s»",
                           v[P_RIGHT]);
        else
            t->right_type = right_type_of[k];
    }
    if (rc == 0 && t->right_type == RT_SHARED) {
        if (!*v[P_SHARE])
            rc = ROW_ERROR(m, field_no(m, P_SHARE) ? P_SHARE : P_RIGHT,
                           "для общей долевой собственности нужна доля (например 1/2)");
        else if (!parse_share(v[P_SHARE], &t->share_num, &t->share_den))
            rc = ROW_ERROR(m, P_SHARE, "доля: ожидается дробь от 0 до 1 вида 1/2, а не «%s»",
                           v[P_SHARE]);
    } else if (rc == 0 && *v[P_SHARE]) {
        int64_t n, d;
        if (!parse_share(v[P_SHARE], &n, &d) || n != d)
            rc = ROW_ERROR(m, P_SHARE,
                           "доля указывается только для общей долевой собственности, а здесь «%s»",
                           v[P_RIGHT]);
    }
    if (rc == 0 && !*v[P_REG_NUMBER])
        rc = ROW_ERROR(m, field_no(m, P_REG_NUMBER) ? P_REG_NUMBER : P_OWNER,
                       "не указан номер государственной регистрации права");
    else if (rc == 0 && !plain_text(v[P_REG_NUMBER], 100))
        rc = ROW_ERROR(m, P_REG_NUMBER,
                       "номер регистрации: недопустимые символы или длиннее 100 байт");
    else
        t->reg_number = v[P_REG_NUMBER];
    char *reg_date = m->reg_date, *enc_date = m->enc_date; /* copied by new_row */
    if (rc == 0 && !*v[P_REG_DATE])
        rc = ROW_ERROR(m, field_no(m, P_REG_DATE) ? P_REG_DATE : P_OWNER,
                       "не указана дата регистрации права");
    else if (rc == 0 && !parse_date(v[P_REG_DATE], reg_date))
        rc = ROW_ERROR(m, P_REG_DATE,
                       "дата регистрации: ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а не «%s»",
                       v[P_REG_DATE]);
    else
        t->reg_date = reg_date;
    if (rc == 0 && !*v[P_ENC] && (*v[P_ENC_NUMBER] || *v[P_ENC_DATE]))
        rc = ROW_ERROR(m, *v[P_ENC_NUMBER] ? P_ENC_NUMBER : P_ENC_DATE,
                       "указаны номер или дата обременения, но не его вид (столбец обременение)");
    if (rc == 0 && *v[P_ENC]) {
        if (!plain_text(v[P_ENC], 200))
            rc = ROW_ERROR(m, P_ENC, "обременение: недопустимые символы или длиннее 200 байт");
        else
            t->enc_kind = v[P_ENC];
        if (rc == 0 && *v[P_ENC_NUMBER]) {
            if (!plain_text(v[P_ENC_NUMBER], 100))
                rc = ROW_ERROR(m, P_ENC_NUMBER,
                               "номер обременения: недопустимые символы или длиннее 100 байт");
            else
                t->enc_number = v[P_ENC_NUMBER];
        }
        if (rc == 0 && *v[P_ENC_DATE]) {
            if (!parse_date(v[P_ENC_DATE], enc_date))
                rc = ROW_ERROR(m, P_ENC_DATE,
                               "дата обременения: ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а не «%s»",
                               v[P_ENC_DATE]);
            else
                t->enc_date = enc_date;
        }
    }
    t->owner = v[P_OWNER];
    *ok = m->nerr == errors;
    return rc;
}

/* The rules between the rows of one premises, checked on the row that breaks
 * them (docs/registry.md "Rules checked per file"). */
static int group_rules(struct imp *m, struct pgroup *g, const struct prow *t, bool right_ok,
                       unsigned char kind, int64_t area, const char *cadastral)
{
    const char **v = m->val;
    int rc = 0;
    if (kind && !g->kind) {
        g->kind = kind;
        g->kind_line = m->line;
    } else if (kind && kind != g->kind) {
        rc = ROW_ERROR(m, P_KIND, "тип помещения «%s» не совпадает с указанным в строке %ld",
                       v[P_KIND], g->kind_line);
    }
    if (rc == 0 && area != NONE && g->area == NONE) {
        g->area = area;
        g->area_line = m->line;
    } else if (rc == 0 && area != NONE && area != g->area) {
        char a1[MONEY_FMT_SIZE], a2[MONEY_FMT_SIZE];
        money_format(a1, sizeof a1, area);
        money_format(a2, sizeof a2, g->area);
        rc = ROW_ERROR(m, P_AREA, "площадь %s не совпадает с указанной в строке %ld (%s)", a1,
                       g->area_line, a2);
    }
    if (rc == 0 && cadastral && !g->cadastral) {
        if (!(g->cadastral = arena_strdup(m->a, cadastral)))
            return err_set(m->e, ERR_NOMEM, "out of memory");
        g->cad_line = m->line;
    } else if (rc == 0 && cadastral && strcmp(cadastral, g->cadastral) != 0) {
        rc = ROW_ERROR(m, P_CADASTRAL,
                       "кадастровый номер %s не совпадает с указанным в строке %ld (%s)", cadastral,
                       g->cad_line, g->cadastral);
    }
    if (rc || !right_ok)
        return rc;
    if (!t->right_type) {
        if (g->empty_line)
            return ROW_ERROR(m, P_NUMBER, "помещение «%s» уже указано в строке %ld", g->number,
                             g->empty_line);
        g->empty_line = m->line;
        return 0;
    }
    for (const struct prow *q = g->rows; q; q = q->next)
        if (q->right_type && q->reg_number && q->owner &&
            strcmp(q->reg_number, t->reg_number) == 0 && strcmp(q->owner, t->owner) == 0)
            return ROW_ERROR(m, P_REG_NUMBER,
                             "право № %s собственника «%s» на помещение «%s» уже указано в"
                             " строке %ld",
                             t->reg_number, t->owner, g->number, q->line);
    if (t->right_type == RT_OWN && g->first_right_line)
        return ROW_ERROR(m, P_RIGHT,
                         "собственность — единственное право на помещение, а у помещения «%s»"
                         " уже есть право в строке %ld",
                         g->number, g->first_right_line);
    if (t->right_type != RT_OWN && g->own_line)
        return ROW_ERROR(m, P_RIGHT,
                         "у помещения «%s» в строке %ld указана собственность — единственное"
                         " право на помещение",
                         g->number, g->own_line);
    if (t->right_type == RT_SHARED) {
        bool within = g->share_num <= g->share_den;
        if (!share_add(&g->share_num, &g->share_den, t->share_num, t->share_den))
            return ROW_ERROR(m, P_SHARE,
                             "сумма долей помещения «%s» не вычисляется: слишком"
                             " большие знаменатели",
                             g->number);
        if (within && g->share_num > g->share_den)
            return ROW_ERROR(m, P_SHARE, "сумма долей помещения «%s» больше 1: %s", g->number,
                             share_text(m->a, g->share_num, g->share_den));
    }
    if (!g->first_right_line)
        g->first_right_line = m->line;
    if (t->right_type == RT_OWN)
        g->own_line = m->line;
    return 0;
}

/* Checks one row of the extract and files it under its premises. */
int premises_row(struct imp *m, struct pread *pr)
{
    const char **v = m->val;
    const char *why;
    int rc = 0;
    struct phouse *h = NULL;
    if (!*v[P_HOUSE])
        rc = ROW_ERROR(m, P_HOUSE, "не указан дом (его кадастровый номер или ФИАС)");
    else
        rc = resolve_house(m, pr, v[P_HOUSE], &h);
    if (h && pr->pipe)
        pipe_row(m, pr->pipe, h);
    bool number_ok = false;
    if (rc == 0 && !*v[P_NUMBER])
        rc = ROW_ERROR(m, P_NUMBER, "не указан номер помещения");
    else if (rc == 0 && !plain_text(v[P_NUMBER], 50))
        rc = ROW_ERROR(m, P_NUMBER, "номер помещения: недопустимые символы или длиннее 50 байт");
    else
        number_ok = true;
    unsigned char kind = 0;
    if (rc == 0 && !*v[P_KIND]) {
        rc = ROW_ERROR(m, P_KIND, "не указан тип помещения");
    } else if (rc == 0) {
        int k = word_index(v[P_KIND], premises_kind_words);
        if (k < 0)
            rc = ROW_ERROR(m, P_KIND,
                           "тип помещения: ожидается жилое, нежилое, машино-место или кладовая,"
                           " а не «%s»",
                           v[P_KIND]);
        else
            kind = premises_kind_of[k];
    }
    int64_t area = NONE;
    if (rc == 0 && !*v[P_AREA])
        rc = ROW_ERROR(m, P_AREA, "не указана площадь помещения");
    else if (rc == 0 && (!parse_area(v[P_AREA], &area) || area == 0)) {
        area = NONE;
        rc = ROW_ERROR(m, P_AREA,
                       "площадь: ожидается число м² больше нуля с точностью до 0,01,"
                       " а не «%s»",
                       v[P_AREA]);
    }
    const char *cadastral = NULL;
    if (rc == 0 && *v[P_CADASTRAL]) {
        if (!ident_cadastral_valid(v[P_CADASTRAL], &why))
            rc = ROW_ERROR(m, P_CADASTRAL, "%s, а не «%s»", why, v[P_CADASTRAL]);
        else
            cadastral = v[P_CADASTRAL];
    }
    int64_t entrance = NONE, floor = NONE;
    if (rc == 0 && *v[P_ENTRANCE] && !parse_int(v[P_ENTRANCE], 0, 1000, &entrance))
        rc = ROW_ERROR(m, P_ENTRANCE, "подъезд: ожидается целое число от 0 до 1000, а не «%s»",
                       v[P_ENTRANCE]);
    if (rc == 0 && *v[P_FLOOR] && !parse_int(v[P_FLOOR], -20, 300, &floor))
        rc = ROW_ERROR(m, P_FLOOR, "этаж: ожидается целое число от -20 до 300, а не «%s»",
                       v[P_FLOOR]);

    struct prow t = {.line = m->line, .share_num = 1, .share_den = 1};
    bool right_ok = true;
    if (rc == 0 && *v[P_OWNER]) {
        rc = right_fields(m, &t, &right_ok);
    } else if (rc == 0) {
        static const int right_cols[] = {P_OWNER_KIND, P_INN, P_RIGHT,      P_SHARE,   P_REG_NUMBER,
                                         P_REG_DATE,   P_ENC, P_ENC_NUMBER, P_ENC_DATE};
        for (size_t i = 0; i < sizeof right_cols / sizeof right_cols[0]; i++)
            if (*v[right_cols[i]]) {
                rc = ROW_ERROR(m, right_cols[i],
                               "указаны сведения о праве, но не указан собственник");
                right_ok = false;
                break;
            }
    }
    if (rc)
        return rc;
    if (h && !number_ok)
        h->incomplete = true;
    if (!h || !number_ok)
        return add_orphan(m, pr);

    struct pgroup *g = group_get(m, pr, h, v[P_NUMBER]);
    if (!g)
        return ERR_NOMEM;
    if ((rc = group_rules(m, g, &t, right_ok && !m->row_bad, kind, area, cadastral)))
        return rc;
    if (entrance != NONE && g->entrance == NONE)
        g->entrance = entrance;
    if (floor != NONE && g->floor == NONE)
        g->floor = floor;
    struct prow *r = new_row(m, &t);
    if (!r)
        return ERR_NOMEM;
    if (g->last)
        g->last->next = r;
    else
        g->rows = r;
    g->last = r;
    g->nrows++;
    if (m->row_bad && !g->bad_line)
        g->bad_line = m->line;
    return 0;
}
