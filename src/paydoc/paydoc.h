/* paydoc.h — the payment document (платёжный документ, ПП 354 п. 69; the
 * model form of Приказ Минстроя № 43/пр): one account's statement for a
 * period with everything the resident holds in hand — payees with bank
 * details, payer and address, the table of services, corrections,
 * penalties, debt and payments, the total due, the meter readings used,
 * contacts, and one GOST R 56042-2014 payment QR code per payee
 * (docs/paydoc.md).
 *
 * One model (struct paydoc), assembled from the store (load.c), serves every
 * form: PDF (pdf.c, through render/pdf.h), plain text (text.c), JSON
 * (json.c); the QR payload is gost.c. Print batches and single files for a
 * period are render.c, the files' manifest (paydoc_files) keeps a re-run
 * from rewriting what has not changed.
 *
 * Units as in billing.h: money int64 kopecks, quantities thousandths of the
 * unit, prices hundredths of a kopeck, areas hundredths of m². Strings live
 * in the caller's arena. */
#ifndef UPRAVDOM_PAYDOC_H
#define UPRAVDOM_PAYDOC_H

#include "base/arena.h"
#include "base/err.h"
#include "directory/directory.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define PAYDOC_IPD_LEN 18 /* ИПД: ЕЛС(10) + "-01" + "-" + MMYY */

/* ---- the model ---- */

/* An organization paid through the document. payees[0] is the account's own
 * organization: the opening balance, payments, penalties and cashback are
 * its; every other payee (a service's payee_org_id) is asked the amount of
 * its own lines. The total due (max(total, 0)) goes to the other payees first,
 * each at most max(lines_total, 0), the rest to payees[0]: the sums add up to
 * the total due (docs/paydoc.md "Which payee gets what"). */
struct paydoc_payee {
    int64_t org_id;
    const char *name, *inn, *kpp, *ogrn;
    const char *address, *phone, *email, *website;
    const char *bank_name, *bic, *account, *corr_account; /* р/с, к/с; NULL: not given */
    int64_t lines_total; /* its lines of the period (charges, corrections) */
    int64_t sum;         /* the QR's Sum: what this payee is to be paid, >= 0 */
};

/* One row of the table of services, or a correction, penalty or cashback
 * row (kinds and methods of billing.h: 'C' 'R' 'P' 'B'; 'M' 'V' 'N' 'K' 'A'
 * 'R' 'F' '-'). */
struct paydoc_line {
    char kind, method;
    int payee;                  /* index into payees */
    const char *service, *unit; /* the service's name and unit; NULL for P and B */
    int64_t quantity;           /* thousandths; 0 where there is none */
    int64_t price;              /* hundredths of a kopeck per unit; 0 where none */
    int64_t amount;             /* kopecks */
    const char *period;         /* R: the period recalculated; P: the debt's period */
    const char *reason;         /* R: the reason; else NULL */
    const char *explain; /* how it was found, in Russian («по показаниям», …) */
};

/* A meter reading the charges used (ПД section 2). Values are decimal text
 * with the meter's own decimals. */
struct paydoc_reading {
    const char *serial, *resource, *zone; /* resource, zone as in meters.h */
    const char *previous, *current;       /* previous NULL: the initial value */
    const char *consumption;
};

/* Management organization, suppliers and the dispatch service (аварийно-
 * диспетчерская служба). role: "manager" | "supplier" | "dispatch". */
struct paydoc_contact {
    const char *role, *name, *address, *phone, *email, *website;
};

struct paydoc {
    int64_t account_id, org_id, region_id, municipality_id, house_id;
    const char *els;                /* NULL when the account has none */
    const char *account_number;     /* the supplier's own number */
    const char *ipd;                /* ИПД, NULL without an ЕЛС */
    const char *period;             /* YYYY-MM */
    const char *issued_on, *due_on; /* YYYY-MM-DD */
    const char *payer;              /* NULL: not known */
    const char *municipality;       /* name */
    const char *address;            /* the house's address */
    const char *premises;           /* the premises number, NULL without premises */
    int64_t entrance;               /* 0: unknown */
    int64_t area;                   /* premises area, hundredths of m²; 0: unknown */
    int64_t residents;
    /* The statement's sums (billing.h struct statement). */
    int64_t opening, charged, corrected, penalty, cashback, paid;
    int64_t total; /* closing: > 0 due, < 0 overpaid */
    struct paydoc_payee *payees;
    int npayees;
    struct paydoc_line *lines; /* charges by payee then sort order, then R, P, B */
    int nlines;
    struct paydoc_reading *readings;
    int nreadings;
    struct paydoc_contact *contacts;
    int ncontacts;
};

