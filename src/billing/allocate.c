/* allocate.c — the entries of one account (payments, refunds, reversals) to
 * the periods they pay (docs/billing.md "Allocation of payments"). A pure
 * function over plain structs: no database, no clock.
 *
 * The allocation is recomputed from every entry and every billed period each
 * time it is needed, so it is a function of the entries alone: an advance paid
 * before a period was billed goes to that period once it is among the debts
 * (the payment's day is kept on the part, so penalties still see the money as
 * paid on that day).
 *
 * Invariants while entries are applied: what is paid to each period is
 * between 0 and what is billed in it, and the advance is never negative. */
#include "billing/billing.h"

#include "base/money.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One entry as applied, in the order of application. */
struct alloc_entry {
    struct alloc_payment p;
    int first, count; /* its parts: parts[first .. first + count) */
    bool reversed;    /* a later reversal took it back */
};

struct alloc_state {
    const struct alloc_debt *debts;
    int ndebts;
    int64_t *paid;   /* net paid to debts[i].period */
    int64_t advance; /* net paid as an advance (period 0) */
    struct alloc_part *parts;
    int nparts, cap;
    struct arena *a;
    struct err *e;
};

static int by_id(const void *x, const void *y)
{
    const struct alloc_entry *a = x, *b = y;
    return (a->p.id > b->p.id) - (a->p.id < b->p.id);
}

/* Application order: by day, then by id (ids are unique, so total). */
static int by_day_id(const void *x, const void *y)
{
    const struct alloc_entry *a = x, *b = y;
    if (a->p.day != b->p.day)
        return (a->p.day > b->p.day) - (a->p.day < b->p.day);
    return by_id(x, y);
}

/* "2025-01" for messages; "?" outside years 1..9999. */
static const char *period_text(int period, char buf[PERIOD_STR_SIZE])
{
    if (date_period_format(period, buf) != 0)
        snprintf(buf, PERIOD_STR_SIZE, "?");
    return buf;
}

/* Index of the debt of `period`, or -1 (debts are ascending: binary search). */
static int find_debt(const struct alloc_state *s, int period)
{
    int lo = 0, hi = s->ndebts - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->debts[mid].period == period)
            return mid;
        if (s->debts[mid].period < period)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* What debts[i] still owes (0 when paid or when it is a credit). */
static int64_t owed(const struct alloc_state *s, int i)
{
    /* paid is in 0..max(amount, 0), so the difference cannot overflow. */
    int64_t o = s->debts[i].amount - s->paid[i];
    return o > 0 ? o : 0;
}

static int push(struct alloc_state *s, const struct alloc_payment *p, int period, int64_t amount)
{
    if (s->nparts == s->cap) {
        if (s->cap > INT_MAX / 2)
            return err_set(s->e, ERR_INVALID, "Распределение платежей: слишком много частей");
        int cap = s->cap ? s->cap * 2 : 16;
        struct alloc_part *n = arena_alloc(s->a, (size_t)cap * sizeof *n);
        if (!n)
            return err_set(s->e, ERR_NOMEM, "out of memory");
        if (s->nparts)
            memcpy(n, s->parts, (size_t)s->nparts * sizeof *n);
        s->parts = n;
        s->cap = cap;
    }
    s->parts[s->nparts++] =
        (struct alloc_part){.payment_id = p->id, .period = period, .day = p->day, .amount = amount};
    return 0;
}

/* Adds `amount` (signed) to what period `i` (-1: the advance) has been paid. */
static int credit(struct alloc_state *s, int i, int64_t amount)
{
    int64_t *to = i < 0 ? &s->advance : &s->paid[i];
    if (money_add(*to, amount, to) != 0)
        return err_set(s->e, ERR_INVALID, "Распределение платежей: переполнение суммы");
    return 0;
}

/* Gives up to *rest of payment p to debts[i] while it is owed. */
static int give(struct alloc_state *s, const struct alloc_payment *p, int i, int64_t *rest)
{
    int64_t o = owed(s, i);
    int64_t x = *rest < o ? *rest : o;
    if (x <= 0)
        return 0;
    int rc = push(s, p, s->debts[i].period, x);
    if (rc == 0)
        rc = credit(s, i, x);
    if (rc == 0)
        *rest -= x;
    return rc;
}

