/* bench_render.c — payment documents as PDF (issue 7; docs/paydoc-pdf.md):
 * builds N synthetic, realistic documents in memory and measures
 *   (a) print batches: the N documents split over T threads, each thread
 *       drawing its share into one multi-page PDF (paydoc_pdf_add, then
 *       the file's bytes in memory) — documents per second;
 *   (b) single files: every document its own PDF in memory (paydoc_pdf),
 *       on the same T threads — documents per second and bytes per file;
 *   (c) the naive baseline, in the same run: a new libharu PDF per
 *       document with the whole DejaVu Sans file embedded as it is, the same
 *       text drawn one call at a time (a text object, a font and a size
 *       per string, a path per rule and per QR module), one thread.
 *
 *   bench_render [DB-URL] [N [T]]
 *
 * No database is used (scripts/bench.sh runs it once; a DB-URL first
 * argument is accepted and ignored). N: documents (default 1,000); T:
 * threads (default 2, the cores of the reference machine). Targets: ≥ 1,000
 * documents/s in batches on 2 cores, ≤ 40 KB per single file. The last line
 * is one JSON object, like every benchmark's.
 *
 * The documents: 12–15 service lines for the management organization (a
 * third of the documents also have the capital-repair fund as a second
 * payee with its own line and QR code), 3–5 meter readings, three contacts,
 * a correction in one document of four, a penalty in one of five, cashback
 * in one of three; names with «», „“ and ё. */
#include "base/arena.h"
#include "base/money.h"
#include "paydoc/paydoc.h"
#include "render/pdf.h"
#include "render/qr.h"

#include <hpdf.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define TARGET_BATCH_DOCS_PER_S 1000.0
#define TARGET_SINGLE_BYTES (40 * 1024)
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of this process (every thread): what the work cost whatever
 * else the machine runs. */
static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double load1(void)
{
    double l = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = 0;
        fclose(f);
    }
    return l;
}

/* ---- the documents ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const surnames[] = {"Семёнов", "Королёва", "Пономарёв", "Фёдорова", "Соловьёв",
                                       "Ершова",  "Журавлёв", "Лебедева",  "Кузнецов", "Воробьёва"};
static const char *const names[] = {"Пётр Алексеевич",  "Алёна Сергеевна", "Фёдор Ильич",
                                    "Ольга Викторовна", "Семён Павлович",  "Дарья Олеговна",
                                    "Артём Николаевич"};
static const char *const streets[] = {"ул. Строителей", "пр-т Королёва",       "ул. Циолковского",
                                      "Ёлочная ул.",    "ул. Тверская-Ямская", "Берёзовая аллея"};
static const char *const managers[] = {"ООО «Управляющая компания „Берёзка“»",
                                       "АО «Жилсервис-Королёв»",
                                       "ООО «УК „Наш дом — Подмосковье“»"};

struct service {
    const char *name, *unit;
    char method;
    int64_t qty_lo, qty_hi; /* thousandths */
    int64_t price;          /* hundredths of a kopeck */
};
static const struct service services[] = {
    {"Содержание жилого помещения", "м²", 'A', 30000, 90000, 325000},
    {"Текущий ремонт общего имущества", "м²", 'A', 30000, 90000, 41200},
    {"Холодное водоснабжение", "м³", 'M', 2000, 12000, 511900},
    {"Горячее водоснабжение (теплоноситель)", "м³", 'M', 1000, 8000, 511900},
    {"Горячее водоснабжение (тепловая энергия)", "Гкал", 'M', 60, 500, 27652500},
    {"Водоотведение", "м³", 'M', 3000, 20000, 421500},
    {"Электроснабжение (день)", "кВт·ч", 'M', 60000, 300000, 71800},
    {"Электроснабжение (ночь)", "кВт·ч", 'V', 20000, 120000, 29500},
    {"Отопление", "Гкал", 'A', 500, 2500, 27652500},
    {"Обращение с твёрдыми коммунальными отходами", "чел.", 'R', 1000, 5000, 1142500},
    {"Холодная вода на содержание общего имущества", "м³", 'N', 100, 400, 511900},
    {"Горячая вода на содержание общего имущества", "м³", 'N', 50, 300, 511900},
    {"Электроэнергия на содержание общего имущества", "кВт·ч", 'K', 4000, 12000, 71800},
    {"Водоотведение на содержание общего имущества", "м³", 'N', 150, 700, 421500},
    {"Запирающее устройство (домофон)", "кв.", 'F', 1000, 1000, 650000},
};

