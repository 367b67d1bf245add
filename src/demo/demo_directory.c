/* demo_directory.c — the demo region, its municipalities, organizations with
 * valid requisites, and a user of every role (docs/demo.md). */
#include "demo/demo.h"

#include "base/ident.h"
#include "directory/directory.h"

#include <stdio.h>
#include <string.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

static const char *const towns[] = {"Берёзовский", "Озёрный",    "Сосновский", "Каменский",
                                    "Луговой",     "Никольский", "Покровский", "Кедровый",
                                    "Светлый",     "Ольховский", "Дубровский", "Заозёрный"};
static const char *const surnames[] = {"Иванов", "Смирнов", "Кузнецов", "Попов",   "Васильев",
                                       "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров"};
static const char *const names[] = {"Алексей", "Сергей", "Андрей",  "Дмитрий", "Михаил",
                                    "Ольга",   "Елена",  "Наталья", "Ирина",   "Татьяна"};
static const char *const patronymics[] = {"Иванович",   "Петрович", "Сергеевич", "Николаевич",
                                          "Андреевич",  "Ивановна", "Петровна",  "Сергеевна",
                                          "Николаевна", "Андреевна"};
#define COUNT(a) (sizeof a / sizeof a[0])

static const char *person(struct demo_ctx *d)
{
    int k = (int)demo_below(d, COUNT(names));
    const char *sur = surnames[demo_below(d, COUNT(surnames))];
    bool female = k >= 5;
    /* Feminine surname: Иванов → Иванова. */
    return arena_printf(d->a, "%s%s %s %s", sur, female ? "а" : "", names[k],
                        patronymics[(female ? 5 : 0) + demo_below(d, 5)]);
}

static void digits(struct demo_ctx *d, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + demo_below(d, 10));
    out[n] = '\0';
}

/* Valid ИНН, КПП and ОГРН of a legal entity registered in region 99. */
static void requisites(struct demo_ctx *d, struct organization *o)
{
    char head[13], inn[11], ogrn[14];
    memcpy(head, "99", 2);
    digits(d, head + 2, 7);
    ident_inn10_complete(inn, head);
    memcpy(head, "10299", 5); /* ОГРН: legal entity, 2002, region 99 */
    digits(d, head + 5, 7);
    ident_ogrn_complete(ogrn, head);
    o->inn = arena_strdup(d->a, inn);
    o->ogrn = arena_strdup(d->a, ogrn);
    o->kpp = arena_printf(d->a, "%.4s01001", inn);
}

static int add_user(struct demo_ctx *d, const char *login, const char *role, int64_t mun,
                    int64_t org, struct err *e)
{
    struct user u = {.login = login,
                     .role = role,
                     .full_name = person(d),
                     .region_id = d->region_id,
                     .municipality_id = mun,
                     .org_id = org};
    u.email = arena_printf(d->a, "%s@demo.upravdom.local", login);
    d->rows++;
    return dir_user_create(d->c, &system_scope, &u, d->password_hash, d->a, e);
}

static int make_municipality(struct demo_ctx *d, int i, struct err *e)
{
    struct municipality m = {.region_id = d->region_id, .timezone = "Europe/Moscow"};
    if (i == 0) {
        m.name = "г. Светлогорск";
    } else if (i == 1) {
        m.name = "Заречный район";
        m.timezone = "Asia/Yekaterinburg"; /* so that two zones occur */
    } else {
        m.name = arena_printf(d->a, "%s %s", towns[(i - 2) % COUNT(towns)],
                              i % 2 ? "муниципальный округ" : "городской округ");
        if (i - 2 >= (int)COUNT(towns))
            m.name = arena_printf(d->a, "%s № %d", m.name, i);
    }
    m.oktmo = arena_printf(d->a, "99%06d", 701000 + i);
    d->rows++;
    int rc = dir_municipality_create(d->c, &system_scope, &m, d->a, e);
    d->municipality_ids[i] = m.id;
    return rc;
}

static const char *const org_kinds[] = {"uo", "rso", "eirc", "tko"};

/* Real banks' BICs and correspondent accounts (their keys check), so the
 * documents' QR codes carry details a bank app accepts. */
static const struct bank {
    const char *name, *bic, *corr;
} banks[] = {
    {"ПАО Сбербанк", "044525225", "30101810400000000225"},
    {"Банк ВТБ (ПАО)", "044525187", "30101810700000000187"},
    {"АО «Альфа-Банк»", "044525593", "30101810200000000593"},
    {"АО «ТБанк»", "044525974", "30101810145250000974"},
};

