/* gost.c — the payment QR payload of GOST R 56042-2014 ("ST00012",
 * DOMAIN.md §3, docs/paydoc.md "QR payload"): built from the model for one
 * payee, and read back.
 *
 * Lengths are counted in characters (code points): the standard's table
 * gives them in characters, and the same value takes one byte a letter in
 * windows-1251 and two in UTF-8, so a byte limit would depend on the header.
 * The generators we checked (QRCoder, gost-56042-rs) count characters too.
 * QRCoder also refuses a mandatory block over 300 bytes; a long Cyrillic Name
 * in UTF-8 can pass that, so Name is shortened further until the block fits.
 * Name, BankName and Purpose are cut at a character boundary; identifiers are
 * never cut: a wrong one is an error naming the field. */
#include "paydoc/forms_impl.h"

#include "base/date.h"
#include "base/ident.h"
#include "base/text.h"
#include "render/qr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

/* §5.2.1: '|' unless a value holds it, then the first of these no value
 * holds. */
static const char separators[] = "|#;:^_~{}!$%&()*+,/@";

enum {
    F_NAME,
    F_ACC,
    F_BANK,
    F_BIC,
    F_CORR,
    F_MANDATORY,
    F_MAX = 16
};

struct pair {
    const char *key, *value;
};

/* s cut to at most max code points. */
static const char *cut(struct arena *a, const char *s, size_t max, bool *oom)
{
    size_t n = strlen(s), b = forms_cp_bytes(s, n, max);
    if (b == n)
        return s;
    char *c = arena_strndup(a, s, b);
    if (!c)
        *oom = true;
    return c;
}

/* A text value of the payee: NULL, or nothing but spaces and control
 * characters, counts as not given (forms_clean leaves nothing of it). */
static bool given(const char *s)
{
    if (!s)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s > 0x20 && *s != 0x7f)
            return true;
    return false;
}

/* Checks the payee's details in the order the mandatory block has them;
 * ERR_INVALID naming the field of struct paydoc_payee. */
static int check_payee(const struct paydoc_payee *p, const char *who, struct err *e)
{
    const char *why = NULL;
    if (!given(p->name))
        return err_field(e, ERR_INVALID, "name", "%s: не указано наименование получателя", who);
    if (!given(p->bank_name))
        return err_field(e, ERR_INVALID, "bank_name", "%s: не указан банк получателя", who);
    if (!given(p->bic))
        return err_field(e, ERR_INVALID, "bic", "%s: не указан БИК банка", who);
    if (!ident_bik_valid(p->bic, &why))
        return err_field(e, ERR_INVALID, "bic", "%s: %s", who, why);
    if (!given(p->account))
        return err_field(e, ERR_INVALID, "account", "%s: не указан расчётный счёт", who);
    if (!ident_account_valid(p->account, p->bic, &why))
        return err_field(e, ERR_INVALID, "account", "%s: расчётный счёт: %s", who, why);
    if (!given(p->corr_account)) {
        /* Only a subdivision of the Bank of Russia (БИК ending "000") has no
         * correspondent account; CorrespAcc is then "0". */
        if (strcmp(p->bic + 6, "000") != 0)
            return err_field(e, ERR_INVALID, "corr_account",
                             "%s: не указан корреспондентский счёт банка", who);
    } else if (!ident_corr_account_valid(p->corr_account, p->bic, &why)) {
        return err_field(e, ERR_INVALID, "corr_account", "%s: корреспондентский счёт: %s", who,
                         why);
    }
    if (!given(p->inn))
        return err_field(e, ERR_INVALID, "inn", "%s: не указан ИНН получателя", who);
    if (!ident_inn_valid(p->inn, &why))
        return err_field(e, ERR_INVALID, "inn", "%s: %s", who, why);
    if (given(p->kpp) && !ident_kpp_valid(p->kpp, &why))
        return err_field(e, ERR_INVALID, "kpp", "%s: %s", who, why);
    return 0;
}

/* UTF-8 text as windows-1251 into out (cap bytes): the length, or -1 when
 * a character has no place in that charset (or out is too small). ICU with
 * the stop callback: nothing is substituted. */
