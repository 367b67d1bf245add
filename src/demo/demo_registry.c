/* demo_registry.c — the demo region's registry (docs/demo.md "Registry"):
 * apartment buildings managed by each municipality's УО and individual houses,
 * their premises, ownership rights (sole, shared with exact shares, joint,
 * municipal, legal entities' non-residential premises), mortgages and
 * arrests, the ЕИРЦ's and the РСО's personal accounts with ЕЛС, recent owner
 * and area changes, and the demo residents' links to their flats.
 *
 * Data-quality gaps are deliberate: about 8% of premises have no cadastral
 * number and a few a malformed one, about 2% have no registered right, 2% of
 * the долевая ones miss a co-owner (shares short of 1), a few houses have no
 * cadastral number, a few accounts have no premises and about 1% of the
 * РСО's accounts no ЕЛС.
 *
 * Speed: the stage assigns the ids itself (continuing from the tables'
 * maximum, read once), so no row is ever read back, and writes every table
 * in batches within the stage's one transaction through the shared writer
 * (demo_bulk.h: multi-row INSERTs on SQLite with the foreign keys deferred to
 * the commit, unnest() arrays on PostgreSQL); the identity sequences are
 * moved past the ids at the end. The rows and ids are the same on both. */
#include "demo/demo.h"
#include "demo/demo_bulk.h"

#include "base/date.h"
#include "base/ident.h"
#include "base/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

/* ---------------------------------------------------------------- word lists */

static const char *const surnames[] = {
    "Иванов",   "Смирнов",    "Кузнецов",   "Попов",      "Васильев",   "Петров",
    "Соколов",  "Михайлов",   "Новиков",    "Фёдоров",    "Морозов",    "Волков",
    "Алексеев", "Лебедев",    "Семёнов",    "Егоров",     "Павлов",     "Козлов",
    "Степанов", "Николаев",   "Орлов",      "Андреев",    "Макаров",    "Никитин",
    "Захаров",  "Зайцев",     "Соловьёв",   "Борисов",    "Яковлев",    "Григорьев",
    "Романов",  "Воробьёв",   "Сергеев",    "Кузьмин",    "Фролов",     "Александров",
    "Дмитриев", "Королёв",    "Гусев",      "Киселёв",    "Ильин",      "Максимов",
    "Поляков",  "Сорокин",    "Виноградов", "Ковалёв",    "Белов",      "Медведев",
    "Антонов",  "Тарасов",    "Жуков",      "Баранов",    "Филиппов",   "Комаров",
    "Давыдов",  "Беляев",     "Герасимов",  "Богданов",   "Осипов",     "Сидоров",
    "Матвеев",  "Титов",      "Марков",     "Миронов",    "Крылов",     "Куликов",
    "Карпов",   "Власов",     "Мельников",  "Денисов",    "Гаврилов",   "Тихонов",
    "Казаков",  "Афанасьев",  "Данилов",    "Савельев",   "Тимофеев",   "Фомин",
    "Чернов",   "Абрамов",    "Мартынов",   "Ефимов",     "Щербаков",   "Назаров",
    "Калинин",  "Исаев",      "Быков",      "Маслов",     "Родионов",   "Коновалов",
    "Лазарев",  "Воронин",    "Климов",     "Голубев",    "Кудрявцев",  "Прохоров",
    "Журавлёв", "Овчинников", "Леонов",     "Соболев",    "Гончаров",   "Котов",
    "Громов",   "Кириллов",   "Малышев",    "Румянцев",   "Горбунов",   "Галкин",
    "Шевченко", "Бондаренко", "Ковальчук",  "Черных",     "Седых",      "Ким",
    "Мельник",  "Ковальский", "Вишневский", "Островский", "Покровский", "Толстой",
};

/* Male first names with the patronymics they give (son, daughter). */
static const struct {
    const char *name, *son, *daughter;
} men[] = {
    {"Александр", "Александрович", "Александровна"},
    {"Алексей", "Алексеевич", "Алексеевна"},
    {"Анатолий", "Анатольевич", "Анатольевна"},
    {"Андрей", "Андреевич", "Андреевна"},
    {"Антон", "Антонович", "Антоновна"},
    {"Артём", "Артёмович", "Артёмовна"},
    {"Борис", "Борисович", "Борисовна"},
    {"Вадим", "Вадимович", "Вадимовна"},
    {"Валерий", "Валерьевич", "Валерьевна"},
    {"Василий", "Васильевич", "Васильевна"},
    {"Виктор", "Викторович", "Викторовна"},
    {"Владимир", "Владимирович", "Владимировна"},
    {"Вячеслав", "Вячеславович", "Вячеславовна"},
    {"Геннадий", "Геннадьевич", "Геннадьевна"},
    {"Георгий", "Георгиевич", "Георгиевна"},
    {"Григорий", "Григорьевич", "Григорьевна"},
    {"Денис", "Денисович", "Денисовна"},
    {"Дмитрий", "Дмитриевич", "Дмитриевна"},
    {"Евгений", "Евгеньевич", "Евгеньевна"},
    {"Егор", "Егорович", "Егоровна"},
    {"Иван", "Иванович", "Ивановна"},
    {"Игорь", "Игоревич", "Игоревна"},
    {"Илья", "Ильич", "Ильинична"},
    {"Кирилл", "Кириллович", "Кирилловна"},
    {"Константин", "Константинович", "Константиновна"},
    {"Леонид", "Леонидович", "Леонидовна"},
    {"Максим", "Максимович", "Максимовна"},
    {"Михаил", "Михайлович", "Михайловна"},
    {"Никита", "Никитич", "Никитична"},
    {"Николай", "Николаевич", "Николаевна"},
    {"Олег", "Олегович", "Олеговна"},
    {"Павел", "Павлович", "Павловна"},
    {"Пётр", "Петрович", "Петровна"},
    {"Роман", "Романович", "Романовна"},
    {"Сергей", "Сергеевич", "Сергеевна"},
    {"Станислав", "Станиславович", "Станиславовна"},
    {"Степан", "Степанович", "Степановна"},
    {"Фёдор", "Фёдорович", "Фёдоровна"},
    {"Юрий", "Юрьевич", "Юрьевна"},
    {"Ярослав", "Ярославович", "Ярославовна"},
};

static const char *const women[] = {
    "Анна",      "Алла",   "Алина",    "Валентина", "Валерия", "Вера",      "Виктория",
    "Галина",    "Дарья",  "Евгения",  "Екатерина", "Елена",   "Елизавета", "Жанна",
    "Зоя",       "Ирина",  "Кристина", "Ксения",    "Лариса",  "Любовь",    "Людмила",
    "Маргарита", "Марина", "Мария",    "Надежда",   "Наталья", "Нина",      "Оксана",
    "Ольга",     "Полина", "Раиса",    "Светлана",  "Софья",   "Тамара",    "Татьяна",
    "Юлия",      "Яна",
};

/* Streets of apartment buildings, and of the private sector (ИЖД). */
static const char *const streets[] = {
    "ул. Ленина",          "ул. Советская",      "ул. Мира",
    "ул. Молодёжная",      "ул. Школьная",       "ул. Набережная",
    "ул. Гагарина",        "пр-т Победы",        "ул. Пушкина",
    "ул. Кирова",          "ул. Октябрьская",    "ул. Первомайская",
    "ул. Комсомольская",   "ул. Строителей",     "ул. Заводская",
    "ул. Зелёная",         "ул. Новая",          "ул. Чапаева",
    "ул. Горького",        "ул. Маяковского",    "ул. Лермонтова",
    "ул. Чехова",          "ул. Южная",          "ул. Северная",
    "ул. Солнечная",       "ул. Рабочая",        "ул. Энергетиков",
    "пр-т Космонавтов",    "ул. Юбилейная",      "ул. Спортивная",
    "ул. Железнодорожная", "ул. Калинина",       "ул. Фрунзе",
    "ул. Куйбышева",       "ул. Свердлова",      "ул. Жукова",
    "ул. 8 Марта",         "ул. 50 лет Октября", "б-р Металлургов",
    "ул. Дружбы",          "ул. Парковая",       "ул. Вокзальная",
    "ул. Мичурина",        "ул. Тургенева",      "ул. Есенина",
    "ул. Королёва",        "ул. Ломоносова",     "мкр. Северный",
};
static const char *const lanes[] = {
    "пер. Берёзовый",  "пер. Вишнёвый",  "ул. Озёрная",   "ул. Речная",    "ул. Рябиновая",
    "ул. Черёмуховая", "пер. Тихий",     "ул. Дачная",    "ул. Сиреневая", "пер. Майский",
    "ул. Ключевая",    "ул. Родниковая", "пер. Кленовый", "ул. Сосновая",  "ул. Кедровая",
    "ул. Заречная",    "пер. Овражный",  "ул. Подгорная", "ул. Цветочная", "пер. Светлый",
    "ул. Садовая",     "ул. Лесная",     "ул. Полевая",   "ул. Луговая",
};