/* ---- the GOST R 56042-2014 payload (gost.c) ----
 * "ST00011" (windows-1251: every value fits it, a Cyrillic letter a byte, so
 * a smaller code) or "ST00012" (UTF-8: something does not fit) + separator
 * + Key=Value pairs: the mandatory block Name,
 * PersonalAcc, BankName, BIC, CorrespAcc ("0" for a Bank of Russia
 * subdivision, БИК ending 000), then PayeeINN, KPP (left out when empty:
 * an ИП), Sum (kopecks; 0 when the payee's sum is not positive), Purpose
 * («Оплата ЖКУ за октябрь 2026, ЛС …»), PersAcc (ЕЛС, else the account
 * number), PaymPeriod (MMYYYY), PayerAddress (the house's address and the
 * premises), LastName (the payer as given, not split), TechCode=02; a value
 * not given is left out. The separator is '|' unless a value holds it; then
 * the first of the standard's list that no value holds (§5.2.1; none:
 * ERR_INVALID). Name, BankName and Purpose are cut to their limits below;
 * control characters become spaces. ERR_INVALID naming the payee's field
 * (name, bank_name, bic, account, corr_account, inn, kpp) when it is missing
 * or fails its check (base/ident.h); "period" for a bad period. */
int paydoc_qr_payload(const struct paydoc *d, int payee, struct arena *a, char **out,
                      struct err *e);
/* The bytes a QR code carries for a payload (always UTF-8 text here): in
 * windows-1251 for ST00011, as they are for ST00012. In the arena (or the
 * payload itself). */
int paydoc_qr_bytes(const char *payload, struct arena *a, const unsigned char **bytes, size_t *len,
                    struct err *e);
/* The QR code of a payload: its bytes (paydoc_qr_bytes) through qr_encode. */
struct qr;
int paydoc_qr_code(const char *payload, struct arena *a, struct qr *out, struct err *e);

/* Length limits of the values the payload may shorten (docs/paydoc.md "QR
 * payload"): the standard's, in characters (code points), whatever the
 * charset; and the QRCoder rule that the mandatory block (from "Name=" to
 * the end of CorrespAcc) is at most 300 bytes in the payload's charset, met
 * by shortening Name further. */
#define PAYDOC_QR_NAME_MAX 160
#define PAYDOC_QR_BANK_NAME_MAX 45
#define PAYDOC_QR_PURPOSE_MAX 210
#define PAYDOC_QR_MANDATORY_MAX 300

/* A payload read back (gost.c): for tests that decode the rendered QR codes,
 * and for reading a resident's bill elsewhere (appeals, Open311). */
struct paydoc_qr_field {
    const char *key;   /* as written ("PersAcc", "persAcc" …) */
    const char *value; /* UTF-8, as written (nothing trimmed) */
};
struct paydoc_qr {
    char charset;   /* the header's digit: '1' windows-1251, '2' UTF-8, '3' KOI8-R */
    char separator; /* the character after the header */
    struct paydoc_qr_field *fields; /* in the payload's order */
    int nfields;
};
/* Parses "ST0001" + charset digit + separator + Key=Value pairs split by that
 * separator. Values of a windows-1251 or KOI8-R payload are converted to
 * UTF-8. Tolerated: a trailing separator, empty pairs, a trailing newline
 * (what zbarimg prints). ERR_INVALID with a Russian message on another
 * header, a separator that is a letter, digit, '=' or not ASCII, a pair
 * without '=' or with an empty key, bad text in the charset. Strings live in
 * the arena. */
int paydoc_qr_parse(const char *payload, struct arena *a, struct paydoc_qr *out, struct err *e);
/* The value of the first field named key, compared case-insensitively
 * (real bills write "persAcc", "paymPeriod"); NULL when there is none. */
const char *paydoc_qr_get(const struct paydoc_qr *q, const char *key);
/* A PaymPeriod value as written in the wild: "MMYYYY" ("102026"), "MM.YYYY"
 * ("10.2026") or "MYYYY" ("62015"), into a date_period() number. Returns 0
 * or ERR_INVALID. */
int paydoc_qr_period(const char *value, int *period);
/* A Sum value: 1 to 18 digits of kopecks. Returns 0 or ERR_INVALID. */
int paydoc_qr_sum(const char *value, int64_t *kopecks);

/* ---- forms ---- */

