/* payments.c — payments, refunds and reversals (docs/payments.md): the rules
 * of an entry (pay_check, plain), booking one entry idempotently by the
 * payer's own id (pay_book), reading them (pay_get, pay_list) and their sums
 * per account (pay_account_sums) and per organization for the billing run
 * (pay_org_sums). The bank registry file is payments_import.c. Every query
 * binds the caller's scope as $1..$4 (pay_scope_bind). */
#include "billing/payments_impl.h"

#include "base/money.h"
#include "base/text.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"payment", "refund", "reversal"};

const char *pay_kind_name(enum payment_kind k)
{
    return k >= PAY_PAYMENT && k <= PAY_REVERSAL ? kind_names[k] : "payment";
}

/* Lower-cases ASCII and the Russian alphabet (А–Я, Ё) of s into out;
 * false when it does not fit. */
static bool fold_word(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (n + 3 > size)
            return false;
        unsigned char b = *p, next = p[1];
        if (b >= 'A' && b <= 'Z') {
            out[n++] = (char)(b + 32);
        } else if (b == 0xd0 && next >= 0x90 && next <= 0x9f) { /* А–П → а–п */
            out[n++] = (char)0xd0;
            out[n++] = (char)(next + 0x20);
            p++;
        } else if (b == 0xd0 && next >= 0xa0 && next <= 0xaf) { /* Р–Я → р–я */
            out[n++] = (char)0xd1;
            out[n++] = (char)(next - 0x20);
            p++;
        } else if (b == 0xd0 && next == 0x81) { /* Ё → ё */
            out[n++] = (char)0xd1;
            out[n++] = (char)0x91;
            p++;
        } else {
            out[n++] = (char)b;
        }
    }
    out[n] = '\0';
    return true;
}

int pay_kind_parse(const char *s, enum payment_kind *out)
{
    static const struct {
        const char *word;
        enum payment_kind k;
    } words[] = {
        {"payment", PAY_PAYMENT}, {"refund", PAY_REFUND},   {"reversal", PAY_REVERSAL},
        {"оплата", PAY_PAYMENT},  {"платёж", PAY_PAYMENT},  {"платеж", PAY_PAYMENT},
        {"возврат", PAY_REFUND},  {"сторно", PAY_REVERSAL}, {"storno", PAY_REVERSAL},
    };
    char low[48];
    if (!s || !fold_word(s, low, sizeof low))
        return ERR_INVALID;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(low, words[i].word) == 0) {
            *out = words[i].k;
            return 0;
        }
    return ERR_INVALID;
}

bool pay_channel_valid(const char *s)
{
    return s && (strcmp(s, "bank") == 0 || strcmp(s, "app") == 0 || strcmp(s, "cash") == 0 ||
                 strcmp(s, "api") == 0);
}

const char *pay_period_text(struct arena *a, int period)
{
    char buf[PERIOD_STR_SIZE];
    if (!period || date_period_format(period, buf))
        return NULL;
    return arena_strdup(a, buf);
}

int pay_period_stored(const char *s)
{
    int p = 0;
    return s && date_period_parse(s, &p, NULL) == 0 ? p : 0;
}