static int64_t amount_of(int64_t qty, int64_t price)
{
    int64_t a = 0;
    money_mul_div_round(qty, price, 1000 * 100, &a);
    return a;
}

static void make_doc(struct arena *a, int i, struct paydoc *d)
{
    memset(d, 0, sizeof *d);
    int two = i % 3 == 0;
    const char *street = streets[rnd(COUNT(streets))];
    d->account_id = i + 1;
    d->org_id = 3;
    d->els = arena_printf(a, "%02uda%06u", 10 + rnd(80), (unsigned)(100000 + i));
    d->account_number = arena_printf(a, "%u-%05d", 100 + rnd(800), i);
    d->ipd = arena_printf(a, "%s-01-1026", d->els);
    d->period = "2026-10";
    d->issued_on = "2026-11-01";
    d->due_on = "2026-11-10";
    d->payer = arena_printf(a, "%s %s", surnames[rnd(COUNT(surnames))], names[rnd(COUNT(names))]);
    d->municipality = "г. о. Королёв";
    d->address = arena_printf(a, "Московская обл., г. Королёв, %s, д. %u", street, 1 + rnd(60));
    d->premises = arena_printf(a, "%u", 1 + rnd(200));
    d->area = 3000 + rnd(9000);
    d->residents = 1 + rnd(5);
    d->opening = rnd(4) == 0 ? -(int64_t)rnd(100000) : (int64_t)rnd(500000);
    d->paid = d->opening > 0 ? d->opening - (int64_t)rnd(2) * d->opening / 3 : 0;

    d->npayees = two ? 2 : 1;
    d->payees = arena_alloc(a, sizeof *d->payees * 2);
    d->payees[0] = (struct paydoc_payee){
        .org_id = 3,
        .name = managers[rnd(COUNT(managers))],
        .inn = "7707083893",
        .kpp = "770701001",
        .ogrn = "1027700132195",
        .address =
            arena_printf(a, "141070, Московская обл., г. Королёв, %s, д. 2А, пом. 5", street),
        .phone = "+7 495 123-45-67",
        .email = "info@berezka-uk.ru",
        .website = "berezka-uk.ru",
        .bank_name = "ПАО Сбербанк",
        .bic = "044525225",
        .account = "40702810138250123017",
        .corr_account = "30101810400000000225"};
    d->payees[1] = (struct paydoc_payee){
        .org_id = 7,
        .name = "НО «Фонд капитального ремонта общего имущества многоквартирных домов»",
        .inn = "7701169833",
        .kpp = "770101001",
        .address = "127006, г. Москва, ул. Малая Дмитровка, д. 3/10",
        .phone = "8 800 700-00-00",
        .email = "fkr@example.ru",
        .website = "fkr-mo.ru",
        .bank_name = "ПАО Банк «Санкт-Петербург»",
        .bic = "044030827",
        .account = "40702810900000002851",
        .corr_account = "30101810200000000827"};

    int ncharges = 12 + (int)rnd(4); /* 12–15 */
    d->lines = arena_alloc(a, sizeof *d->lines * 20);
    int n = 0;
    for (int k = 0; k < ncharges; k++) {
        const struct service *s = &services[k];
        int64_t qty = s->method == 'A'   ? d->area * 10
                      : s->method == 'R' ? d->residents * 1000
                                         : s->qty_lo + rnd((unsigned)(s->qty_hi - s->qty_lo + 1));
        d->lines[n++] = (struct paydoc_line){.kind = 'C',
                                             .method = s->method,
                                             .service = s->name,
                                             .unit = s->unit,
                                             .quantity = qty,
                                             .price = s->price,
                                             .amount = amount_of(qty, s->price)};
    }
    if (two)
        d->lines[n++] = (struct paydoc_line){.kind = 'C',
                                             .method = 'A',
                                             .payee = 1,
                                             .service = "Взнос на капитальный ремонт",
                                             .unit = "м²",
                                             .quantity = d->area * 10,
                                             .price = 111200,
                                             .amount = amount_of(d->area * 10, 111200)};
    if (i % 4 == 1)
        d->lines[n++] = (struct paydoc_line){
            .kind = 'R',
            .method = 'M',
            .service = "Холодное водоснабжение",
            .unit = "м³",
            .amount = -(int64_t)(1000 + rnd(20000)),
            .period = "2026-09",
            .reason = "показания после поверки прибора учёта (акт № 17 от 12.10.2026)"};
    if (i % 5 == 2)
        d->lines[n++] = (struct paydoc_line){
            .kind = 'P',
            .method = '-',
            .amount = 100 + rnd(5000),
            .period = "2026-08",
            .explain = arena_printf(a, "долг %s × 1/300 ставки 16 %% × 31 день", "2 345,67")};
    if (i % 3 == 1)
        d->lines[n++] = (struct paydoc_line){.kind = 'B',
                                             .method = '-',
                                             .amount = -(int64_t)(500 + rnd(3000)),
                                             .period = "2026-10",
                                             .explain = "2 % платежей через приложение"};
    d->nlines = n;
    for (int k = 0; k < n; k++) {
        const struct paydoc_line *l = &d->lines[k];
        int64_t *sum = l->kind == 'C'   ? &d->charged
                       : l->kind == 'R' ? &d->corrected
                       : l->kind == 'P' ? &d->penalty
                                        : &d->cashback;
        *sum += l->amount;
        if (l->kind == 'C' || l->kind == 'R')
            d->payees[l->payee].lines_total += l->amount;
    }
    d->total = d->opening - d->paid + d->charged + d->corrected + d->penalty + d->cashback;
    if (two) {
        d->payees[1].sum = d->payees[1].lines_total;
        d->payees[0].sum = d->total - d->payees[1].sum;
    } else {
        d->payees[0].sum = d->total;
    }
    for (int k = 0; k < d->npayees; k++)
        if (d->payees[k].sum < 0)
            d->payees[k].sum = 0;

    d->nreadings = 3 + (int)rnd(3);
    d->readings = arena_alloc(a, sizeof *d->readings * 5);
    static const char *const res[] = {"cold_water", "hot_water", "electricity", "electricity",
                                      "heat"};
    static const char *const zones[] = {"single", "single", "day", "night", "single"};
    for (int k = 0; k < d->nreadings; k++) {
        unsigned prev = 100 + rnd(9000), use = 1 + rnd(300);
        d->readings[k] = (struct paydoc_reading){
            .serial = arena_printf(a, "%s-%07u", k < 2 ? "ВС" : "Э", (unsigned)(i * 7 + k)),
            .resource = res[k],
            .zone = zones[k],
            .previous = k == 4 ? NULL : arena_printf(a, "%u.%03u", prev, rnd(1000)),
            .current = arena_printf(a, "%u.%03u", prev + use, rnd(1000)),
            .consumption = arena_printf(a, "%u.%03u", use, rnd(1000))};
    }
    d->ncontacts = 3;
    d->contacts = arena_alloc(a, sizeof *d->contacts * 3);
    d->contacts[0] =
        (struct paydoc_contact){"manager",          d->payees[0].name,  d->payees[0].address,
                                d->payees[0].phone, d->payees[0].email, d->payees[0].website};
    d->contacts[1] = (struct paydoc_contact){
        "supplier", "АО «Мосэнергосбыт»", NULL, "+7 499 550-95-50", NULL, "mosenergosbyt.ru"};
    d->contacts[2] = (struct paydoc_contact){"dispatch", "Аварийно-диспетчерская служба",
                                             NULL,       "+7 495 765-43-21 (круглосуточно)",
                                             NULL,       NULL};
}