/* Legal entities owning non-residential premises, and developers (СЗ). */
static const char *const firms[] = {
    "ООО «Ромашка»",
    "ООО «Альфа-Трейд»",
    "ООО «Северная звезда»",
    "ООО «Меридиан»",
    "АО «Гранит»",
    "ООО «Вектор»",
    "ООО «Аптека Здоровье»",
    "ООО «Продукты у дома»",
    "ООО «Стройкомплект»",
    "ООО «Техносервис»",
    "ООО «Пекарня Каравай»",
    "ООО «Оптика Взгляд»",
    "ООО «Цветочный двор»",
    "ООО «Юрбюро Право»",
    "ООО «Стоматология Улыбка»",
    "ООО «Салон Локон»",
    "АО «Торговый дом Восход»",
    "ООО «Фитнес Атлет»",
    "ООО «Книжный мир»",
    "ООО «Ветклиника Айболит»",
    "ООО «Кафе Встреча»",
    "ООО «Автозапчасти-Плюс»",
    "ООО «Ремонт обуви»",
    "ООО «Мебельный салон Уют»",
};
static const char *const developers[] = {
    "ООО «СЗ «Новый квартал»»", "ООО «СЗ «Северный город»»", "АО «СЗ «Домострой»»",
    "ООО «СЗ «Парковый»»",      "ООО «СЗ «Речной берег»»",
};

/* ------------------------------------------------------------- bulk writer */

#define MAXLINKS 32 /* demo residents linked to flats of one house */

/* ------------------------------------------------------------- the context */

enum {
    NFIRMS = COUNT(firms),
    NDEVS = COUNT(developers)
};

struct company {
    const char *name;
    char inn[11];
};

/* A walk along a street list: houses get increasing numbers on each street. */
struct walk {
    int street, left;
    int last[64];
};
_Static_assert(COUNT(streets) <= 64 && COUNT(lanes) <= 64, "struct walk: last[] too short");

struct mun {
    int index;
    int64_t id, rso, eirc;
    const char *place; /* address prefix */
    const char *oktmo;
    char admin[256], admin_inn[11];
    struct company firm[NFIRMS], dev[NDEVS];
    int64_t *res_id; /* demo resident users of the municipality, by id */
    const char **res_name;
    int nres;
    int64_t lat0, lon0;
    int eirc_start;             /* day the ЕИРЦ began issuing bills */
    int district, quarter, obj; /* cadastral: district, current quarter, last object */
    int64_t eirc_seq;
    struct walk mkd, izd;
};

/* A premises of the house being made. */
struct flat {
    char number[16];
    const char *kind;
    int64_t id, area;
    int entrance, floor; /* entrance 0: none; floor −1: underground (NULL for ИЖД) */
    char cad[48];        /* "" when none */
    bool cad_ok;         /* cad is well-formed */
};

struct house_ctx {
    int64_t id;
    int j; /* index within the municipality */
    int year, reg_lo, direct_day;
    bool direct, emergency;
};

struct gen {
    struct demo_ctx *d;
    struct store_conn *c;
    bool pg;
    int64_t now;
    int today, d2005, d2017, d2025;
    int64_t id_house, id_premises, id_right, id_enc, id_account, id_change;
    uint64_t els_n, els_b;
    struct demo_bulk houses, house_orgs, premises, rights, encs, accounts, links, changes;
    struct demo_writer w;
    struct flat *flats;
    int nflats;
    int nlinks; /* demo residents of the house being made */
    struct {
        int flat; /* index into flats */
        int64_t user;
        const char *name;
    } link[MAXLINKS];
};

#define FLAT_CAP 1024

/* The demo resident to link to flat fi of the house being made, or -1. */
static int link_of(const struct gen *g, int fi)
{
    for (int i = 0; i < g->nlinks; i++)
        if (g->link[i].flat == fi)
            return i;
    return -1;
}

static int R(struct gen *g, int n)
{
    return (int)demo_below(g->d, (uint64_t)n);
}

static int between(struct gen *g, int lo, int hi)
{
    return lo + R(g, hi - lo + 1);
}

