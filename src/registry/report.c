/* report.c — the house reports of docs/registry.md (basic, extended, ИЖД) as
 * tables, and the registry's data-quality figures. Column names are the
 * Russian ones users expect in exported files. */
#include "registry/registry.h"

#include "base/money.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *kind_ru(const char *k)
{
    static const char *const map[][2] = {{"residential", "жилое"},
                                         {"nonresidential", "нежилое"},
                                         {"parking", "машино-место"},
                                         {"storage", "кладовая"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], k) == 0)
            return map[i][1];
    return k;
}

static const char *right_ru(struct arena *a, const struct ownership *r)
{
    if (strcmp(r->right_type, "shared") == 0)
        return arena_printf(a, "общая долевая (%lld/%lld)", (long long)r->share_num,
                            (long long)r->share_den);
    return strcmp(r->right_type, "joint") == 0 ? "общая совместная" : "собственность";
}

static const char *area(struct arena *a, int64_t v)
{
    char buf[MONEY_FMT_SIZE];
    if (v == REG_NONE || money_format(buf, sizeof buf, v))
        return NULL;
    return arena_strdup(a, buf);
}

static const char *num(struct arena *a, int64_t v)
{
    return v == REG_NONE ? NULL : arena_printf(a, "%lld", (long long)v);
}

static int house_facts(struct table *t, const struct house *h, bool izd)
{
    struct arena *a = t->a;
    int rc = table_fact(t, "Адрес", h->address);
    rc |= table_fact(t, "Код ФИАС/ГАР", h->fias_guid);
    rc |= table_fact(t, "Кадастровый номер", h->cadastral_number);
    if (izd)
        return rc | table_fact(t, "Тип здания", "индивидуальный жилой дом") |
               table_fact(t, "Общая площадь, м²", area(a, h->total_area)) |
               table_fact(t, "Жилая площадь, м²", area(a, h->residential_area));
    rc |= table_fact(t, "Год постройки", num(a, h->year_built));
    rc |= table_fact(t, "Этажность", num(a, h->floors));
    rc |= table_fact(t, "Материал стен", h->wall_material);
    rc |= table_fact(t, "Общая площадь, м²", area(a, h->total_area));
    rc |= table_fact(t, "Жилая площадь, м²", area(a, h->residential_area));
    rc |= table_fact(t, "Нежилая площадь, м²", area(a, h->nonresidential_area));
    rc |= table_fact(t, "Количество нежилых помещений", num(a, h->nonresidential_count));
    rc |= table_fact(t, "Балконы", num(a, h->balconies));
    rc |= table_fact(t, "Лоджии", num(a, h->loggias));
    rc |= table_fact(t, "Аварийный", h->emergency ? "да" : "нет");
    rc |= table_fact(t, "ОДПУ", h->building_meters);
    rc |= table_fact(t, "Площадь общего имущества, м²", area(a, h->common_area));
    rc |= table_fact(t, "Подъезды", num(a, h->entrances));
    rc |= table_fact(t, "Внутридомовые системы", h->systems);
    return rc | table_fact(t, "Прочие характеристики", h->extra);
}

static const char *const basic_cols[] = {"Адрес помещения",
                                         "Кадастровый номер",
                                         "Тип помещения",
                                         "Площадь, м²",
                                         "ЕЛС",
                                         "Вид права",
                                         "Номер регистрации права",
                                         "Дата регистрации права",
                                         "Приборы учёта",
                                         "Число проживающих",
                                         "Число правообладателей",
                                         "Вид обременения",
                                         "Номер регистрации обременения",
                                         "Дата регистрации обременения"};
#define BASIC_NCOLS 9
#define EXTENDED_NCOLS 14

static const char *const izd_cols[] = {"Адрес",
                                       "Вид права",
                                       "Номер регистрации права",
                                       "Дата регистрации права",
                                       "Число проживающих",
                                       "Число правообладателей",
                                       "Вид обременения",
                                       "Номер регистрации обременения",
                                       "Дата регистрации обременения"};

/* Residents of a premises: the largest count among its accounts (each
 * supplier's account repeats the same people). */