/* ---- (a) batches and (b) single files, on T threads ---- */

struct share {
    const struct paydoc *docs;
    int from, to;
    int batch;            /* 1: one PDF for the share; 0: one per document */
    int64_t pages, bytes; /* out */
    size_t max_bytes;     /* out: the largest single file */
    int failed;           /* out */
    char why[sizeof(struct err){0}.msg];
};

static void *render_share(void *arg)
{
    struct share *s = arg;
    struct err e = {0};
    if (s->batch) {
        struct pdf_doc *p;
        struct arena *a = arena_new();
        if (!a || pdf_open(&p, &e)) {
            s->failed = 1;
            snprintf(s->why, sizeof s->why, "%s", e.msg);
            arena_free(a);
            return NULL;
        }
        for (int i = s->from; i < s->to && !s->failed; i++) {
            int pages = 0;
            if (paydoc_pdf_add(p, &s->docs[i], &pages, &e))
                s->failed = 1;
            s->pages += pages;
        }
        unsigned char *buf;
        size_t len = 0;
        if (!s->failed && pdf_save_mem(p, a, &buf, &len, &e))
            s->failed = 1;
        s->bytes = (int64_t)len;
        if (s->failed)
            snprintf(s->why, sizeof s->why, "%s", e.msg);
        pdf_free(p);
        arena_free(a);
        return NULL;
    }
    for (int i = s->from; i < s->to; i++) {
        struct arena *a = arena_new();
        unsigned char *buf;
        size_t len = 0;
        if (!a || paydoc_pdf(&s->docs[i], a, &buf, &len, &e)) {
            s->failed = 1;
            snprintf(s->why, sizeof s->why, "%s", a ? e.msg : "нет памяти");
            arena_free(a);
            return NULL;
        }
        s->bytes += (int64_t)len;
        if (len > s->max_bytes)
            s->max_bytes = len;
        arena_free(a);
    }
    return NULL;
}