/* Printable one-line text: no control characters at all. */
static bool printable(const char *s)
{
    if (!text_valid(s))
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

int pay_check(const struct pay_req *q, const char *today, struct field_errors *fe)
{
    int before = fe->n;
    bool reversal = q->kind == PAY_REVERSAL;
    if (!q->ext_id || !*q->ext_id)
        fe_add(fe, "ext_id", "нужен идентификатор платежа, присвоенный плательщиком или банком");
    else if (strlen(q->ext_id) > PAY_EXT_ID_MAX)
        fe_add(fe, "ext_id", "идентификатор платежа не длиннее %d байт", PAY_EXT_ID_MAX);
    else if (!printable(q->ext_id))
        fe_add(fe, "ext_id", "идентификатор платежа — печатные символы без переводов строк");
    int ways = (q->account_id != 0) + (q->els != NULL) + (q->account_number != NULL);
    if (q->account_id < 0)
        fe_add(fe, "account_id", "номер лицевого счёта — положительное целое");
    else if (ways > 1)
        fe_add(fe, "account_id",
               "укажите лицевой счёт одним способом: account_id, els или account_number");
    else if (ways == 0 && !reversal)
        fe_add(fe, "account_id", "укажите лицевой счёт: account_id, els или account_number");
    else if (q->els && !*q->els)
        fe_add(fe, "els", "пустой ЕЛС");
    else if (q->account_number && !*q->account_number)
        fe_add(fe, "account_number", "пустой номер лицевого счёта");
    struct date d;
    if (!q->paid_on)
        fe_add(fe, "paid_on", "укажите дату платежа ГГГГ-ММ-ДД");
    else if (date_parse(q->paid_on, &d, NULL))
        fe_add(fe, "paid_on", "дата платежа ГГГГ-ММ-ДД, а не «%s»", q->paid_on);
    else if (today && strcmp(q->paid_on, today) > 0)
        fe_add(fe, "paid_on", "дата платежа %s ещё не наступила (сегодня %s)", q->paid_on, today);
    char max[MONEY_FMT_SIZE];
    money_format(max, sizeof max, PAY_AMOUNT_MAX);
    if (q->amount < 0 || (q->amount == 0 && !reversal))
        fe_add(fe, "amount", "сумма должна быть больше нуля");
    else if (q->amount > PAY_AMOUNT_MAX)
        fe_add(fe, "amount", "сумма больше %s ₽", max);
    if (reversal && q->reverses <= 0)
        fe_add(fe, "reverses", "сторно называет платёж, который отменяет (reverses)");
    else if (!reversal && q->reverses)
        fe_add(fe, "reverses", "отменяемый платёж указывают только у сторно (kind = reversal)");
    if (q->channel && !pay_channel_valid(q->channel))
        fe_add(fe, "channel", "допустимо: bank, app, cash, api");
    return fe->n - before;
}

void pay_scope_bind(const struct store_scope *s, struct store_val p[4])
{
    bool all = s->kind == SCOPE_SYSTEM || s->kind == SCOPE_ADMIN;
    p[0] = SV_I(all ? 0 : s->region_id);
    p[1] = SV_I(s->kind == SCOPE_MUNICIPALITY ? s->municipality_id : 0);
    p[2] = SV_I(s->kind == SCOPE_ORG ? s->org_id : 0);
    /* A resident without an id sees nothing (-1 matches no user). */
    p[3] = SV_I(s->kind == SCOPE_RESIDENT ? (s->user_id ? s->user_id : -1) : 0);
}

int pay_scope_writes(const struct store_scope *s, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc == 0 && s->kind != SCOPE_SYSTEM && s->kind != SCOPE_ADMIN && s->kind != SCOPE_ORG)
        rc = err_set(e, ERR_FORBIDDEN,
                     "платежи проводят сотрудники организации-получателя или администратор");
    return rc;
}

int pay_today(struct store_conn *c, int64_t org_id, int64_t now, char out[DATE_STR_SIZE],
              struct err *e)
{
    date_format(date_civil_from_days(now / 86400 - (now % 86400 < 0)), out);
    struct store_val p[] = {SV_I(org_id)};
    struct store_rows *r = NULL;
    int rc = store_query(c,
                         "SELECT mu.timezone FROM organizations o"
                         " JOIN municipalities mu ON mu.id = o.municipality_id WHERE o.id = $1",
                         p, 1, &r, e);
    if (rc)
        return rc;
    struct date_local l;
    if (store_next(r) && date_utc_to_local(store_text(r, 0), now, &l) == 0)
        date_format((struct date){l.y, l.m, l.d}, out);
    store_rows_free(r);
    return 0;
}