/* A payment: the period the payer named while it is owed, then the oldest
 * owed periods, then the advance (the rule in DOMAIN.md §2.6). */
static int apply_payment(struct alloc_state *s, const struct alloc_payment *p)
{
    int64_t rest = p->amount;
    int rc = 0;
    int named = p->period ? find_debt(s, p->period) : -1;
    if (named >= 0)
        rc = give(s, p, named, &rest);
    for (int i = 0; rc == 0 && rest > 0 && i < s->ndebts; i++)
        rc = give(s, p, i, &rest);
    if (rc == 0 && rest > 0) {
        rc = push(s, p, 0, rest);
        if (rc == 0)
            rc = credit(s, -1, rest);
    }
    return rc;
}

/* A reversal: exactly the parts of the payment it cancels, negated. */
static int apply_reversal(struct alloc_state *s, struct alloc_entry *entries, int done,
                          const struct alloc_payment *r)
{
    struct alloc_entry *t = NULL;
    for (int i = 0; i < done; i++)
        if (entries[i].p.id == r->reverses)
            t = &entries[i];
    if (!t)
        return err_field(s->e, ERR_INVALID, "reverses",
                         "Сторно %" PRId64 ": платёж %" PRId64
                         " не найден среди более ранних записей",
                         r->id, r->reverses);
    if (t->p.kind != PAY_PAYMENT)
        return err_field(s->e, ERR_INVALID, "reverses",
                         "Сторно %" PRId64 ": запись %" PRId64 " — не платёж", r->id, r->reverses);
    if (t->reversed)
        return err_field(s->e, ERR_INVALID, "reverses",
                         "Сторно %" PRId64 ": платёж %" PRId64 " уже отменён", r->id, r->reverses);
    if (t->p.amount != r->amount)
        return err_field(s->e, ERR_INVALID, "amount",
                         "Сторно %" PRId64 ": сумма %" PRId64
                         " коп. не равна сумме платежа %" PRId64 " (%" PRId64 " коп.)",
                         r->id, r->amount, r->reverses, t->p.amount);
    t->reversed = true;
    for (int k = 0; k < t->count; k++) {
        struct alloc_part part = s->parts[t->first + k]; /* push may move the array */
        int i = part.period ? find_debt(s, part.period) : -1;
        int rc = push(s, r, part.period, -part.amount);
        if (rc == 0)
            rc = credit(s, i, -part.amount);
        if (rc != 0)
            return rc;
        if ((i < 0 ? s->advance : s->paid[i]) < 0) {
            char pb[PERIOD_STR_SIZE];
            return err_field(
                s->e, ERR_INVALID, "reverses",
                "Сторно %" PRId64 ": часть платежа %" PRId64 " (%s) уже возвращена плательщику",
                r->id, r->reverses, part.period ? period_text(part.period, pb) : "аванс");
        }
    }
    return 0;
}

/* A refund: from the advance first, then from the latest periods paid. */
static int apply_refund(struct alloc_state *s, const struct alloc_payment *p)
{
    int64_t total = s->advance;
    for (int i = 0; i < s->ndebts; i++)
        if (money_add(total, s->paid[i], &total) != 0)
            return err_set(s->e, ERR_INVALID, "Распределение платежей: переполнение суммы");
    if (p->amount > total)
        return err_field(s->e, ERR_INVALID, "amount",
                         "Возврат %" PRId64 ": сумма %" PRId64 " коп. больше оплаченного (%" PRId64
                         " коп.)",
                         p->id, p->amount, total);
    int64_t rest = p->amount;
    int rc = 0;
    if (s->advance > 0) {
        int64_t x = rest < s->advance ? rest : s->advance;
        rc = push(s, p, 0, -x);
        if (rc == 0)
            rc = credit(s, -1, -x);
        rest -= x;
    }
    for (int i = s->ndebts - 1; rc == 0 && rest > 0 && i >= 0; i--) {
        int64_t x = rest < s->paid[i] ? rest : s->paid[i];
        if (x <= 0)
            continue;
        rc = push(s, p, s->debts[i].period, -x);
        if (rc == 0)
            rc = credit(s, i, -x);
        rest -= x;
    }
    return rc;
}