static int32_t utf8_to_cp1251(const char *s, size_t n, char *out, int32_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0;
    u_strFromUTF8(NULL, 0, &ulen, s, (int32_t)n, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        return -1;
    st = U_ZERO_ERROR;
    UChar *u = malloc(sizeof *u * (size_t)(ulen + 1));
    UConverter *cv = u ? ucnv_open("windows-1251", &st) : NULL;
    int32_t len = -1;
    if (cv) {
        ucnv_setFromUCallBack(cv, UCNV_FROM_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
        u_strFromUTF8(u, ulen + 1, NULL, s, (int32_t)n, &st);
        len = ucnv_fromUChars(cv, out, cap, u, ulen, &st);
        if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
            len = -1;
        ucnv_close(cv);
    }
    free(u);
    return len;
}

/* True when every value fits windows-1251 (the payload is then ST00011). */
static bool cp1251_fits(const struct pair *f, int n)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(f[i].value);
        char small[512], *buf = len < sizeof small ? small : malloc(len + 1);
        int32_t got = buf ? utf8_to_cp1251(f[i].value, len, buf, (int32_t)len + 1) : -1;
        if (buf != small)
            free(buf);
        if (got < 0)
            return false;
    }
    return true;
}

/* Bytes of the mandatory block in the payload's charset: "Name=…" to the
 * end of CorrespAcc's value, separators between them (what QRCoder limits
 * to 300). In windows-1251 a character is a byte. */
static size_t mandatory_bytes(const struct pair *f, bool cp1251)
{
    size_t n = F_MANDATORY - 1; /* separators */
    for (int i = 0; i < F_MANDATORY; i++) {
        size_t v = strlen(f[i].value);
        n += strlen(f[i].key) + 1 + (cp1251 ? forms_cp_len(f[i].value, v) : v);
    }
    return n;
}

/* The mandatory block (§4.1): Name, PersonalAcc, BankName, BIC, CorrespAcc,
 * with Name and BankName cut to the standard's lengths. Returns the count. */
static int mandatory_fields(const struct paydoc_payee *p, struct arena *a, struct pair *f,
                            bool *oom)
{
    const char *name = forms_clean(a, p->name, oom);
    const char *bank = forms_clean(a, p->bank_name, oom);
    f[F_NAME] = (struct pair){"Name", name ? cut(a, name, PAYDOC_QR_NAME_MAX, oom) : NULL};
    f[F_ACC] = (struct pair){"PersonalAcc", p->account};
    f[F_BANK] = (struct pair){"BankName", bank ? cut(a, bank, PAYDOC_QR_BANK_NAME_MAX, oom) : NULL};
    f[F_BIC] = (struct pair){"BIC", p->bic};
    f[F_CORR] = (struct pair){"CorrespAcc", given(p->corr_account) ? p->corr_account : "0"};
    return F_MANDATORY;
}

/* The additional and other fields after the block, from f[n]: PayeeINN, KPP,
 * Sum, Purpose, PersAcc, PaymPeriod, PayerAddress, LastName, TechCode.
 * Returns the new count. */
static int other_fields(const struct paydoc *d, const struct paydoc_payee *p, int period,
                        struct arena *a, struct pair *f, int n, bool *oom)
{
    f[n++] = (struct pair){"PayeeINN", p->inn};
    if (given(p->kpp))
        f[n++] = (struct pair){"KPP", p->kpp};
    /* Sum: what this payee is asked, in kopecks; nothing due (an overpaid
     * or settled account) is Sum=0, so parsers that require the field
     * (condo) still read the code and the bank app asks the payer. */
    f[n++] = (struct pair){"Sum", arena_printf(a, "%lld", (long long)(p->sum > 0 ? p->sum : 0))};
    const char *persacc = given(d->els)              ? d->els
                          : given(d->account_number) ? d->account_number
                                                     : NULL;
    persacc = forms_clean(a, persacc, oom);
    char pname[PERIOD_NAME_SIZE];
    date_period_name_ru(period, pname);
    const char *purpose = persacc ? arena_printf(a, "Оплата ЖКУ за %s, ЛС %s", pname, persacc)
                                  : arena_printf(a, "Оплата ЖКУ за %s", pname);
    f[n++] = (struct pair){"Purpose", purpose ? cut(a, purpose, PAYDOC_QR_PURPOSE_MAX, oom) : NULL};
    if (persacc)
        f[n++] = (struct pair){"PersAcc", persacc};
    f[n++] = (struct pair){"PaymPeriod", arena_printf(a, "%02d%04d", date_period_month(period),
                                                      date_period_year(period))};
    const char *addr = forms_clean(a, d->address, oom);
    const char *prem = forms_clean(a, d->premises, oom);
    if (addr && prem && !(addr = arena_printf(a, "%s, пом. %s", addr, prem)))
        *oom = true;
    if (addr)
        f[n++] = (struct pair){"PayerAddress", addr};
    /* The payer as the registry gives it: «Иванов И. И.» or a company's
     * name cannot be split into LastName, FirstName, MiddleName reliably. */
    const char *payer = forms_clean(a, d->payer, oom);
    if (payer)
        f[n++] = (struct pair){"LastName", payer};
    f[n++] = (struct pair){"TechCode", "02"}; /* коммунальные услуги, ЖКХ */
    return n;
}