static void day_text(int day, char out[DATE_STR_SIZE])
{
    struct date dt = date_civil_from_days(day);
    snprintf(out, DATE_STR_SIZE, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
}

static int day_of(int y, int m, int dd)
{
    return (int)date_days_from_civil((struct date){y, m, dd});
}

static void area_text(int64_t v, char *out, size_t n)
{
    snprintf(out, n, "%" PRId64 ".%02" PRId64, v / 100, v % 100);
}

/* The splitmix64 finalizer: a bijection of 64-bit numbers. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* ------------------------------------------------------------- writing rows */

#define TXT DEMO_TXT
#define VALS DEMO_VALS
#define PUT(b, ...) demo_put(&g->w, b, VALS(__VA_ARGS__), DEMO_NVALS(__VA_ARGS__), e)

static int tables(struct gen *g, struct err *e)
{
    g->houses = (struct demo_bulk){
        .ncols = 28,
        .one = "INSERT INTO houses (id, region_id, municipality_id, org_id, kind, address,"
               " address_search, fias_guid, cadastral_number, lat_e6, lon_e6, year_built, floors,"
               " wall_material, total_area, residential_area, nonresidential_area,"
               " nonresidential_count, balconies, loggias, emergency, common_area, entrances,"
               " building_meters, systems, extra, created_at, updated_at) VALUES ($1, $2, $3,"
               " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
               " $21, $22, $23, $24, $25, $26, $27, $28)",
        .many = "INSERT INTO houses (id, region_id, municipality_id, org_id, kind, address,"
                " address_search, fias_guid, cadastral_number, lat_e6, lon_e6, year_built, floors,"
                " wall_material, total_area, residential_area, nonresidential_area,"
                " nonresidential_count, balconies, loggias, emergency, common_area, entrances,"
                " building_meters, systems, extra, created_at, updated_at) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],"
                " $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[],"
                " $12::int[], $13::int[], $14::text[], $15::bigint[], $16::bigint[],"
                " $17::bigint[], $18::int[], $19::int[], $20::int[], $21::int[], $22::bigint[],"
                " $23::int[], $24::text[], $25::text[], $26::text[], $27::bigint[],"
                " $28::bigint[])"};
    g->house_orgs = (struct demo_bulk){
        .ncols = 3,
        .one = "INSERT INTO house_orgs (house_id, org_id, role) VALUES ($1, $2, $3)",
        .many = "INSERT INTO house_orgs (house_id, org_id, role) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::text[])"};
    g->premises = (struct demo_bulk){
        .ncols = 12,
        .one = "INSERT INTO premises (id, house_id, region_id, municipality_id, number, kind,"
               " area, cadastral_number, entrance, floor, created_at, updated_at) VALUES ($1, $2,"
               " $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        .many = "INSERT INTO premises (id, house_id, region_id, municipality_id, number, kind,"
                " area, cadastral_number, entrance, floor, created_at, updated_at) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],"
                " $6::text[], $7::bigint[], $8::text[], $9::int[], $10::int[], $11::bigint[],"
                " $12::bigint[])"};
    g->rights = (struct demo_bulk){
        .ncols = 15,
        .one = "INSERT INTO rights (id, premises_id, house_id, region_id, municipality_id,"
               " owner_kind, owner_name, owner_inn, right_type, share_num, share_den, reg_number,"
               " reg_date, end_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
               " $11, $12, $13, $14, $15)",
        .many = "INSERT INTO rights (id, premises_id, house_id, region_id, municipality_id,"
                " owner_kind, owner_name, owner_inn, right_type, share_num, share_den, reg_number,"
                " reg_date, end_date, created_at) SELECT * FROM unnest($1::bigint[],"
                " $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[],"
                " $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[],"
                " $14::text[], $15::bigint[])"};
    g->encs = (struct demo_bulk){
        .ncols = 5,
        .one = "INSERT INTO encumbrances (id, right_id, kind, reg_number, reg_date)"
               " VALUES ($1, $2, $3, $4, $5)",
        .many = "INSERT INTO encumbrances (id, right_id, kind, reg_number, reg_date) SELECT *"
                " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])"};
    g->accounts = (struct demo_bulk){
        .ncols = 13,
        .one = "INSERT INTO accounts (id, els, number, premises_id, house_id, org_id, region_id,"
               " municipality_id, payer_name, residents, opened_on, closed_on, created_at)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        .many = "INSERT INTO accounts (id, els, number, premises_id, house_id, org_id, region_id,"
                " municipality_id, payer_name, residents, opened_on, closed_on, created_at)"
                " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[],"
                " $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::int[],"
                " $11::text[], $12::text[], $13::bigint[])"};
    g->links = (struct demo_bulk){
        .ncols = 2,
        .one = "INSERT INTO resident_premises (user_id, premises_id) VALUES ($1, $2)",
        .many = "INSERT INTO resident_premises (user_id, premises_id) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[])"};
    g->changes = (struct demo_bulk){
        .ncols = 11,
        .one = "INSERT INTO registry_changes (id, region_id, municipality_id, house_id,"
               " premises_id, kind, old_value, new_value, changed_on, source, at) VALUES ($1, $2,"
               " $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        .many = "INSERT INTO registry_changes (id, region_id, municipality_id, house_id,"
                " premises_id, kind, old_value, new_value, changed_on, source, at) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],"
                " $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])"};
    /* Parents before children, for the foreign keys. */
    struct demo_bulk *const all[] = {&g->houses, &g->house_orgs, &g->premises, &g->rights,
                                     &g->encs,   &g->accounts,   &g->links,    &g->changes};
    return demo_writer_init(&g->w, g->c, &g->d->rows, all, COUNT(all), e);
}

/* The largest id of each table, so that ours follow (the database is new). */
static int read_ids(struct gen *g, struct err *e)
{
    int rc =
        store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM houses", NULL, 0, &g->id_house, e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM premises", NULL, 0,
                             &g->id_premises, e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM rights", NULL, 0, &g->id_right,
                             e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM encumbrances", NULL, 0,
                             &g->id_enc, e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM accounts", NULL, 0,
                             &g->id_account, e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM registry_changes", NULL, 0,
                             &g->id_change, e);
    return rc;
}

/* PostgreSQL: identity sequences past the ids given explicitly. */
static int move_sequences(struct gen *g, struct err *e)
{
    static const char *const sql[] = {
        "SELECT setval(pg_get_serial_sequence('houses', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM houses), false)",
        "SELECT setval(pg_get_serial_sequence('premises', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM premises), false)",
        "SELECT setval(pg_get_serial_sequence('rights', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM rights), false)",
        "SELECT setval(pg_get_serial_sequence('encumbrances', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM encumbrances), false)",
        "SELECT setval(pg_get_serial_sequence('accounts', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM accounts), false)",
        "SELECT setval(pg_get_serial_sequence('registry_changes', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM registry_changes), false)",
    };
    for (int i = 0; i < COUNT(sql); i++) {
        int rc = store_exec(g->c, sql[i], NULL, 0, NULL, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ identifiers */

/* ЕЛС: region 99, two Latin letters, six digits («ЦЦББЦЦЦЦЦЦ», DOMAIN.md §4):
 * the number v < 676·10⁶ behind the letters and digits is unique — the
 * block of 1000 consecutive accounts gets a permuted prefix v div 1000, the
 * account a permuted v mod 1000 within it. Random-looking, yet the unique
 * index is filled one neighbourhood at a time, which keeps inserts fast. */
static unsigned perm1024(unsigned x, unsigned key)
{
    x = ((x ^ (x >> 5)) * 709u + key) & 1023u;
    return ((x ^ (x >> 4)) * 361u) & 1023u;
}

static void next_els(struct gen *g, char out[11])
{
    uint64_t n = g->els_n++, block = (n / 1000 * 387421u + g->els_b) % 676000u;
    unsigned k = (unsigned)(n % 1000);
    do /* cycle-walking: a permutation of 0..1023 restricted to 0..999 */
        k = perm1024(k, (unsigned)g->els_b);
    while (k >= 1000);
    uint64_t v = block * 1000 + k;
    int l = (int)(v / 1000000);
    snprintf(out, 11, "99%c%c%06d", (char)('A' + l / 26), (char)('A' + l % 26), (int)(v % 1000000));
}

/* A FIAS GUID, unique by construction: all 64 bits of mix64(serial) appear. */
static void fias_guid(struct gen *g, int64_t serial, char out[37])
{
    uint64_t h1 = mix64(g->d->opt.seed * 0x9e3779b97f4a7c15u + (uint64_t)serial);
    uint64_t h2 = mix64(h1 ^ 0x5851f42d4c957f2du);
    snprintf(out, 37, "%08x-%04x-4%03x-%x%03x-%04x%08x", (unsigned)(h1 >> 32),
             (unsigned)(h1 >> 16 & 0xffff), (unsigned)(h2 & 0xfff), (unsigned)(8 + (h2 >> 12 & 3)),
             (unsigned)(h2 >> 14 & 0xfff), (unsigned)(h1 & 0xffff), (unsigned)(h2 >> 32));
}

static void digits(struct gen *g, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + R(g, 10));
}

static void inn10(struct gen *g, char out[11])
{
    char head[9] = {'9', '9'};
    digits(g, head + 2, 7);
    ident_inn10_complete(out, head);
}

static void inn12(struct gen *g, char out[13])
{
    char head[10] = {'9', '9'};
    digits(g, head + 2, 8);
    ident_inn12_complete(out, head);
}

static void cadastral(const struct mun *mu, int obj, char *out, size_t n)
{
    snprintf(out, n, "99:%02d:%07d:%d", mu->district, 100000 * (1 + mu->index / 99) + mu->quarter,
             obj);
}

/* ------------------------------------------------------------------ people */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && memcmp(s + n - t, tail, t) == 0;
}

/* Иванов → Иванова, Ковальский → Ковальская, Толстой → Толстая, Черных → Черных. */
static void surname(const char *s, bool female, char *out, size_t n)
{
    size_t len = strlen(s);
    if (female && (ends_with(s, "ий") || ends_with(s, "ой") || ends_with(s, "ый")))
        snprintf(out, n, "%.*sая", (int)(len - strlen("ий")), s);
    else if (female && (ends_with(s, "ов") || ends_with(s, "ев") || ends_with(s, "ёв") ||
                        ends_with(s, "ин") || ends_with(s, "ын")))
        snprintf(out, n, "%sа", s);
    else
        snprintf(out, n, "%s", s);
}

struct person {
    char name[160];
    char inn[13]; /* "" when not known */
    int sur, first;
    bool female;
};

static void person_make(struct gen *g, struct person *p, int sur, bool female, int first,
                        int father)
{
    char s[64];
    surname(surnames[sur], female, s, sizeof s);
    snprintf(p->name, sizeof p->name, "%s %s %s", s, female ? women[first] : men[first].name,
             female ? men[father].daughter : men[father].son);
    p->sur = sur;
    p->first = first;
    p->female = female;
    p->inn[0] = '\0';
    if (R(g, 4) == 0)
        inn12(g, p->inn);
}

static void person_any(struct gen *g, struct person *p)
{
    bool female = R(g, 2);
    int sur = R(g, COUNT(surnames));
    int first = female ? R(g, COUNT(women)) : R(g, COUNT(men));
    person_make(g, p, sur, female, first, R(g, COUNT(men)));
}

/* A family: husband, wife, then children (patronymic from the husband). */
static void family(struct gen *g, struct person *p, int n)
{
    int sur = R(g, COUNT(surnames));
    int husband = R(g, COUNT(men));
    person_make(g, &p[0], sur, false, husband, R(g, COUNT(men)));
    if (n > 1)
        person_make(g, &p[1], sur, true, R(g, COUNT(women)), R(g, COUNT(men)));
    for (int i = 2; i < n; i++) {
        bool female = R(g, 2);
        person_make(g, &p[i], sur, female, female ? R(g, COUNT(women)) : R(g, COUNT(men)), husband);
    }
}

/* ----------------------------------------------------------- registrations */

/* A state registration: its date and the parts of its number. Since 2017
 * (ЕГРН) the number is the object's cadastral number + "-99/NNN/YYYY-K";
 * before, and for objects without a known cadastral number, the ЕГРП form
 * "99-99-NN/NNN/YYYY-NNN". */
struct reg {
    int day, office, book, num;
};

static void reg_draw(struct gen *g, struct reg *r, int lo, int hi)
{
    r->day = lo >= hi ? lo : between(g, lo, hi);
    r->office = 1 + R(g, 60);
    r->book = 1 + R(g, 400);
    r->num = 1 + R(g, 900);
}

static void reg_text(const struct gen *g, const struct flat *f, const struct reg *r, int k,
                     char *out, size_t n)
{
    int y = date_civil_from_days(r->day).y;
    if (f->cad_ok && r->day >= g->d2017)
        snprintf(out, n, "%s-99/%03d/%04d-%d", f->cad, r->office, y, 1 + (r->num % 3) + k);
    else
        snprintf(out, n, "99-99-%02d/%03d/%04d-%d", r->office % 40 + 1, r->book, y, r->num + k);
}

struct owner {
    const char *kind; /* person, legal, public */
    const char *name, *inn;
    const char *type; /* own, shared, joint */
    int num, den;
};

static int put_right(struct gen *g, const struct mun *mu, const struct house_ctx *h,
                     const struct flat *f, const struct owner *o, const struct reg *r, int k,
                     const char *end, int64_t *id, struct err *e)
{
    char regno[96], date[DATE_STR_SIZE];
    reg_text(g, f, r, k, regno, sizeof regno);
    day_text(r->day, date);
    *id = ++g->id_right;
    return PUT(&g->rights, SV_I(*id), SV_I(f->id), SV_I(h->id), SV_I(g->d->region_id), SV_I(mu->id),
               SV_T(o->kind), SV_T(o->name), SV_T(o->inn && *o->inn ? o->inn : NULL), SV_T(o->type),
               SV_I(o->num), SV_I(o->den), TXT(regno), TXT(date), SV_T(end), SV_I(g->now));
}

/* A mortgage (or, rarely, an arrest) on a person's right. */
static int maybe_encumber(struct gen *g, const struct house_ctx *h, const struct flat *f,
                          const struct reg *r, int k, int64_t right_id, struct err *e)
{
    int u = R(g, 1000);
    bool mortgage = r->day >= day_of(2008, 1, 1) && u < (h->year >= 2006 ? 90 : 30);
    bool arrest = !mortgage && u >= 995;
    if (!mortgage && !arrest)
        return 0;
    struct reg er = *r;
    if (arrest)
        reg_draw(g, &er, r->day + 30, g->d2025 > r->day + 30 ? g->d2025 : r->day + 30);
    char regno[96], date[DATE_STR_SIZE];
    reg_text(g, f, &er, mortgage ? k + 1 : k, regno, sizeof regno);
    day_text(er.day, date);
    return PUT(&g->encs, SV_I(++g->id_enc), SV_I(right_id), SV_T(mortgage ? "ипотека" : "арест"),
               TXT(regno), TXT(date));
}

/* ---------------------------------------------------------------- accounts */

static int put_account(struct gen *g, const struct mun *mu, const struct house_ctx *h,
                       const struct flat *f, int64_t org, const char *number, bool els,
                       const char *payer, int residents, int opened, int closed, struct err *e)
{
    char e10[11], op[DATE_STR_SIZE], cl[DATE_STR_SIZE];
    if (els)
        next_els(g, e10);
    day_text(opened, op);
    if (closed)
        day_text(closed, cl);
    return PUT(&g->accounts, SV_I(++g->id_account), els ? TXT(e10) : SV_NULLV, SV_T(number),
               SV_ID(f ? f->id : 0), SV_I(h->id), SV_I(org), SV_I(g->d->region_id), SV_I(mu->id),
               SV_T(payer), SV_I(residents), TXT(op), closed ? TXT(cl) : SV_NULLV, SV_I(g->now));
}

static int eirc_account(struct gen *g, struct mun *mu, const struct house_ctx *h,
                        const struct flat *f, const char *payer, int residents, int opened,
                        int closed, struct err *e)
{
    char number[32];
    snprintf(number, sizeof number, "%02d%08" PRId64, mu->index % 99 + 1, ++mu->eirc_seq);
    if (opened < mu->eirc_start)
        opened = mu->eirc_start;
    return put_account(g, mu, h, f, mu->eirc, number, true, payer, residents, opened, closed, e);
}

static int residents_of(struct gen *g, int64_t area)
{
    static const int w[] = {10, 25, 30, 20, 10, 5};
    int u = R(g, 100), n = 0;
    while (n < 5 && u >= w[n])
        u -= w[n++];
    return area < 3500 && n > 3 ? 3 : n;
}

/* ------------------------------------------------------------------ rights */

/* Shared ownership (общая долевая): the shares of a composition add up to 1. */
static const struct {
    int n, num[4], den[4], weight;
} shares[] = {
    {2, {1, 1}, {2, 2}, 35},
    {2, {1, 2}, {3, 3}, 10},
    {2, {1, 3}, {4, 4}, 8},
    {3, {1, 1, 1}, {3, 3, 3}, 12},
    {3, {1, 1, 1}, {2, 4, 4}, 15},
    {4, {1, 1, 1, 1}, {4, 4, 4, 4}, 12},
    {4, {1, 1, 1, 1}, {2, 6, 6, 6}, 8},
};

/* The latest registration date: premises without a (well-formed) cadastral
 * number were registered before the ЕГРН of 2017 gave every object one. */
static int reg_hi(const struct gen *g, const struct flat *f)
{
    return f->cad_ok ? g->d2025 : g->d2017 - 1;
}

static int today_minus(struct gen *g, int max_days)
{
    return g->today - 1 - R(g, max_days);
}

static int change_row(struct gen *g, const struct mun *mu, const struct house_ctx *h,
                      const struct flat *f, const char *kind, const char *old, const char *new,
                      int day, struct err *e)
{
    char date[DATE_STR_SIZE], source[64];
    day_text(day, date);
    snprintf(source, sizeof source, "egrn-%s-%.7s.csv", mu->oktmo, date);
    return PUT(&g->changes, SV_I(++g->id_change), SV_I(g->d->region_id), SV_I(mu->id), SV_I(h->id),
               SV_I(f->id), SV_T(kind), SV_T(old), SV_T(new), TXT(date), TXT(source),
               SV_I((int64_t)day * 86400 + 6 * 3600 + R(g, 36000)));
}

/* Rights, accounts and changes of a flat (or of an individual house). */
static int residential(struct gen *g, struct mun *mu, const struct house_ctx *h, struct flat *f,
                       int fi, struct err *e)
{
    struct person p[4];
    struct owner o = {.kind = "person", .type = "own", .num = 1, .den = 1};
    struct reg r;
    char end[DATE_STR_SIZE];
    const char *payer = NULL;
    int64_t rid;
    int rc = 0, opened = 0, closed_day = 0;
    int li = link_of(g, fi);
    bool linked = li >= 0;
    int u = linked ? 999 : R(g, 1000);
    int public_share = h->emergency ? 250 : 30;
    char old_payer[160] = "";

    if (u < 20) { /* no registered right: a data-quality gap */
        person_any(g, &p[0]);
        payer = p[0].name;
        opened = between(g, mu->eirc_start, g->d2025);
    } else if (u < 20 + public_share) { /* municipal flat, let to a tenant */
        reg_draw(g, &r, h->reg_lo, reg_hi(g, f));
        o = (struct owner){"public", mu->admin, mu->admin_inn, "own", 1, 1};
        rc = put_right(g, mu, h, f, &o, &r, 0, NULL, &rid, e);
        person_any(g, &p[0]);
        payer = p[0].name;
        opened = between(g, mu->eirc_start, g->d2025);
    } else if (u < 220 + public_share) { /* общая долевая */
        int w = R(g, 100), s = 0;
        while (w >= shares[s].weight)
            w -= shares[s++].weight;
        if (R(g, 5) == 0) /* heirs, buyers: not one family */
            for (int i = 0; i < shares[s].n; i++)
                person_any(g, &p[i]);
        else
            family(g, p, shares[s].n);
        reg_draw(g, &r, h->reg_lo, reg_hi(g, f));
        /* 2%: the last co-owner's share is not registered, so the shares
         * fall short of 1 (a data-quality gap). */
        int n = R(g, 50) ? shares[s].n : shares[s].n - 1;
        for (int i = 0; rc == 0 && i < n; i++) {
            o = (struct owner){"person", p[i].name,        p[i].inn,
                               "shared", shares[s].num[i], shares[s].den[i]};
            rc = put_right(g, mu, h, f, &o, &r, i, NULL, &rid, e);
            if (rc == 0 && i == 0)
                rc = maybe_encumber(g, h, f, &r, shares[s].n, rid, e);
        }
        payer = p[0].name;
        opened = r.day;
    } else if (u < 320 + public_share) { /* общая совместная: spouses, each a whole */
        family(g, p, 2);
        reg_draw(g, &r, h->reg_lo, reg_hi(g, f));
        for (int i = 0; rc == 0 && i < 2; i++) {
            o = (struct owner){"person", p[i].name, p[i].inn, "joint", 1, 1};
            rc = put_right(g, mu, h, f, &o, &r, 0, NULL, &rid, e);
            if (rc == 0 && i == 0)
                rc = maybe_encumber(g, h, f, &r, 0, rid, e);
        }
        payer = p[R(g, 2)].name;
        opened = r.day;
    } else {                                          /* собственность of one person */
        bool sold = !linked && f->cad_ok && u >= 996; /* bought in the last months */
        if (linked) {
            snprintf(p[0].name, sizeof p[0].name, "%s", g->link[li].name);
            p[0].inn[0] = '\0';
        } else {
            person_any(g, &p[0]);
        }
        reg_draw(g, &r, h->reg_lo, reg_hi(g, f));
        if (sold && (closed_day = today_minus(g, 180)) < r.day + 30)
            sold = false; /* (the demo is generated before 2026) */
        if (sold) {
            day_text(closed_day, end);
            o = (struct owner){"person", p[0].name, p[0].inn, "own", 1, 1};
            rc = put_right(g, mu, h, f, &o, &r, 0, end, &rid, e);
            snprintf(old_payer, sizeof old_payer, "%s", p[0].name);
            if (rc == 0)
                rc = eirc_account(g, mu, h, f, old_payer, residents_of(g, f->area), r.day,
                                  closed_day, e);
            person_any(g, &p[0]);
            reg_draw(g, &r, closed_day, closed_day);
            if (rc == 0)
                rc = change_row(g, mu, h, f, "owner", old_payer, p[0].name, closed_day, e);
        }
        o = (struct owner){"person", p[0].name, p[0].inn, "own", 1, 1};
        if (rc == 0)
            rc = put_right(g, mu, h, f, &o, &r, 0, NULL, &rid, e);
        if (rc == 0)
            rc = maybe_encumber(g, h, f, &r, 0, rid, e);
        payer = p[0].name;
        opened = r.day;
    }
    if (rc)
        return rc;

    /* Area corrected by a recent extract (перепланировка, обмер). */
    if (!linked && R(g, 1000) < 3) {
        char was[32], is[32];
        int64_t old = f->area + (R(g, 2) ? 1 : -1) * (10 + R(g, 290));
        area_text(old, was, sizeof was);
        area_text(f->area, is, sizeof is);
        if ((rc = change_row(g, mu, h, f, "area", was, is, today_minus(g, 180), e)))
            return rc;
    }

    int residents = residents_of(g, f->area);
    if (linked && residents == 0)
        residents = 1;
    if ((rc = eirc_account(g, mu, h, f, payer, residents, opened, 0, e)))
        return rc;
    if (h->direct) {
        char number[32];
        snprintf(number, sizeof number, "%d-%d", h->j + 1, fi + 1);
        bool els = linked || R(g, 100) != 0;
        if ((rc = put_account(g, mu, h, f, mu->rso, number, els, payer, residents,
                              opened > h->direct_day ? opened : h->direct_day, 0, e)))
            return rc;
    }
    if (linked)
        rc = PUT(&g->links, SV_I(g->link[li].user), SV_I(f->id));
    return rc;
}

/* Rights of a non-residential premises, parking place or storeroom. */
static int nonresidential(struct gen *g, struct mun *mu, const struct house_ctx *h,
                          const struct flat *f, int developer, struct err *e)
{
    int u = R(g, 100);
    struct person p;
    struct owner o = {.type = "own", .num = 1, .den = 1};
    bool shop = strcmp(f->kind, "nonresidential") == 0;
    if (u < 5)
        return 0; /* no registered right */
    if (shop ? u < 70 : u < 25) {
        const struct company *c = shop ? &mu->firm[R(g, NFIRMS)] : &mu->dev[developer];
        o.kind = "legal";
        o.name = c->name;
        o.inn = c->inn;
    } else if (shop && u < 80) {
        o.kind = "public";
        o.name = mu->admin;
        o.inn = mu->admin_inn;
    } else {
        person_any(g, &p);
        if (shop) /* an individual entrepreneur: has an ИНН */
            inn12(g, p.inn);
        o.kind = "person";
        o.name = p.name;
        o.inn = p.inn;
    }
    struct reg r;
    int64_t rid;
    reg_draw(g, &r, h->reg_lo, reg_hi(g, f));
    int rc = put_right(g, mu, h, f, &o, &r, 0, NULL, &rid, e);
    if (rc == 0 && strcmp(o.kind, "person") == 0)
        rc = maybe_encumber(g, h, f, &r, 0, rid, e);
    return rc;
}

/* ------------------------------------------------------------------ houses */

enum era {
    ERA_STALIN, /* 1955–1962, brick, low */
    ERA_KHRUSH, /* 1958–1975, five storeys */
    ERA_PANEL,  /* 1972–1992, nine storeys and more */
    ERA_NINETY, /* 1993–2005 */
    ERA_NEW,    /* 2006–2023, monolith */
    ERA_LOW     /* 1955–1990, two or three storeys, often wooden */
};

/* Flat areas (hundredths of m²) by era and rooms 1..4. */
static const int flat_area[6][4][2] = {
    {{3000, 3800}, {4400, 5800}, {6000, 8000}, {7800, 9800}},
    {{3000, 3300}, {4200, 4600}, {5500, 5800}, {5800, 6300}},
    {{3300, 3600}, {4800, 5400}, {6200, 7200}, {7500, 8500}},
    {{3600, 4400}, {5200, 6400}, {7000, 9000}, {9000, 11000}},
    {{2800, 4500}, {5000, 6800}, {7200, 10000}, {9500, 12000}},
    {{2800, 3600}, {3800, 5200}, {5000, 6500}, {6000, 7000}},
};

struct plan {
    enum era era;
    int year, floors, entrances, per_floor, first_floor;
    const char *material, *series;
    bool emergency, gas, hot_water, meters;
    int shops, shops_floor, parking, storage;
    int plan_area[8]; /* flat area by position on the floor */
};

static const char *pick(struct gen *g, const char *const *list, int n)
{
    return list[R(g, n)];
}

static void plan_mkd(struct gen *g, struct plan *p, int j)
{
    static const char *const khrush_series[] = {"1-464", "1-335", "II-18", "1-447"};
    static const char *const panel_series[] = {"121", "97", "П-44", "1-468", "111-90"};
    /* The first house, where resident1 lives, is a nine-storey panel block;
     * the third an аварийный two-storey house, so that every municipality
     * has one. */
    int w = j == 0 ? 40 : j == 2 ? 99 : R(g, 100);
    p->era = w < 10   ? ERA_STALIN
             : w < 37 ? ERA_KHRUSH
             : w < 67 ? ERA_PANEL
             : w < 77 ? ERA_NINETY
             : w < 95 ? ERA_NEW
                      : ERA_LOW;
    p->first_floor = 1;
    p->shops_floor = 0;
    switch (p->era) {
    case ERA_STALIN:
        p->year = between(g, 1955, 1962);
        p->floors = between(g, 2, 5);
        p->entrances = between(g, 1, 4);
        p->per_floor = between(g, 2, 3);
        p->material = p->floors <= 2 && R(g, 3) == 0 ? "дерево" : R(g, 5) ? "кирпич" : "блоки";
        p->emergency = R(g, 10) == 0;
        break;
    case ERA_KHRUSH:
        p->year = between(g, 1958, 1975);
        p->floors = R(g, 10) ? 5 : 4;
        p->entrances = between(g, 2, 6);
        p->per_floor = R(g, 5) ? 4 : 3;
        p->material = R(g, 10) < 6 ? "панель" : "кирпич";
        if (strcmp(p->material, "панель") == 0)
            p->series = pick(g, khrush_series, COUNT(khrush_series));
        p->emergency = R(g, 50) == 0;
        break;
    case ERA_PANEL: {
        static const int floors[] = {9, 9, 9, 9, 10, 12, 14};
        p->year = between(g, 1972, 1992);
        p->floors = floors[R(g, COUNT(floors))];
        p->entrances = between(g, 1, 6);
        p->per_floor = 4;
        p->material = R(g, 5) ? "панель" : "кирпич";
        if (j == 0) { /* resident1's house */
            p->floors = 9;
            p->material = "панель";
        }
        if (strcmp(p->material, "панель") == 0)
            p->series = pick(g, panel_series, COUNT(panel_series));
        break;
    }
    case ERA_NINETY:
        p->year = between(g, 1993, 2005);
        p->floors = between(g, 5, 10);
        p->entrances = between(g, 1, 4);
        p->per_floor = between(g, 3, 4);
        p->material = R(g, 5) < 3 ? "кирпич" : "блоки";
        break;
    case ERA_NEW:
        p->year = between(g, 2006, 2023);
        p->floors = between(g, 9, 17);
        p->entrances = between(g, 1, 4);
        p->per_floor = between(g, 4, 6);
        p->material = R(g, 10) < 7 ? "монолит" : R(g, 2) ? "блоки" : "панель";
        p->parking = R(g, 2) ? between(g, 20, 120) : 0;
        p->storage = R(g, 10) < 4 ? between(g, 10, 60) : 0;
        if (R(g, 10) < 4) { /* shops on the ground floor */
            p->first_floor = 2;
            p->shops = between(g, 1, 2 * p->entrances);
            p->shops_floor = 1;
        }
        break;
    case ERA_LOW:
        p->year = between(g, 1955, 1990);
        p->floors = between(g, 2, 3);
        p->entrances = between(g, 1, 2);
        p->per_floor = between(g, 2, 4);
        p->material = R(g, 10) < 4 ? "дерево" : R(g, 2) ? "блоки" : "кирпич";
        p->emergency = j == 2 || R(g, 10) < 4;
        break;
    }
    if (p->era <= ERA_PANEL && p->floors >= 5 && p->shops == 0 && R(g, 100) < 20) {
        p->first_floor = 2; /* shops on the ground floor of a main street */
        p->shops = between(g, 1, p->entrances + 1);
        p->shops_floor = 1;
    } else if (p->era != ERA_LOW && p->shops == 0 && R(g, 100) < 8) {
        p->shops = between(g, 1, 2); /* an office in the basement */
        p->shops_floor = 0;
    }
    p->gas = p->era != ERA_NEW && p->floors <= 10 && R(g, 10) < 7;
    p->hot_water = p->era != ERA_LOW || R(g, 2);
    p->meters = p->era != ERA_LOW;
    int max_rooms = p->era == ERA_KHRUSH || p->era == ERA_LOW ? 3 : 4;
    for (int k = 0; k < p->per_floor; k++) {
        bool corner = k == 0 || k == p->per_floor - 1;
        int rooms = corner ? 2 + R(g, max_rooms - 1) : 1 + R(g, 2);
        if (rooms > max_rooms)
            rooms = max_rooms;
        const int *a = flat_area[p->era][rooms - 1];
        p->plan_area[k] = between(g, a[0], a[1]);
    }
}

static struct flat *add_flat(struct gen *g, const char *kind, int64_t area, int entrance, int floor)
{
    struct flat *f = &g->flats[g->nflats++];
    f->kind = kind;
    f->area = area;
    f->entrance = entrance;
    f->floor = floor;
    f->cad[0] = '\0';
    f->cad_ok = false;
    return f;
}

/* The house's premises: flats entrance by entrance, floor by floor, then
 * non-residential premises (Н), parking places (М) and storerooms (К). */
static void layout(struct gen *g, const struct plan *p)
{
    g->nflats = 0;
    int n = 0;
    for (int ent = 1; ent <= p->entrances; ent++)
        for (int fl = p->first_floor; fl <= p->floors; fl++)
            for (int k = 0; k < p->per_floor; k++) {
                int64_t a = p->plan_area[k] + (R(g, 4) == 0 ? R(g, 41) - 20 : 0);
                a = a < 2800 ? 2800 : a > 12000 ? 12000 : a;
                struct flat *f = add_flat(g, "residential", a, ent, fl);
                snprintf(f->number, sizeof f->number, "%d", ++n);
            }
    for (int i = 1; i <= p->shops; i++) {
        struct flat *f = add_flat(g, "nonresidential", between(g, 2000, 25000), 0, p->shops_floor);
        snprintf(f->number, sizeof f->number, "Н%d", i);
    }
    for (int i = 1; i <= p->parking; i++) {
        struct flat *f = add_flat(g, "parking", between(g, 1325, 1980), 0, -1);
        snprintf(f->number, sizeof f->number, "М%d", i);
    }
    for (int i = 1; i <= p->storage; i++) {
        struct flat *f = add_flat(g, "storage", between(g, 250, 800), 0, -1);
        snprintf(f->number, sizeof f->number, "К%d", i);
    }
}

/* Cadastral numbers of the premises: consecutive object numbers in the
 * house's quarter; some missing (older houses), a few malformed. */
static void number_premises(struct gen *g, struct mun *mu, int year, bool none)
{
    for (int i = 0; i < g->nflats; i++) {
        struct flat *f = &g->flats[i];
        bool forced = link_of(g, i) >= 0;
        if (!forced && (none || (year <= 2012 && R(g, 100) < 6)))
            continue;
        int obj = ++mu->obj;
        if (!forced && R(g, 1000) < 3) { /* a quarter that lost two digits */
            snprintf(f->cad, sizeof f->cad, "99:%02d:%05d:%d", mu->district, mu->quarter, obj);
            continue;
        }
        cadastral(mu, obj, f->cad, sizeof f->cad);
        f->cad_ok = true;
    }
}

static void next_address(struct gen *g, struct mun *mu, struct walk *w, const char *const *list,
                         int n, char *out, size_t size)
{
    if (w->left <= 0) {
        w->street = (w->street + 1 + R(g, 3)) % n;
        w->left = between(g, 3, 14);
    }
    w->left--;
    int no = w->last[w->street] += 1 + R(g, 3);
    snprintf(out, size, "%s, %s, д. %d", mu->place, list[w->street], no);
}

static void set_quarter(struct gen *g, struct mun *mu, int quarter)
{
    if (mu->quarter != quarter) {
        mu->quarter = quarter;
        mu->obj = between(g, 10, 200);
    }
}

static int put_house(struct gen *g, struct mun *mu, const struct house_ctx *h, int64_t org,
                     const char *kind, const char *address, const char *cad, const struct plan *p,
                     bool izd, const char *meters, const char *systems, const char *extra,
                     struct err *e)
{
    int64_t res = 0, nonres = 0, nonres_n = 0, balconies = 0, loggias = 0, upper = 0;
    for (int i = 0; i < g->nflats; i++) {
        const struct flat *f = &g->flats[i];
        if (f->kind[0] == 'r') {
            res += f->area;
            upper += f->floor >= 2;
        } else {
            nonres += f->area;
            nonres_n++;
        }
    }
    switch (izd ? ERA_LOW : p->era) {
    case ERA_STALIN: balconies = upper * 6 / 10; break;
    case ERA_KHRUSH: balconies = upper * 9 / 10; break;
    case ERA_PANEL:
        balconies = upper / 2;
        loggias = upper - upper / 2;
        break;
    case ERA_NINETY:
        balconies = upper / 4;
        loggias = upper - upper / 4;
        break;
    case ERA_NEW: loggias = g->nflats - nonres_n; break;
    case ERA_LOW: break;
    }
    int64_t common = izd ? 0 : res * between(g, 12, 22) / 100;
    char guid[37], lower_src[512];
    fias_guid(g, h->id, guid);
    snprintf(lower_src, sizeof lower_src, "%s %s %s", address, guid, cad ? cad : "");
    const char *search = text_lower(g->d->a, lower_src);
    if (!search)
        return err_set(e, ERR_NOMEM, "out of memory");
    int64_t lat = mu->lat0 + R(g, 60001) - 30000, lon = mu->lon0 + R(g, 90001) - 45000;
    int rc =
        PUT(&g->houses, SV_I(h->id), SV_I(g->d->region_id), SV_I(mu->id), SV_ID(org), SV_T(kind),
            SV_T(address), SV_T(search), TXT(guid), SV_T(cad), SV_I(lat), SV_I(lon), SV_I(h->year),
            SV_I(p->floors), SV_T(p->material), SV_I(res + nonres + common), SV_I(res),
            SV_I(nonres), SV_I(nonres_n), SV_I(balconies), SV_I(loggias), SV_I(h->emergency),
            SV_I(common), izd ? SV_NULLV : SV_I(p->entrances), SV_T(meters), SV_T(systems),
            SV_T(extra), SV_I(g->now), SV_I(g->now));
    if (rc == 0 && org)
        rc = PUT(&g->house_orgs, SV_I(h->id), SV_I(org), SV_S("manager"));
    if (rc == 0)
        rc = PUT(&g->house_orgs, SV_I(h->id), SV_I(mu->eirc), SV_S("supplier"));
    if (rc == 0 && h->direct)
        rc = PUT(&g->house_orgs, SV_I(h->id), SV_I(mu->rso), SV_S("supplier"));
    for (int i = 0; rc == 0 && i < g->nflats; i++) {
        struct flat *f = &g->flats[i];
        f->id = ++g->id_premises;
        rc = PUT(&g->premises, SV_I(f->id), SV_I(h->id), SV_I(g->d->region_id), SV_I(mu->id),
                 SV_T(f->number), SV_T(f->kind), SV_I(f->area), SV_T(f->cad[0] ? f->cad : NULL),
                 SV_ID(f->entrance), izd ? SV_NULLV : SV_I(f->floor), SV_I(g->now), SV_I(g->now));
    }
    return rc;
}

static void json_systems(const struct plan *p, bool izd, char *out, size_t n)
{
    snprintf(out, n, "[\"электроснабжение\", \"холодное водоснабжение\"%s%s%s%s]",
             izd ? "" : ", \"водоотведение\"",
             izd ? ", \"печное отопление\"" : ", \"центральное отопление\"",
             p->hot_water && !izd ? ", \"горячее водоснабжение\"" : "",
             p->gas ? ", \"газоснабжение\"" : "");
}

static void json_meters(struct gen *g, const struct plan *p, char *out, size_t n)
{
    static const char *const res[] = {"холодная вода", "тепловая энергия", "электрическая энергия",
                                      "горячая вода"};
    size_t len = (size_t)snprintf(out, n, "[");
    int count = p->hot_water ? 4 : 3;
    for (int i = 0; i < count; i++) {
        char until[DATE_STR_SIZE];
        day_text(between(g, g->today + 30, g->today + 6 * 365), until);
        len += (size_t)snprintf(out + len, n - len,
                                "%s{\"resource\": \"%s\", \"number\": \"%08d\","
                                " \"verified_until\": \"%s\"}",
                                i ? ", " : "", res[i], R(g, 100000000), until);
    }
    snprintf(out + len, n - len, "]");
}

static int make_house(struct gen *g, struct mun *mu, int j, int j_izd, struct err *e)
{
    struct demo_ctx *d = g->d;
    bool izd = j_izd >= 0;
    struct plan p = {0};
    struct house_ctx h = {.id = ++g->id_house, .j = j};
    char address[384], cad[48], meters[1024] = "", systems[512], extra[128] = "";
    int64_t org = 0;

    g->nlinks = 0;

    if (izd) {
        next_address(g, mu, &mu->izd, lanes, COUNT(lanes), address, sizeof address);
        p.era = ERA_LOW;
        p.year = between(g, 1955, 2023);
        p.floors = R(g, 10) < 3 ? 2 : 1;
        static const char *const mat[] = {"дерево", "дерево", "дерево", "дерево", "кирпич",
                                          "кирпич", "кирпич", "блоки",  "блоки",  "блоки"};
        p.material = mat[R(g, COUNT(mat))];
        p.gas = R(g, 2);
        h.direct = R(g, 10) < 9;
        set_quarter(g, mu, 5001 + j_izd / 40);
        g->nflats = 0;
        struct flat *f = add_flat(g, "residential", between(g, 4500, 22000), 0, 0);
        snprintf(f->number, sizeof f->number, "1");
        mu->obj += 1 + R(g, 5);
        bool no_cad = R(g, 100) < 3;
        if (!no_cad) {
            cadastral(mu, mu->obj, cad, sizeof cad);
            memcpy(f->cad, cad, sizeof cad); /* the house is the premises */
            f->cad_ok = true;
        }
        json_systems(&p, true, systems, sizeof systems);
        h.year = p.year;
        h.reg_lo = p.year + 1 > 2005 ? day_of(p.year + 1, 1, 1) : g->d2005;
        h.direct_day = between(g, day_of(2017, 1, 1), day_of(2022, 12, 31));
        int rc = put_house(g, mu, &h, 0, "izd", address, no_cad ? NULL : cad, &p, true, NULL,
                           systems, NULL, e);
        return rc ? rc : residential(g, mu, &h, f, 0, e);
    }

    next_address(g, mu, &mu->mkd, streets, COUNT(streets), address, sizeof address);
    plan_mkd(g, &p, j);
    int extra_uo = d->opt.orgs_per_municipality - 4;
    int k = extra_uo > 0 && j % (extra_uo + 1) ? 3 + j % (extra_uo + 1) : 0;
    org = d->org_ids[mu->index * d->opt.orgs_per_municipality + k];
    h.year = p.year;
    h.emergency = p.emergency;
    h.direct = j == 0 || R(g, 10) < 7;
    h.direct_day = between(g, day_of(2017, 1, 1), day_of(2022, 12, 31));
    h.reg_lo = p.year + 1 > 2005 ? day_of(p.year + 1, 1, 1) : g->d2005;
    layout(g, &p);
    /* Demo residents: resident r of the municipality owns flat 5 + 3·(r div
     * houses) of house r mod houses — flat (r div houses) + 1 in a house too
     * small (resident1: flat 5 of the first house, a nine-storey panel block). */
    for (int r = j, n = d->opt.houses; r < mu->nres && g->nlinks < MAXLINKS; r += n) {
        int nth = r / n, fi = 4 + 3 * nth;
        if (fi >= g->nflats || g->flats[fi].kind[0] != 'r')
            fi = nth;
        if (fi >= g->nflats || g->flats[fi].kind[0] != 'r' || link_of(g, fi) >= 0)
            break;
        g->link[g->nlinks].flat = fi;
        g->link[g->nlinks].user = mu->res_id[r];
        g->link[g->nlinks++].name = mu->res_name[r];
    }
    set_quarter(g, mu, 1 + j / 40);
    mu->obj += 1 + R(g, 5);
    bool no_cad = j != 0 && R(g, 100) < 2;
    if (!no_cad)
        cadastral(mu, mu->obj, cad, sizeof cad);
    number_premises(g, mu, p.year, p.year <= 2012 && R(g, 100) < 4);
    json_systems(&p, false, systems, sizeof systems);
    if (p.meters)
        json_meters(g, &p, meters, sizeof meters);
    int lifts = p.floors >= 6 ? p.entrances * (p.floors >= 12 ? 2 : 1) : 0;
    if (p.series)
        snprintf(extra, sizeof extra, "{\"lifts\": %d, \"series\": \"%s\"}", lifts, p.series);
    else
        snprintf(extra, sizeof extra, "{\"lifts\": %d}", lifts);
    int rc = put_house(g, mu, &h, org, "mkd", address, no_cad ? NULL : cad, &p, false,
                       p.meters ? meters : NULL, systems, extra, e);
    int developer = R(g, NDEVS);
    for (int i = 0; rc == 0 && i < g->nflats; i++) {
        struct flat *f = &g->flats[i];
        rc = f->kind[0] == 'r' ? residential(g, mu, &h, f, i, e)
                               : nonresidential(g, mu, &h, f, developer, e);
    }
    /* An account the ЕИРЦ could not match to a premises (a data error). */
    if (rc == 0 && (j == 1 || R(g, 10) == 0)) {
        struct person payer;
        person_any(g, &payer);
        rc = eirc_account(g, mu, &h, NULL, payer.name, R(g, 4),
                          between(g, mu->eirc_start, g->d2025), 0, e);
    }
    return rc;
}

/* ------------------------------------------------------------ municipality */

static int load_municipality(struct gen *g, struct mun *mu, int i, struct err *e)
{
    struct demo_ctx *d = g->d;
    int per = d->opt.orgs_per_municipality;
    memset(mu, 0, sizeof *mu);
    mu->index = i;
    mu->id = d->municipality_ids[i];
    mu->rso = d->org_ids[i * per + 1];
    mu->eirc = d->org_ids[i * per + 2];
    mu->district = 1 + i % 99;

    struct store_rows *r = NULL;
    const char *name = NULL;
    int rc = store_query(g->c, "SELECT name, oktmo FROM municipalities WHERE id = $1",
                         VALS(SV_I(mu->id)), 1, &r, e);
    if (rc)
        return rc;
    if (store_next(r)) {
        name = store_dup(r, 0, d->a);
        mu->oktmo = store_dup(r, 1, d->a);
    }
    store_rows_free(r);
    if (!name || !mu->oktmo)
        return err_set(e, ERR_NOTFOUND, "demo: municipality %d not found", i + 1);

    /* Resident users, in the order they were made (resident1, resident1-2 …). */
    if ((rc = store_query(g->c,
                          "SELECT id, full_name FROM users WHERE role = 'resident'"
                          " AND municipality_id = $1 ORDER BY id",
                          VALS(SV_I(mu->id)), 1, &r, e)))
        return rc;
    int cap = d->opt.residents;
    mu->res_id = arena_alloc(d->a, sizeof *mu->res_id * (size_t)cap);
    mu->res_name = arena_alloc(d->a, sizeof *mu->res_name * (size_t)cap);
    if (!mu->res_id || !mu->res_name)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && mu->nres < cap && store_next(r)) {
        mu->res_id[mu->nres] = store_int(r, 0);
        mu->res_name[mu->nres++] = store_dup(r, 1, d->a);
    }
    store_rows_free(r);
    if (rc)
        return rc;

    const char *pre = "Демонстрационная обл.";
    if (i == 0) {
        mu->place = arena_printf(d->a, "%s, г. Светлогорск", pre);
        snprintf(mu->admin, sizeof mu->admin, "Администрация города Светлогорска");
    } else if (i == 1) {
        mu->place = arena_printf(d->a, "%s, Заречный р-н, с. Заречье", pre);
        snprintf(mu->admin, sizeof mu->admin, "Администрация Заречного района");
    } else {
        mu->place = arena_printf(d->a, "%s, %s", pre, name);
        snprintf(mu->admin, sizeof mu->admin, "Администрация муниципального образования «%s»",
                 name);
    }
    if (!mu->place)
        return err_set(e, ERR_NOMEM, "out of memory");
    inn10(g, mu->admin_inn);
    for (int k = 0; k < NFIRMS; k++) {
        mu->firm[k].name = firms[k];
        inn10(g, mu->firm[k].inn);
    }
    for (int k = 0; k < NDEVS; k++) {
        mu->dev[k].name = developers[k];
        inn10(g, mu->dev[k].inn);
    }
    mu->lat0 = 54000000 + (int64_t)(i * 373 % 4000) * 1000;
    mu->lon0 = 36000000 + (int64_t)(i * 797 % 12000) * 1000;
    mu->eirc_start = between(g, day_of(2012, 1, 1), day_of(2016, 12, 31));
    mu->mkd.street = R(g, COUNT(streets));
    mu->izd.street = R(g, COUNT(lanes));
    return 0;
}

int demo_stage_registry(struct demo_ctx *d, struct err *e)
{
    struct gen g = {.d = d, .c = d->c, .pg = store_conn_backend(d->c) == STORE_POSTGRES};
    g.now = store_now();
    g.today = (int)(g.now / 86400);
    g.d2005 = day_of(2005, 1, 1);
    g.d2017 = day_of(2017, 1, 1);
    g.d2025 = day_of(2025, 12, 31);
    g.els_b = mix64(d->opt.seed) % 676000u;
    int rc = tables(&g, e);
    if (rc == 0)
        rc = read_ids(&g, e);
    /* SQLite: tables are flushed as they fill, so the foreign keys are
     * checked at the commit (the pragma ends with the transaction). */
    if (rc == 0 && !g.pg)
        rc = store_exec(g.c, "PRAGMA defer_foreign_keys = ON", NULL, 0, NULL, e);
    struct mun *mu = malloc(sizeof *mu);
    g.flats = malloc(sizeof *g.flats * FLAT_CAP);
    if (rc == 0 && (!mu || !g.flats))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    int nmkd = d->opt.houses, nizd = d->opt.houses / 4;
    for (int i = 0; rc == 0 && i < d->opt.municipalities; i++) {
        rc = load_municipality(&g, mu, i, e);
        for (int j = 0; rc == 0 && j < nmkd + nizd; j++)
            rc = make_house(&g, mu, j, j < nmkd ? -1 : j - nmkd, e);
    }
    if (rc == 0 && (rc = demo_flush(&g.w, e)) == 0 && g.pg)
        rc = move_sequences(&g, e);
    demo_writer_free(&g.w);
    free(g.flats);
    free(mu);
    return rc;
}