static int check_input(const struct alloc_debt *debts, int ndebts, const struct alloc_payment *pays,
                       int npays, struct err *e)
{
    if (ndebts < 0 || npays < 0 || (ndebts && !debts) || (npays && !pays))
        return err_set(e, ERR_INVALID, "Распределение платежей: неверные входные данные");
    for (int i = 0; i < ndebts; i++) {
        char pb[PERIOD_STR_SIZE];
        if (debts[i].period <= 0)
            return err_set(e, ERR_INVALID, "Распределение платежей: неверный период начисления %d",
                           debts[i].period);
        if (i > 0 && debts[i].period <= debts[i - 1].period)
            return err_set(e, ERR_INVALID,
                           "Распределение платежей: период %s повторяется или идёт не по порядку",
                           period_text(debts[i].period, pb));
        if (debts[i].amount == INT64_MIN)
            return err_set(e, ERR_INVALID, "Распределение платежей: сумма за %s вне диапазона",
                           period_text(debts[i].period, pb));
    }
    for (int i = 0; i < npays; i++) {
        const struct alloc_payment *p = &pays[i];
        if (p->kind != PAY_PAYMENT && p->kind != PAY_REFUND && p->kind != PAY_REVERSAL)
            return err_field(e, ERR_INVALID, "kind", "Запись %" PRId64 ": неизвестный вид", p->id);
        if (p->amount <= 0)
            return err_field(e, ERR_INVALID, "amount",
                             "Запись %" PRId64 ": сумма должна быть больше нуля", p->id);
    }
    return 0;
}

int bill_allocate(const struct alloc_debt *debts, int ndebts, const struct alloc_payment *pays,
                  int npays, struct arena *a, struct alloc_part **parts, int *nparts, struct err *e)
{
    int rc = check_input(debts, ndebts, pays, npays, e);
    if (rc != 0)
        return rc;
    struct alloc_state s = {.debts = debts, .ndebts = ndebts, .a = a, .e = e};
    struct alloc_entry *entries = NULL;
    if (ndebts > 0 && !(s.paid = arena_alloc(a, (size_t)ndebts * sizeof *s.paid)))
        return err_set(e, ERR_NOMEM, "out of memory");
    if (npays > 0) {
        if (!(entries = arena_alloc(a, (size_t)npays * sizeof *entries)))
            return err_set(e, ERR_NOMEM, "out of memory");
        for (int i = 0; i < npays; i++)
            entries[i].p = pays[i];
        /* Ids name entries (reversals refer to them): each once. */
        qsort(entries, (size_t)npays, sizeof *entries, by_id);
        for (int i = 1; i < npays; i++)
            if (entries[i].p.id == entries[i - 1].p.id)
                return err_field(e, ERR_INVALID, "id",
                                 "Распределение платежей: запись %" PRId64 " повторяется",
                                 entries[i].p.id);
        /* The order the caller gave does not matter: the same entries, the
         * same parts. */
        qsort(entries, (size_t)npays, sizeof *entries, by_day_id);
    }
    for (int i = 0; rc == 0 && i < npays; i++) {
        struct alloc_entry *en = &entries[i];
        en->first = s.nparts;
        switch (en->p.kind) {
        case PAY_PAYMENT: rc = apply_payment(&s, &en->p); break;
        case PAY_REVERSAL: rc = apply_reversal(&s, entries, i, &en->p); break;
        case PAY_REFUND: rc = apply_refund(&s, &en->p); break;
        }
        en->count = s.nparts - en->first;
    }
    if (rc != 0)
        return rc;
    *parts = s.parts;
    *nparts = s.nparts;
    return 0;
}