struct result {
    double seconds, docs_per_s, cpu_ms; /* cpu_ms: CPU milliseconds a document */
    int64_t pages, bytes;
    size_t max_bytes;
};

static int run_threads(const struct paydoc *docs, int n, int threads, int batch, struct result *r)
{
    struct share sh[64];
    pthread_t th[64];
    memset(sh, 0, sizeof sh);
    double t0 = seconds(), c0 = cpu_seconds();
    for (int t = 0; t < threads; t++) {
        sh[t] = (struct share){.docs = docs,
                               .from = (int)((int64_t)n * t / threads),
                               .to = (int)((int64_t)n * (t + 1) / threads),
                               .batch = batch};
        if (pthread_create(&th[t], NULL, render_share, &sh[t])) {
            fprintf(stderr, "bench_render: cannot start a thread\n");
            return -1;
        }
    }
    int failed = 0;
    memset(r, 0, sizeof *r);
    for (int t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        if (sh[t].failed) {
            fprintf(stderr, "bench_render: %s\n", sh[t].why);
            failed = 1;
        }
        r->pages += sh[t].pages;
        r->bytes += sh[t].bytes;
        if (sh[t].max_bytes > r->max_bytes)
            r->max_bytes = sh[t].max_bytes;
    }
    r->seconds = seconds() - t0;
    r->docs_per_s = (double)n / r->seconds;
    r->cpu_ms = (cpu_seconds() - c0) * 1000 / (double)n;
    return failed ? -1 : 0;
}

/* ---- (c) the naive baseline ---- */

struct naive {
    HPDF_Doc h;
    HPDF_Font font;
    HPDF_Page page;
    float y;
    int failed;
};