/* The plain-text form (text.c): the same sections as the PDF, UTF-8, lines
 * of at most 80 columns, for screen readers and integrations. */
int paydoc_text(const struct paydoc *d, struct arena *a, char **out, struct err *e);
/* The JSON form (json.c), docs/paydoc.md "JSON form"; with each payee's QR
 * payload and its module matrix (rows of '0'/'1'). The caller owns the
 * returned reference. */
struct json_t;
int paydoc_json(const struct paydoc *d, struct json_t **out, struct err *e);
/* The same with matrices false: each payee's "qr" holds its payload alone,
 * without "size" and "modules". What the render's manifest hashes: the
 * matrix is a function of the payload, and encoding it (libqrencode's mask
 * selection) costs more than the rest of the document. */
int paydoc_json_form(const struct paydoc *d, bool matrices, struct json_t **out, struct err *e);

/* ---- PDF (pdf.c, over render/pdf.h: libharu, one embedded subset font) ---- */

struct pdf_doc;
/* Adds d to an open PDF as one A4 page (more when its lines do not fit): a
 * print batch adds many documents to one PDF. *pages gets the pages added. */
int paydoc_pdf_add(struct pdf_doc *pdf, const struct paydoc *d, int *pages, struct err *e);
/* d alone as a PDF in memory (the arena's): the single file, the API's
 * "download bill". */
int paydoc_pdf(const struct paydoc *d, struct arena *a, unsigned char **pdf, size_t *len,
               struct err *e);

/* ---- loading (load.c) ---- */

/* One visible account's document for a period (ERR_NOTFOUND when the account
 * is not visible or has no statement for it). */
int paydoc_load(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                const char *period, struct arena *a, struct paydoc *out, struct err *e);

/* The documents of one house (house_id 0: the accounts without a house in
 * municipality_id) for a period — the statements that name the house, where
 * the accounts were billed — of one organization (org_id 0: every
 * organization billing there; slow, no index serves it), in one pass — a handful of queries per
 * house, not per account. Ordered by entrance (unknown last), then premises
 * number in natural order (1, 2, 10, 10а; accounts without premises last),
 * then account id. The loader keeps what houses share (organizations,
 * services, runs) for its life: the documents point into it, so it
 * outlives them. One connection, one thread. */
struct paydoc_loader;
int paydoc_loader_open(struct store_conn *c, const struct store_scope *s, const char *period,
                       struct paydoc_loader **out, struct err *e);
int paydoc_loader_house(struct paydoc_loader *l, int64_t house_id, int64_t municipality_id,
                        int64_t org_id, struct arena *a, struct paydoc **docs, int *n,
                        struct err *e);
void paydoc_loader_free(struct paydoc_loader *l);

/* ИПД (payment document id, DOMAIN.md §4): ЕЛС + "-01-" + MMYY of the
 * period, PAYDOC_IPD_LEN characters. ERR_INVALID for a missing or malformed
 * ЕЛС or period. */
int paydoc_ipd(const char *els, const char *period, char out[PAYDOC_IPD_LEN + 1]);

/* ---- delivery route (route.c): pure functions ---- */

/* A house address split for the delivery route: `street` is the address
 * before the house number, without a leading postal code and region
 * («г. Пушкино, ул. Ленина»; «Московский пр-кт»; «д. Ивановка»), `number`
 * the house number («12к1», «3/1», «7»; NULL when the address names none).
 * Both in the arena; NULL address gives both NULL. */
struct paydoc_address {
    const char *street, *number;
};
int paydoc_address_split(const char *address, struct arena *a, struct paydoc_address *out);
/* Natural order of numbers and names: runs of digits compare by value, the
 * rest byte by byte (UTF-8 Cyrillic sorts alphabetically but ё), a prefix
 * first: 1 < 2 < 10 < 10а < 10б < 11. NULL sorts last. */
int paydoc_natural_cmp(const char *a, const char *b);
/* A stable ASCII file-name key of a street: transliterated, lower case,
 * runs of anything else one '-', at most 80 bytes ("g-pushkino-ul-lenina");
 * "no-street" for an empty one. Returns out. */
char *paydoc_street_key(const char *street, char *out, size_t size);

/* A stop of the delivery route: a house of an organization in a
 * municipality, or (house_id 0) the accounts without a house there. */