/* Bank details and the dispatch phone of organization k of municipality i,
 * from i and k alone (the generator's random sequence is left as it was):
 * a settlement account 40702810K… (a legal entity's, in rubles) with its
 * control key computed for the bank; the УО, РСО and ТКО operator run a
 * dispatch service, the ЕИРЦ does not. */
static void bank_details(struct demo_ctx *d, int i, int k, struct organization *o)
{
    const struct bank *b = &banks[(i + k) % (int)COUNT(banks)];
    char head[32], account[21]; /* head: 20 digits (room for what the format could write) */
    snprintf(head, sizeof head, "407028100%04d%07d", 99 * 10 + i % 10, 1000 * (i + 1) + k);
    if (ident_account_complete(account, head, b->bic) == 0) {
        o->bank_name = b->name;
        o->bic = b->bic;
        o->corr_account = b->corr;
        o->settlement_account = arena_strdup(d->a, account);
    }
    if (k != 2)
        o->dispatch_phone = arena_printf(d->a, "+7 (999) %03d-05-%02d", 100 + i, k);
}

static const char *org_name(struct demo_ctx *d, int k, const char *town)
{
    switch (k) {
    case 0: return arena_printf(d->a, "ООО «Управляющая компания «%s»»", town);
    case 1: return arena_printf(d->a, "АО «Водоканал %s»", town);
    case 2: return arena_printf(d->a, "АО «ЕИРЦ %s»", town);
    case 3: return arena_printf(d->a, "ООО «Регоператор ТКО %s»", town);
    default: return arena_printf(d->a, "ООО «Жилсервис-%d %s»", k - 3, town);
    }
}

static int make_orgs(struct demo_ctx *d, int i, struct err *e)
{
    const char *town = i == 0 ? "Светлогорск" : i == 1 ? "Заречье" : towns[(i - 2) % COUNT(towns)];
    for (int k = 0; k < d->opt.orgs_per_municipality; k++) {
        struct organization o = {.municipality_id = d->municipality_ids[i],
                                 .kind = org_kinds[k < 4 ? k : 0]};
        o.name = org_name(d, k, town);
        o.address = arena_printf(d->a, "%s, ул. Центральная, д. %d", town, k + 1);
        o.phone =
            arena_printf(d->a, "+7 (999) %03d-%02d-%02d", 100 + i, k, (int)demo_below(d, 100));
        requisites(d, &o);
        bank_details(d, i, k, &o);
        d->rows++;
        int rc = dir_org_create(d->c, &system_scope, &o, d->a, e);
        if (rc)
            return rc;
        d->org_ids[i * d->opt.orgs_per_municipality + k] = o.id;
    }
    return 0;
}

static int make_users(struct demo_ctx *d, struct err *e)
{
    static const char *const staff[] = {"uo1", "rso1", "eirc1", "tko1"};
    int rc = add_user(d, "admin", "admin", 0, 0, e);
    if (!rc)
        rc = add_user(d, "region", "region_operator", 0, 0, e);
    for (int i = 0; rc == 0 && i < d->opt.municipalities; i++) {
        int64_t mun = d->municipality_ids[i];
        rc = add_user(d, arena_printf(d->a, "mun%d", i + 1), "municipal_operator", mun, 0, e);
        for (int r = 0; rc == 0 && r < d->opt.residents; r++) {
            const char *login = r == 0 ? arena_printf(d->a, "resident%d", i + 1)
                                       : arena_printf(d->a, "resident%d-%d", i + 1, r + 1);
            rc = add_user(d, login, "resident", mun, 0, e);
        }
    }
    for (int k = 0; rc == 0 && k < 4; k++)
        rc = add_user(d, staff[k], "org_staff", 0, d->org_ids[k], e);
    if (rc == 0)
        rc = add_user(d, "uo2", "org_staff", 0, d->org_ids[d->opt.orgs_per_municipality], e);
    return rc;
}

int demo_stage_directory(struct demo_ctx *d, struct err *e)
{
    struct region reg = {
        .code = "99", .name = "Демонстрационная область", .timezone = "Europe/Moscow"};
    int rc = dir_region_create(d->c, &system_scope, &reg, e);
    if (rc)
        return rc;
    d->region_id = reg.id;
    d->rows++;
    int n = d->opt.municipalities, per = d->opt.orgs_per_municipality;
    d->municipality_ids = arena_alloc(d->a, sizeof(int64_t) * (size_t)n);
    d->org_ids = arena_alloc(d->a, sizeof(int64_t) * (size_t)(n * per));
    if (!d->municipality_ids || !d->org_ids)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && rc == 0; i++)
        if ((rc = make_municipality(d, i, e)) == 0)
            rc = make_orgs(d, i, e);
    return rc ? rc : make_users(d, e);
}