static void naive_error(HPDF_STATUS no, HPDF_STATUS detail, void *data)
{
    (void)no;
    (void)detail;
    ((struct naive *)data)->failed = 1;
}

static void naive_text(struct naive *n, float x, float size, const char *s)
{
    HPDF_Page_BeginText(n->page);
    HPDF_Page_SetFontAndSize(n->page, n->font, size);
    HPDF_Page_TextOut(n->page, x, 842 - n->y, s && *s ? s : "—");
    HPDF_Page_EndText(n->page);
}

static void naive_rule(struct naive *n)
{
    HPDF_Page_SetLineWidth(n->page, 0.4f);
    HPDF_Page_MoveTo(n->page, 28, 842 - n->y - 2.5f);
    HPDF_Page_LineTo(n->page, 567, 842 - n->y - 2.5f);
    HPDF_Page_Stroke(n->page);
}

/* The next line, on a new page past the bottom. */
static void naive_next(struct naive *n)
{
    n->y += 9;
    if (n->y > 820) {
        n->page = HPDF_AddPage(n->h);
        HPDF_Page_SetSize(n->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        n->y = 30;
    }
}

static void naive_line(struct naive *n, const char *s)
{
    naive_text(n, 28, 7.5f, s);
    naive_next(n);
}

static const char *naive_money(char *buf, int64_t v)
{
    money_format_display(buf, MONEY_DISPLAY_SIZE, v);
    return buf;
}

/* The document's text, a string a call, on a fresh PDF with DejaVu Sans. */
static int naive_doc(const struct paydoc *d, struct arena *a, size_t *bytes)
{
    struct naive n = {0};
    char m[MONEY_DISPLAY_SIZE];
    n.h = HPDF_New(naive_error, &n);
    if (!n.h)
        return -1;
    HPDF_SetCompressionMode(n.h, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(n.h);
    const char *fn = HPDF_LoadTTFontFromFile(n.h, DEJAVU, HPDF_TRUE);
    n.font = fn ? HPDF_GetFont(n.h, fn, "UTF-8") : NULL;
    if (!n.font) {
        HPDF_Free(n.h);
        return -1;
    }
    n.page = HPDF_AddPage(n.h);
    HPDF_Page_SetSize(n.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    n.y = 36;
    naive_text(&n, 28, 11,
               arena_printf(a, "ПЛАТЁЖНЫЙ ДОКУМЕНТ за октябрь 2026 г.   ИПД %s", d->ipd));
    n.y += 14;
    naive_line(&n, arena_printf(a, "Плательщик: %s", d->payer));
    naive_line(&n, arena_printf(a, "Адрес: %s, кв. %s", d->address, d->premises));
    naive_line(&n,
               arena_printf(a,
                            "ЕЛС: %s   Лицевой счёт: %s   Площадь: %" PRId64 ",%02" PRId64
                            " м²   Проживает: %" PRId64,
                            d->els, d->account_number, d->area / 100, d->area % 100, d->residents));
    for (int i = 0; i < d->npayees; i++) {
        const struct paydoc_payee *p = &d->payees[i];
        naive_line(&n, p->name);
        naive_line(&n, arena_printf(a, "ИНН %s КПП %s Р/с %s в %s БИК %s К/с %s", p->inn, p->kpp,
                                    p->account, p->bank_name, p->bic, p->corr_account));
        naive_line(&n, arena_printf(a, "Адрес: %s Тел.: %s E-mail: %s Сайт: %s", p->address,
                                    p->phone, p->email, p->website));
    }
    for (int i = 0; i < d->nreadings; i++) {
        const struct paydoc_reading *r = &d->readings[i];
        naive_text(&n, 28, 7.5f, r->serial);
        naive_text(&n, 150, 7.5f, r->resource);
        naive_text(&n, 300, 7.5f, r->previous);
        naive_text(&n, 400, 7.5f, r->current);
        naive_text(&n, 500, 7.5f, r->consumption);
        naive_rule(&n);
        naive_next(&n);
    }
    for (int i = 0; i < d->nlines; i++) {
        const struct paydoc_line *l = &d->lines[i];
        naive_text(&n, 28, 7.5f, l->service ? l->service : l->explain);
        naive_text(&n, 260, 7.5f, l->unit);
        naive_text(&n, 310, 7.5f, arena_printf(a, "%" PRId64, l->quantity));
        naive_text(&n, 380, 7.5f, arena_printf(a, "%" PRId64, l->price));
        naive_text(&n, 500, 7.5f, naive_money(m, l->amount));
        naive_rule(&n);
        naive_next(&n);
    }
    for (int i = 0; i < d->ncontacts; i++)
        naive_line(&n, arena_printf(a, "%s: %s, тел. %s", d->contacts[i].role, d->contacts[i].name,
                                    d->contacts[i].phone));
    naive_text(&n, 28, 10, arena_printf(a, "Итого к оплате: %s руб.", naive_money(m, d->total)));
    n.y += 14;
    for (int i = 0; i < d->npayees; i++) {
        char *payload;
        struct qr q;
        struct err e = {0};
        if (paydoc_qr_payload(d, i, a, &payload, &e) || paydoc_qr_code(payload, a, &q, &e))
            continue;
        float x0 = 28 + (float)i * 200, y0 = 842 - n.y;
        for (int r = 0; r < q.size; r++)
            for (int c = 0; c < q.size; c++)
                if (q.modules[r * q.size + c]) {
                    HPDF_Page_Rectangle(n.page, x0 + (float)c * 1.5f, y0 - (float)(r + 1) * 1.5f,
                                        1.5f, 1.5f);
                    HPDF_Page_Fill(n.page);
                }
        naive_text(&n, x0 + 120, 9, arena_printf(a, "Сумма: %s", naive_money(m, d->payees[i].sum)));
    }
    int rc = n.failed || HPDF_SaveToStream(n.h) != HPDF_OK ? -1 : 0;
    *bytes = rc ? 0 : HPDF_GetStreamSize(n.h);
    HPDF_Free(n.h);
    return rc;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && strchr(argv[arg], ':'))
        arg++; /* scripts/bench.sh passes a database URL; none is needed */
    long n = arg < argc ? strtol(argv[arg++], NULL, 10) : 1000;
    long threads = arg < argc ? strtol(argv[arg++], NULL, 10) : 2;
    if (n < 1 || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: bench_render [DB-URL] [DOCUMENTS [THREADS (1–64)]]\n");
        return 2;
    }
    double load0 = load1();
    printf("bench_render: %ld documents, %ld thread(s), load average %.2f\n", n, threads, load0);
    struct arena *a = arena_new();
    struct paydoc *docs = a ? arena_alloc(a, sizeof *docs * (size_t)n) : NULL;
    if (!docs) {
        fprintf(stderr, "bench_render: no memory\n");
        return 1;
    }
    int64_t lines = 0;
    int twos = 0;
    for (long i = 0; i < n; i++) {
        make_doc(a, (int)i, &docs[i]);
        lines += docs[i].nlines;
        twos += docs[i].npayees == 2;
    }
    printf("  documents: %.1f lines each, %d with two payees\n", (double)lines / (double)n, twos);
    fflush(stdout);

    /* A warm-up document: the font's lean copy and the width table. */
    struct arena *w = arena_new();
    unsigned char *wb;
    size_t wl;
    struct err e = {0};
    if (!w || paydoc_pdf(&docs[0], w, &wb, &wl, &e)) {
        fprintf(stderr, "bench_render: %s\n", e.msg);
        return 1;
    }
    arena_free(w);

    struct result batch, single;
    if (run_threads(docs, (int)n, (int)threads, 1, &batch))
        return 1;
    printf("  (a) print batches: %ld PDF(s), %" PRId64 " pages in %.2f s: %.0f documents/s,"
           " %.2f ms CPU and %.1f KB per document\n",
           threads, batch.pages, batch.seconds, batch.docs_per_s, batch.cpu_ms,
           (double)batch.bytes / (double)n / 1024);
    fflush(stdout);
    if (run_threads(docs, (int)n, (int)threads, 0, &single))
        return 1;
    double mean = (double)single.bytes / (double)n;
    printf("  (b) single files: %.2f s: %.0f documents/s, %.2f ms CPU, %.1f KB mean, %.1f KB max"
           " per file\n",
           single.seconds, single.docs_per_s, single.cpu_ms, mean / 1024,
           (double)single.max_bytes / 1024);
    fflush(stdout);

    /* (c) the baseline on one thread, over at most 1,000 documents. */
    long nb = n < 1000 ? n : 1000;
    int64_t base_bytes = 0;
    size_t base_max = 0;
    double t0 = seconds(), c0 = cpu_seconds();
    for (long i = 0; i < nb; i++) {
        struct arena *ba = arena_new();
        size_t bytes = 0;
        if (!ba || naive_doc(&docs[i], ba, &bytes)) {
            fprintf(stderr, "bench_render: the baseline failed on document %ld\n", i);
            return 1;
        }
        base_bytes += (int64_t)bytes;
        if (bytes > base_max)
            base_max = bytes;
        arena_free(ba);
    }
    double base_s = seconds() - t0, base_rate = (double)nb / base_s;
    double base_cpu = (cpu_seconds() - c0) * 1000 / (double)nb;
    double base_mean = (double)base_bytes / (double)nb;
    printf("  (c) baseline (a libharu PDF per document, whole DejaVu Sans, one thread): %ld in"
           " %.2f s: %.0f documents/s, %.2f ms CPU, %.1f KB mean, %.1f KB max\n",
           nb, base_s, base_rate, base_cpu, base_mean / 1024, (double)base_max / 1024);
    double load = load1();
    printf("  targets: batch %.0f ≥ %.0f documents/s %s; single file %.1f ≤ %d KB %s;"
           " ratio (batch ÷ baseline) %.2f; load average %.2f\n",
           batch.docs_per_s, TARGET_BATCH_DOCS_PER_S,
           batch.docs_per_s >= TARGET_BATCH_DOCS_PER_S ? "met" : "MISSED",
           (double)single.max_bytes / 1024, TARGET_SINGLE_BYTES / 1024,
           single.max_bytes <= TARGET_SINGLE_BYTES ? "met" : "MISSED", batch.docs_per_s / base_rate,
           load);
    printf(
        "{\"bench\": \"render\", \"backend\": \"memory\", \"figures\": {\"documents\": %ld,"
        " \"threads\": %ld, \"lines_per_document\": %.1f, \"batch_docs_per_s\": %.0f,"
        " \"batch_cpu_ms_per_document\": %.2f, \"batch_pages\": %" PRId64
        ", \"batch_bytes_per_document\": %.0f, \"single_docs_per_s\": %.0f,"
        " \"single_cpu_ms_per_document\": %.2f, \"single_bytes_mean\": %.0f,"
        " \"single_bytes_max\": %zu, \"load_before\": %.2f, \"load_after\": %.2f},"
        " \"baseline\": {\"documents\": %ld, \"docs_per_s\": %.0f, \"cpu_ms_per_document\": %.2f,"
        " \"bytes_mean\": %.0f, \"bytes_max\": %zu}, \"ratio\": %.2f}\n",
        n, threads, (double)lines / (double)n, batch.docs_per_s, batch.cpu_ms, batch.pages,
        (double)batch.bytes / (double)n, single.docs_per_s, single.cpu_ms, mean, single.max_bytes,
        load0, load, nb, base_rate, base_cpu, base_mean, base_max, batch.docs_per_s / base_rate);
    arena_free(a);
    return 0;
}