struct paydoc_stop {
    int64_t org_id, municipality_id, house_id;
    const char *municipality;      /* its name */
    struct paydoc_address address; /* paydoc_address_split of the house's address */
    const char *key;               /* paydoc_street_key of address.street: its batch */
};
/* The route's order: organization, municipality (name, then id), the
 * street's key (the accounts without a house last), the house number in
 * natural order, the street as written, the house id. A batch is a run of
 * stops with one organization, municipality and key, so two spellings of a
 * street («ул. Ленина», «ул.Ленина») make one batch whose houses go 1, 2, 3
 * along the street, not 1, 3, then 2. */
int paydoc_stop_cmp(const struct paydoc_stop *a, const struct paydoc_stop *b);

/* ---- the rendered files (files.c): the manifest as the API shows it ----
 * Visibility as the billing runs' (statements.c RUN_SCOPE): staff see their
 * organization's files, operators those of the organizations based in their
 * territory, the administrator all; a resident none. */

struct paydoc_file {
    int64_t id, region_id, org_id;
    const char *org_name; /* the organization's short name, else its name */
    const char *period;   /* YYYY-MM */
    const char *kind;     /* "batch" | "single" */
    const char *name;     /* path under the documents directory */
    const char *label;    /* batch: the street (or municipality); single: NULL */
    int64_t documents, pages, bytes;
    int64_t rendered_at; /* Unix seconds */
};

struct paydoc_file_filter {
    const char *period; /* YYYY-MM, or NULL */
    int64_t org_id;     /* 0: any visible */
    const char *kind;   /* "batch", "single" or NULL */
    /* A part of the label as written, or of the street in any case and
     * spelling the file name's key gives (paydoc_street_key: «ленина»
     * finds «ул. Ленина»'s «…-ul-lenina.pdf»), or an account id of a
     * single file's name; NULL: any. */
    const char *q;
};

/* The visible files of the filter, batches first, then by name in natural
 * order. items in the arena, *count of them on this page, *total in all. */
int paydoc_file_list(struct store_conn *c, const struct store_scope *s,
                     const struct paydoc_file_filter *f, struct page pg, struct arena *a,
                     struct paydoc_file **items, int64_t *count, int64_t *total, struct err *e);
/* One visible file's row; ERR_NOTFOUND outside the scope. */
int paydoc_file_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                    struct paydoc_file *out, struct err *e);
/* Whether a manifest name stays inside the directory it is relative to:
 * not empty, not absolute, no ".." anywhere, no empty, "." or control-
 * character segment, no backslash. */
bool paydoc_file_name_safe(const char *name);
/* Opens the file of f under dir for reading (O_NOFOLLOW, a regular file):
 * *fd and its *size. ERR_NOTFOUND saying the file is gone and to render
 * again when it is not there; ERR_IO for an unsafe name or another
 * failure (the name is the installation's, not the caller's). */
int paydoc_file_open(const char *dir, const struct paydoc_file *f, int *fd, int64_t *size,
                     struct err *e);

/* ---- print batches and single files for a period (render.c) ---- */

struct paydoc_render_req {
    const char *period; /* YYYY-MM */
    int64_t org_id;     /* 0: every visible organization */
    int64_t house_id;   /* 0: every house */
    const char *out_dir;
    bool batches, singles; /* which files to write (both by default) */
    int threads;           /* renderers; 0: the number of cores */
    void (*progress)(void *arg, int64_t done, int64_t total); /* or NULL */
    void *progress_arg;
    bool (*cancelled)(void *arg); /* or NULL */
};
struct paydoc_render_result {
    int64_t documents, pages;
    int64_t batches_written, batches_kept; /* kept: unchanged, not rewritten */
    int64_t singles_written, singles_kept;
    int64_t bytes; /* written */
};
/* Renders the period's documents of the selection: print batches (one PDF
 * per organization, municipality and street, pages in delivery-route order:
 * municipality, street, house, entrance, premises) under
 * out_dir/PERIOD/print/, and single documents under out_dir/PERIOD/single/.
 * A file whose documents have not changed since the last render (the
 * digest in paydoc_files) and is still there is not written again; a file
 * is written whole to a temporary of its own and renamed, so a crash
 * leaves the old file or the new one, and two renders of the same files at
 * once both finish (the last rename wins). */
int paydoc_render(struct store *st, const struct store_scope *s, const struct paydoc_render_req *q,
                  struct paydoc_render_result *out, struct err *e);

/* The "paydoc.render" job (job.c): payload {"period": "YYYY-MM", "org_id":
 * N, "house_id": N or absent}; renders the job's organization's documents
 * into the worker's documents directory (job_documents), progress in
 * documents. */
struct job_ctx;
int paydoc_job_render(struct job_ctx *j, struct err *e);

#endif