bool pay_differs(const struct payment *x, const struct pay_key *k, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
#define DIFF(...)                                                                                  \
    do {                                                                                           \
        if (n < size)                                                                              \
            n += (size_t)snprintf(buf + n, size - n, "%s", n ? "; " : "");                         \
        if (n < size)                                                                              \
            n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);                                 \
    } while (0)
    char was[MONEY_FMT_SIZE], now[MONEY_FMT_SIZE], pw[PERIOD_STR_SIZE] = "",
                                                   pn[PERIOD_STR_SIZE] = "";
    if (x->account_id != k->account_id)
        DIFF("лицевой счёт: был № %lld, теперь № %lld", (long long)x->account_id,
             (long long)k->account_id);
    if (x->kind != k->kind)
        DIFF("вид: был %s, теперь %s", pay_kind_name(x->kind), pay_kind_name(k->kind));
    if (strcmp(x->paid_on, k->paid_on) != 0)
        DIFF("дата: была %s, теперь %s", x->paid_on, k->paid_on);
    if (k->amount && x->amount != k->amount) {
        money_format(was, sizeof was, x->amount);
        money_format(now, sizeof now, k->amount);
        DIFF("сумма: была %s, теперь %s", was, now);
    }
    if (x->period != k->period) {
        if (x->period)
            date_period_format(x->period, pw);
        if (k->period)
            date_period_format(k->period, pn);
        DIFF("период: был %s, теперь %s", x->period ? pw : "не указан",
             k->period ? pn : "не указан");
    }
    if (x->kind == k->kind && x->reverses != k->reverses) /* both reversals */
        DIFF("сторнируемый платёж: был № %lld, теперь другой", (long long)x->reverses);
#undef DIFF
    if (n >= size && size > 0)
        text_cut_partial(buf);
    return n > 0;
}

/* ------------------------------------------------------------------ reading */

#define PAY_COLS                                                                                   \
    "y.id, y.region_id, y.municipality_id, y.org_id, y.account_id, a.els, a.number, y.ext_id,"     \
    " y.kind, y.paid_on, y.amount, y.period, y.reverses,"                                          \
    " (SELECT r.id FROM payments r WHERE r.account_id = y.account_id AND r.reverses = y.id"        \
    " ORDER BY r.id LIMIT 1),"                                                                     \
    " y.channel, y.source, y.created_by, y.created_at"

static void read_payment(struct store_rows *r, struct arena *a, struct payment *x)
{
    x->id = store_int(r, 0);
    x->region_id = store_int(r, 1);
    x->municipality_id = store_int(r, 2);
    x->org_id = store_int(r, 3);
    x->account_id = store_int(r, 4);
    x->els = store_dup(r, 5, a);
    x->account_number = store_dup(r, 6, a);
    x->ext_id = store_dup(r, 7, a);
    const char *kind = store_text(r, 8);
    x->kind = PAY_PAYMENT;
    if (kind && pay_kind_parse(kind, &x->kind))
        x->kind = PAY_PAYMENT;
    x->paid_on = store_dup(r, 9, a);
    x->amount = store_int(r, 10);
    x->period = pay_period_stored(store_text(r, 11));
    x->reverses = store_isnull(r, 12) ? 0 : store_int(r, 12);
    x->reversed_by = store_isnull(r, 13) ? 0 : store_int(r, 13);
    x->channel = store_dup(r, 14, a);
    x->source = store_dup(r, 15, a);
    x->created_by = store_isnull(r, 16) ? 0 : store_int(r, 16);
    x->created_at = store_int(r, 17);
}

/* One entry by id, unscoped (after the caller found it in scope). */
static int read_by_id(struct store_conn *c, int64_t id, struct arena *a, struct payment *out,
                      struct err *e)
{
    struct store_val p[] = {SV_I(id)};
    struct store_rows *r = NULL;
    int rc =
        store_query(c,
                    "SELECT " PAY_COLS " FROM payments y JOIN accounts a ON a.id = y.account_id"
                    " WHERE y.id = $1",
                    p, 1, &r, e);
    if (rc)
        return rc;
    if (store_next(r))
        read_payment(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "платёж не найден");
    store_rows_free(r);
    return rc;
}

int pay_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
            struct payment *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    pay_scope_bind(s, p);
    p[4] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " PAY_COLS
                          " FROM payments y JOIN accounts a ON a.id = y.account_id"
                          " WHERE y.id = $5 AND " PAY_SCOPE,
                          p, 5, &r, e)))
        return rc;
    if (store_next(r))
        read_payment(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "платёж не найден");
    store_rows_free(r);
    return rc;
}