static int64_t residents(const struct premises *p)
{
    int64_t n = 0;
    for (int i = 0; i < p->naccounts; i++)
        if (p->accounts[i].residents > n)
            n = p->accounts[i].residents;
    return n;
}

static int premises_rows(struct table *t, const struct house *h, const struct premises *p, bool izd)
{
    struct arena *a = t->a;
    const char *els = p->naccounts ? p->accounts[0].els : NULL;
    const char *who = arena_printf(a, "%lld", (long long)residents(p));
    const char *holders = arena_printf(a, "%d", p->nrights);
    const char *addr = izd ? h->address : arena_printf(a, "%s, пом. %s", h->address, p->number);
    int rc = 0;
    for (int i = 0; i < (p->nrights ? p->nrights : 1) && rc == 0; i++) {
        const struct ownership *r = p->nrights ? &p->rights[i] : NULL;
        const char *rt = r ? right_ru(a, r) : NULL, *rn = r ? r->reg_number : NULL;
        const char *rd = r ? r->reg_date : NULL, *en = r ? r->encumbrance : NULL;
        const char *enn = r ? r->enc_number : NULL, *end = r ? r->enc_date : NULL;
        if (izd) {
            const char *cells[] = {addr, rt, rn, rd, who, holders, en, enn, end};
            rc = table_row(t, cells);
        } else {
            const char *cells[] = {addr,
                                   p->cadastral_number,
                                   kind_ru(p->kind),
                                   area(a, p->area),
                                   els,
                                   rt,
                                   rn,
                                   rd,
                                   NULL,
                                   who,
                                   holders,
                                   en,
                                   enn,
                                   end};
            rc = table_row(t, cells);
        }
    }
    return rc;
}

int reg_report_house(struct store_conn *c, const struct store_scope *s, int64_t house_id,
                     enum reg_report kind, struct arena *a, struct table **out, struct err *e)
{
    struct house h;
    struct premises *items;
    int64_t n;
    int rc = reg_house_get(c, s, house_id, a, &h, e);
    if (rc)
        return rc;
    bool house_izd = strcmp(h.kind, "izd") == 0;
    if (kind == REPORT_AUTO)
        kind = house_izd ? REPORT_IZD : REPORT_BASIC;
    if (kind == REPORT_IZD && !house_izd)
        return err_field(e, ERR_INVALID, "type",
                         "отчёт ИЖД строится только для индивидуального жилого дома, а «%s» —"
                         " многоквартирный дом",
                         h.address);
    if ((rc = reg_house_premises(c, s, house_id, a, &items, &n, e)))
        return rc;
    bool izd = kind == REPORT_IZD;
    const char *title = izd ? "Отчёт по индивидуальному жилому дому"
                        : kind == REPORT_EXTENDED ? "Расширенный отчёт по дому"
                                                  : "Базовый отчёт по дому";
    *out = izd ? table_new(a, title, izd_cols, 9)
               : table_new(a, title, basic_cols,
                           kind == REPORT_EXTENDED ? EXTENDED_NCOLS : BASIC_NCOLS);
    if (!*out || house_facts(*out, &h, izd))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n && rc == 0; i++)
        rc = premises_rows(*out, &h, &items[i], izd);
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

int reg_house_find(struct store_conn *c, const struct store_scope *s, const char *cadastral,
                   const char *fias, int64_t *id, struct err *e)
{
    struct house_filter f = {.q = cadastral ? cadastral : fias};
    struct house *items;
    int64_t n, total;
    struct arena *a = arena_new();
    int rc = a ? reg_house_list(c, s, &f, (struct page){1, 50}, a, &items, &n, &total, e)
               : err_set(e, ERR_NOMEM, "out of memory");
    *id = 0;
    for (int64_t i = 0; rc == 0 && i < n && !*id; i++)
        if ((cadastral && items[i].cadastral_number &&
             strcmp(items[i].cadastral_number, cadastral) == 0) ||
            (fias && items[i].fias_guid && strcasecmp(items[i].fias_guid, fias) == 0))
            *id = items[i].id;
    arena_free(a);
    if (rc == 0 && !*id)
        rc = err_set(e, ERR_NOTFOUND, "дом не найден");
    return rc;
}