/* QRCoder's 300 bytes of the mandatory block, in the payload's charset:
 * Name shortened a character at a time. */
static int fit_mandatory_block(struct pair *f, bool cp1251, struct arena *a, const char *who,
                               struct err *e)
{
    bool oom = false;
    while (mandatory_bytes(f, cp1251) > PAYDOC_QR_MANDATORY_MAX) {
        size_t len = strlen(f[F_NAME].value), cps = forms_cp_len(f[F_NAME].value, len);
        if (cps <= 1)
            return err_field(e, ERR_INVALID, "bank_name",
                             "%s: обязательные реквизиты длиннее %d байт", who,
                             PAYDOC_QR_MANDATORY_MAX);
        f[F_NAME].value = cut(a, f[F_NAME].value, cps - 1, &oom);
        if (oom)
            return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    }
    return 0;
}

/* §5.2.1: '|' unless a value holds it, then the first of the list no value
 * holds; 0 when every one occurs. */
static char separator_for(const struct pair *f, int n)
{
    for (const char *c = separators; *c; c++) {
        int i = 0;
        while (i < n && !strchr(f[i].value, *c))
            i++;
        if (i == n)
            return *c;
    }
    return 0;
}

int paydoc_qr_payload(const struct paydoc *d, int payee, struct arena *a, char **out, struct err *e)
{
    if (payee < 0 || payee >= d->npayees)
        return err_set(e, ERR_INVALID, "нет получателя платежа № %d", payee + 1);
    const struct paydoc_payee *p = &d->payees[payee];
    char who[96];
    snprintf(who, sizeof who, "Получатель платежа № %d", payee + 1);
    int rc = check_payee(p, who, e);
    if (rc)
        return rc;
    int period;
    if (!d->period || date_period_parse(d->period, &period, NULL))
        return err_field(e, ERR_INVALID, "period", "неверный период документа «%s»",
                         d->period ? d->period : "");
    if (p->sum > 999999999999999999LL)
        return err_field(e, ERR_INVALID, "sum", "%s: сумма длиннее 18 цифр", who);
    bool oom = false;
    struct pair f[F_MAX];
    int n = mandatory_fields(p, a, f, &oom);
    n = other_fields(d, p, period, a, f, n, &oom);
    for (int i = 0; i < n; i++)
        oom = oom || !f[i].value;
    if (oom)
        return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    /* The charset over every value, before the block is measured in it:
     * windows-1251 when all fit (a Cyrillic letter one byte, not two: a
     * smaller code, ГОСТ Р 56042 «1»), else UTF-8. */
    bool cp1251 = cp1251_fits(f, n);
    if ((rc = fit_mandatory_block(f, cp1251, a, who, e)))
        return rc;
    char sep = separator_for(f, n);
    if (!sep)
        return err_set(e, ERR_INVALID,
                       "%s: значения содержат все допустимые разделители QR-кода "
                       "(ГОСТ Р 56042-2014 п. 5.2.1)",
                       who);
    struct forms_buf b = {0};
    forms_puts(&b, cp1251 ? "ST00011" : "ST00012");
    for (int i = 0; i < n; i++) {
        forms_put(&b, &sep, 1);
        forms_puts(&b, f[i].key);
        forms_put(&b, "=", 1);
        forms_puts(&b, f[i].value);
    }
    return forms_finish(&b, a, out, e);
}

int paydoc_qr_bytes(const char *payload, struct arena *a, const unsigned char **bytes, size_t *len,
                    struct err *e)
{
    size_t n = strlen(payload);
    if (strncmp(payload, "ST00011", 7) != 0) {
        *bytes = (const unsigned char *)payload;
        *len = n;
        return 0;
    }
    char *out = arena_alloc(a, n + 1);
    if (!out)
        return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    int32_t got = utf8_to_cp1251(payload, n, out, (int32_t)n + 1);
    if (got < 0)
        return err_set(e, ERR_INVALID, "QR-код: текст не записывается в windows-1251");
    *bytes = (const unsigned char *)out;
    *len = (size_t)got;
    return 0;
}

int paydoc_qr_code(const char *payload, struct arena *a, struct qr *out, struct err *e)
{
    const unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = paydoc_qr_bytes(payload, a, &bytes, &len, e);
    return rc ? rc : qr_encode(bytes, len, a, out, e);
}

/* ---- reading ---- */