#define PAY_FILTER                                                                                 \
    PAY_SCOPE " AND (y.account_id = $5 OR $5 = 0) AND (y.org_id = $6 OR $6 = 0)"                   \
              " AND (y.paid_on >= $7 OR $7 IS NULL) AND (y.paid_on <= $8 OR $8 IS NULL)"           \
              " AND (y.kind = $9 OR $9 IS NULL) AND (y.channel = $10 OR $10 IS NULL)"              \
              " AND (y.ext_id = $11 OR $11 IS NULL)"

int pay_list(struct store_conn *c, const struct store_scope *s, const struct pay_filter *f,
             struct page pg, struct arena *a, struct payment **items, int64_t *count,
             int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[13];
    pay_scope_bind(s, p);
    p[4] = SV_I(f->account_id);
    p[5] = SV_I(f->org_id);
    p[6] = SV_T(f->from);
    p[7] = SV_T(f->to);
    p[8] = SV_T(f->kind >= 0 ? pay_kind_name((enum payment_kind)f->kind) : NULL);
    p[9] = SV_T(f->channel);
    p[10] = SV_T(f->ext_id);
    p[11] = SV_I(pg.per_page);
    p[12] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM payments y WHERE " PAY_FILTER, p, 11, total,
                              e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " PAY_COLS
                          " FROM payments y JOIN accounts a ON a.id = y.account_id"
                          " WHERE " PAY_FILTER " ORDER BY y.paid_on DESC, y.id DESC"
                          " LIMIT $12 OFFSET $13",
                          p, 13, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_payment(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

/* ------------------------------------------------------------------ booking */

struct account_ref {
    int64_t id, region_id, municipality_id, org_id;
    const char *opened_on;
};

/* The account the request names, among those the caller books for. */
static int find_account(struct store_conn *c, const struct store_scope *s, const struct pay_req *q,
                        struct arena *a, struct account_ref *out, struct err *e)
{
#define ACC_SQL(WHERE)                                                                             \
    "SELECT a.id, a.region_id, a.municipality_id, a.org_id, a.opened_on FROM accounts a"           \
    " WHERE " WHERE " AND (a.region_id = $1 OR $1 = 0) AND (a.municipality_id = $2 OR $2 = 0)"     \
    " AND (a.org_id = $3 OR $3 = 0) AND CAST($4 AS BIGINT) = 0" /* a resident books nothing */
    struct store_val p[6];
    pay_scope_bind(s, p);
    const char *sql, *field = "account_id", *missing;
    int n = 5;
    if (q->account_id) {
        p[4] = SV_I(q->account_id);
        sql = ACC_SQL("a.id = $5");
        missing = arena_printf(a, "лицевой счёт № %lld не найден", (long long)q->account_id);
    } else if (q->els) {
        p[4] = SV_S(q->els);
        sql = ACC_SQL("a.els = $5");
        field = "els";
        missing = arena_printf(a, "лицевой счёт с ЕЛС «%s» не найден", q->els);
    } else {
        int64_t org = q->org_id ? q->org_id : s->kind == SCOPE_ORG ? s->org_id : 0;
        if (!org)
            return err_field(e, ERR_INVALID, "org_id",
                             "укажите организацию (org_id): номер лицевого счёта уникален только "
                             "в ней");
        p[4] = SV_I(org);
        p[5] = SV_S(q->account_number);
        n = 6;
        sql = ACC_SQL("a.org_id = $5 AND a.number = $6");
        field = "account_number";
        missing = arena_printf(a, "лицевой счёт «%s» организации не найден", q->account_number);
    }
#undef ACC_SQL
    struct store_rows *r = NULL;
    int rc = store_query(c, sql, p, n, &r, e);
    if (rc)
        return rc;
    if (store_next(r)) {
        *out = (struct account_ref){store_int(r, 0), store_int(r, 1), store_int(r, 2),
                                    store_int(r, 3), store_dup(r, 4, a)};
    } else {
        /* A number of ours (the id) is an object: outside the scope it is
         * not found (404). A number from outside (ЕЛС, the account number)
         * is a value of the request that finds nothing (422); either way
         * another organization's account looks like no account at all. */
        if (!missing)
            missing = "лицевой счёт не найден";
        rc = q->account_id ? err_set(e, ERR_NOTFOUND, "%s", missing)
                           : err_field(e, ERR_INVALID, field, "%s", missing);
    }
    store_rows_free(r);
    return rc;
}

/* The stored entry of the organization with this ext_id: 1 found, 0 none. */
static int find_ext(struct store_conn *c, int64_t org_id, const char *ext_id, struct arena *a,
                    struct payment *out, struct err *e)
{
    struct store_val p[] = {SV_I(org_id), SV_S(ext_id)};
    struct store_rows *r = NULL;
    int rc =
        store_query(c,
                    "SELECT " PAY_COLS " FROM payments y JOIN accounts a ON a.id = y.account_id"
                    " WHERE y.org_id = $1 AND y.ext_id = $2",
                    p, 2, &r, e);
    if (rc)
        return rc;
    int found = store_next(r);
    if (found)
        read_payment(r, a, out);
    store_rows_free(r);
    return found;
}

/* A repeated booking: the stored entry if the data are the same, else a
 * conflict naming ext_id. */
static int repeated(const struct payment *x, const struct pay_key *k, struct payment *out,
                    bool *created, struct err *e)
{
    char diff[400];
    if (pay_differs(x, k, diff, sizeof diff))
        return err_field(e, ERR_CONFLICT, "ext_id",
                         "платёж с идентификатором «%s» уже проведён (№ %lld) с другими данными: "
                         "%s",
                         x->ext_id, (long long)x->id, diff);
    *out = *x;
    *created = false;
    return 0;
}

int pay_lock_account(struct store_conn *c, int64_t account_id, struct err *e)
{
    if (store_conn_backend(c) != STORE_POSTGRES)
        return 0;
    struct store_val p[] = {SV_I(account_id)};
    int64_t id;
    return store_query_int(c, "SELECT id FROM accounts WHERE id = $1 FOR UPDATE", p, 1, &id, e);
}

/* The reversal's payment: of the same account, a payment, not reversed,
 * dated no later, for the same amount (fills k->amount when 0). */
static int check_reversal(struct store_conn *c, const struct account_ref *acc, struct pay_key *k,
                          struct arena *a, struct err *e)
{
    struct payment x = {0};
    int rc = read_by_id(c, k->reverses, a, &x, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && x.org_id != acc->org_id))
        return err_field(e, ERR_INVALID, "reverses", "платёж № %lld не найден",
                         (long long)k->reverses);
    if (rc)
        return rc;
    char amt[MONEY_FMT_SIZE];
    money_format(amt, sizeof amt, x.amount);
    if (x.kind != PAY_PAYMENT)
        return err_field(e, ERR_INVALID, "reverses",
                         "сторнировать можно только оплату, а № %lld — %s", (long long)x.id,
                         x.kind == PAY_REFUND ? "возврат" : "сторно");
    if (x.account_id != acc->id)
        return err_field(e, ERR_INVALID, "reverses",
                         "платёж № %lld проведён по другому лицевому счёту (№ %lld)",
                         (long long)x.id, (long long)x.account_id);
    if (x.reversed_by)
        return err_field(e, ERR_INVALID, "reverses", "платёж № %lld уже сторнирован (№ %lld)",
                         (long long)x.id, (long long)x.reversed_by);
    if (k->amount && k->amount != x.amount)
        return err_field(e, ERR_INVALID, "amount",
                         "сумма сторно должна равняться сумме платежа: %s "
                         "₽",
                         amt);
    if (strcmp(k->paid_on, x.paid_on) < 0)
        return err_field(e, ERR_INVALID, "paid_on", "сторно не раньше платежа (%s)", x.paid_on);
    k->amount = x.amount;
    return 0;
}

/* A refund leaves the money received by its date not negative. */
static int check_refund(struct store_conn *c, int64_t account_id, const struct pay_key *k,
                        struct err *e)
{
    struct store_val p[] = {SV_I(account_id), SV_S(k->paid_on)};
    struct store_rows *r = NULL;
    int rc = store_query(c, PAY_RECEIVED_SQL, p, 2, &r, e);
    if (rc)
        return rc;
    int64_t received = 0, refunded = 0;
    if (store_next(r)) {
        received = store_int(r, 0);
        refunded = store_int(r, 1);
    }
    store_rows_free(r);
    if (received - refunded - k->amount >= 0)
        return 0;
    char got[MONEY_FMT_SIZE], back[MONEY_FMT_SIZE], want[MONEY_FMT_SIZE];
    money_format(got, sizeof got, received);
    money_format(back, sizeof back, refunded);
    money_format(want, sizeof want, k->amount);
    return err_field(
        e, ERR_INVALID, "amount",
        "возврат %s ₽ больше остатка: к %s поступило %s ₽, "
        "возвращено %s ₽",
        want, k->paid_on, got, back);
}

int pay_book(struct store_conn *c, const struct store_scope *s, const struct pay_req *q,
             struct arena *a, struct payment *out, bool *created, struct err *e)
{
    int rc = pay_scope_writes(s, e);
    if (rc)
        return rc;
    struct field_errors fe = {0};
    if (pay_check(q, NULL, &fe))
        return err_field(e, ERR_INVALID, fe.e[0].field, "%s", fe.e[0].message);
    struct account_ref acc = {0};
    struct pay_req named = *q;
    if (!q->account_id && !q->els && !q->account_number) {
        /* A reversal naming only the payment: that payment's account. */
        struct payment x;
        rc = read_by_id(c, q->reverses, a, &x, e);
        if (rc == 0 && s->kind == SCOPE_ORG && x.org_id != s->org_id)
            rc = ERR_NOTFOUND;
        if (rc == ERR_NOTFOUND)
            return err_field(e, ERR_INVALID, "reverses", "платёж № %lld не найден",
                             (long long)q->reverses);
        if (rc)
            return rc;
        named.account_id = x.account_id;
    }
    if ((rc = find_account(c, s, &named, a, &acc, e)))
        return rc;
    char today[DATE_STR_SIZE];
    if ((rc = pay_today(c, acc.org_id, store_now(), today, e)))
        return rc;
    if (pay_check(q, today, &fe))
        return err_field(e, ERR_INVALID, fe.e[0].field, "%s", fe.e[0].message);
    struct pay_key k = {acc.id, q->kind, q->paid_on, q->amount, q->period, q->reverses};
    struct payment x = {0};
    if ((rc = find_ext(c, acc.org_id, q->ext_id, a, &x, e)) < 0)
        return rc;
    if (rc == 1)
        return repeated(&x, &k, out, created, e);
    if (strcmp(q->paid_on, acc.opened_on) < 0)
        return err_field(e, ERR_INVALID, "paid_on",
                         "дата платежа раньше открытия лицевого счёта (%s)", acc.opened_on);
    if (q->kind != PAY_PAYMENT && (rc = pay_lock_account(c, acc.id, e)))
        return rc;
    if (q->kind == PAY_REVERSAL && (rc = check_reversal(c, &acc, &k, a, e)))
        return rc;
    if (q->kind == PAY_REFUND && (rc = check_refund(c, acc.id, &k, e)))
        return rc;
    struct store_val p[] = {SV_I(acc.region_id),
                            SV_I(acc.municipality_id),
                            SV_I(acc.org_id),
                            SV_I(acc.id),
                            SV_S(q->ext_id),
                            SV_S(pay_kind_name(q->kind)),
                            SV_S(q->paid_on),
                            SV_I(k.amount),
                            SV_T(pay_period_text(a, q->period)),
                            SV_ID(q->reverses),
                            SV_S(q->channel ? q->channel : "api"),
                            SV_S("api"),
                            SV_ID(s->user_id),
                            SV_I(store_now())};
    int64_t id = 0;
    rc = store_query_int(c,
                         "INSERT INTO payments (region_id, municipality_id, org_id, account_id,"
                         " ext_id, kind, paid_on, amount, period, reverses, channel, source,"
                         " created_by, created_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                         " ON CONFLICT (org_id, ext_id) DO NOTHING RETURNING id",
                         p, 14, &id, e);
    if (rc == ERR_NOTFOUND) {
        /* Booked by a concurrent request meanwhile (PostgreSQL waited for it
         * to commit): answer as to a repeated one. */
        if ((rc = find_ext(c, acc.org_id, q->ext_id, a, &x, e)) < 0)
            return rc;
        if (rc == 1)
            return repeated(&x, &k, out, created, e);
        return err_field(e, ERR_CONFLICT, "ext_id",
                         "платёж «%s» проводится одновременно: повторите", q->ext_id);
    }
    if (rc)
        return rc;
    *created = true;
    return read_by_id(c, id, a, out, e);
}

/* ------------------------------------------------------------------ sums */

#define SUM_COLS                                                                                   \
    "CAST(coalesce(sum(CASE WHEN y.kind = 'payment' THEN y.amount ELSE 0 END), 0) AS BIGINT),"     \
    " CAST(coalesce(sum(CASE WHEN y.kind = 'refund' THEN y.amount ELSE 0 END), 0) AS BIGINT),"     \
    " CAST(coalesce(sum(CASE WHEN y.kind = 'reversal' THEN y.amount ELSE 0 END), 0) AS BIGINT)"

static void read_sums(struct store_rows *r, int col, struct pay_sums *x)
{
    x->paid = store_int(r, col);
    x->refunded = store_int(r, col + 1);
    x->reversed = store_int(r, col + 2);
    x->net = x->paid - x->refunded - x->reversed;
}

int pay_account_sums(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                     const char *from, const char *to, struct pay_sums *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    pay_scope_bind(s, p);
    p[4] = SV_I(account_id);
    int64_t id;
    rc = store_query_int(c, "SELECT a.id FROM accounts a WHERE a.id = $5 AND " PAY_ACCOUNT_SCOPE, p,
                         5, &id, e);
    if (rc == ERR_NOTFOUND)
        return err_field(e, ERR_NOTFOUND, "account_id", "лицевой счёт не найден");
    if (rc)
        return rc;
    struct store_val q[] = {SV_I(account_id), SV_T(from), SV_T(to)};
    struct store_rows *r = NULL;
    if ((rc =
             store_query(c,
                         "SELECT " SUM_COLS " FROM payments y WHERE y.account_id = $1"
                         " AND (y.paid_on >= $2 OR $2 IS NULL) AND (y.paid_on <= $3 OR $3 IS NULL)",
                         q, 3, &r, e)))
        return rc;
    *out = (struct pay_sums){.account_id = account_id};
    if (store_next(r))
        read_sums(r, 0, out);
    store_rows_free(r);
    return 0;
}

int pay_org_sums(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                 const char *from, const char *to, pay_sums_fn fn, void *arg, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct date d;
    if (!from || date_parse(from, &d, NULL))
        return err_field(e, ERR_INVALID, "from", "начало периода ГГГГ-ММ-ДД");
    if (!to || date_parse(to, &d, NULL))
        return err_field(e, ERR_INVALID, "to", "конец периода ГГГГ-ММ-ДД");
    struct store_val p[7];
    pay_scope_bind(s, p);
    p[4] = SV_I(org_id);
    int64_t id;
    /* The organization as the caller may read its entries: its staff, the
     * operators of its region (its municipality's: the entries' own
     * municipality still limits the sums), the administrator. */
    if (s->kind == SCOPE_RESIDENT || (s->kind == SCOPE_ORG && s->org_id != org_id))
        rc = ERR_NOTFOUND;
    else
        rc = store_query_int(c,
                             "SELECT o.id FROM organizations o WHERE o.id = $2"
                             " AND (o.region_id = $1 OR $1 = 0)",
                             (struct store_val[]){p[0], p[4]}, 2, &id, e);
    if (rc == ERR_NOTFOUND)
        return err_field(e, ERR_NOTFOUND, "org_id", "организация не найдена");
    if (rc)
        return rc;
    p[5] = SV_S(from);
    p[6] = SV_S(to);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT y.account_id, " SUM_COLS " FROM payments y"
                          " WHERE y.org_id = $5 AND y.paid_on >= $6 AND y.paid_on <= $7"
                          " AND " PAY_SCOPE " GROUP BY y.account_id ORDER BY y.account_id",
                          p, 7, &r, e)))
        return rc;
    while (rc == 0 && store_next(r)) {
        struct pay_sums x = {.account_id = store_int(r, 0)};
        read_sums(r, 1, &x);
        rc = fn(arg, &x);
    }
    store_rows_free(r);
    return rc;
}