/* The bytes after the header as UTF-8 in *out: copied for charset '2'
 * (checked), converted by ICU from windows-1251 or KOI8-R. */
static int to_utf8(struct arena *a, char charset, const char *s, size_t n, char **out,
                   struct err *e)
{
    if (charset == '2') {
        char *c = arena_strndup(a, s, n);
        if (!c)
            return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
        if (!text_valid(c))
            return err_set(e, ERR_INVALID, "QR-код: текст после ST00012 не в UTF-8");
        *out = c;
        return 0;
    }
    const char *name = charset == '1' ? "windows-1251" : "KOI8-R";
    size_t cap = 3 * n + 1; /* a letter of either charset is at most 3 bytes of UTF-8 */
    char *c = arena_alloc(a, cap);
    if (!c)
        return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = ucnv_convert("UTF-8", name, c, (int32_t)cap, s, (int32_t)n, &st);
    if (U_FAILURE(st) || len < 0 || (size_t)len >= cap)
        return err_set(e, ERR_INVALID, "QR-код: текст не читается в кодировке %s", name);
    c[len] = '\0';
    *out = c;
    return 0;
}

int paydoc_qr_parse(const char *payload, struct arena *a, struct paydoc_qr *out, struct err *e)
{
    *out = (struct paydoc_qr){0};
    if (!payload || strncmp(payload, "ST0001", 6) != 0 || !payload[6] || !strchr("123", payload[6]))
        return err_set(e, ERR_INVALID,
                       "QR-код: нет заголовка ST00011, ST00012 или ST00013 (ГОСТ Р 56042-2014)");
    char charset = payload[6], sep = payload[7];
    unsigned char us = (unsigned char)sep;
    if (!sep || us >= 0x80 || us <= 0x20 || isalnum(us) || sep == '=')
        return err_set(e, ERR_INVALID, "QR-код: после заголовка %.7s нет разделителя", payload);
    const char *body = payload + 8;
    size_t n = strlen(body);
    while (n && (body[n - 1] == '\n' || body[n - 1] == '\r'))
        n--;
    char *text = NULL;
    int rc = to_utf8(a, charset, body, n, &text, e);
    if (rc)
        return rc;

    int cap = 1;
    for (const char *c = text; *c; c++)
        cap += *c == sep;
    struct paydoc_qr_field *fields = arena_alloc(a, sizeof *fields * (size_t)cap);
    if (!fields)
        return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    int k = 0, pos = 0;
    for (char *p = text; p;) {
        char *end = strchr(p, sep);
        if (end)
            *end = '\0';
        pos++;
        if (*p) { /* empty pairs: a trailing or doubled separator */
            char *eq = strchr(p, '=');
            if (!eq || eq == p)
                return err_set(e, ERR_INVALID, "QR-код: реквизит %d «%.40s» не вида Имя=Значение",
                               pos, p);
            *eq = '\0';
            fields[k++] = (struct paydoc_qr_field){p, eq + 1};
        }
        p = end ? end + 1 : NULL;
    }
    out->charset = charset;
    out->separator = sep;
    out->fields = fields;
    out->nfields = k;
    return 0;
}

const char *paydoc_qr_get(const struct paydoc_qr *q, const char *key)
{
    for (int i = 0; i < q->nfields; i++)
        if (strcasecmp(q->fields[i].key, key) == 0)
            return q->fields[i].value;
    return NULL;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int paydoc_qr_period(const char *value, int *period)
{
    if (!value)
        return ERR_INVALID;
    size_t n = strlen(value);
    int m, y;
    if (n == 6 && all_digits(value, 6)) { /* MMYYYY */
        m = (value[0] - '0') * 10 + (value[1] - '0');
        y = atoi(value + 2);
    } else if (n == 7 && value[2] == '.' && all_digits(value, 2) &&
               all_digits(value + 3, 4)) { /* MM.YYYY */
        m = (value[0] - '0') * 10 + (value[1] - '0');
        y = atoi(value + 3);
    } else if (n == 5 && all_digits(value, 5)) { /* MYYYY */
        m = value[0] - '0';
        y = atoi(value + 1);
    } else {
        return ERR_INVALID;
    }
    if (m < 1 || m > 12 || y < 1)
        return ERR_INVALID;
    *period = date_period(y, m);
    return 0;
}

int paydoc_qr_sum(const char *value, int64_t *kopecks)
{
    size_t n = value ? strlen(value) : 0;
    if (n < 1 || n > 18 || !all_digits(value, n))
        return ERR_INVALID;
    *kopecks = strtoll(value, NULL, 10);
    return 0;
}
