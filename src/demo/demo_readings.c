/* demo_readings.c — the meters stage's consumption and readings (docs/demo.md
 * "Meters"): a seasonal consumption per premises and per house, and twelve
 * months of accepted readings of every meter, each judged by the meters
 * module's own rule (meter_judge) against the history made so far, so that
 * value, consumption, months and rollover are what a real submission would
 * have stored; submissions the rules refuse go to reading_rejections with
 * the module's message.
 *
 * Consumption per person and month: cold water about 4 m³ (6 without
 * central hot water), hot water 2.5 m³, electricity 20 kWh a flat + 90 a
 * person, gas 8 m³ for a stove (22 with a water heater); individual heat
 * 0.014 Гкал/m² in January. Seasons below; a household's own level varies
 * ±25% and every month ±8%.
 *
 * Channels: a premises keeps a habit — the resident app (55%: a reading in
 * the 20–25 window, or a few days early or late, which the window rule
 * then places), the payment document's file (25%, imported on the 26th),
 * the phone (15%, typed by an operator with the period) or an integrator's
 * API (5%); building meters are read remotely (API) in houses since 2000,
 * else by an inspector. Authors: a demo resident for the app readings of
 * their flats, the organization's staff user where the demo has one, none
 * for files (the command-line import) — the demo makes no user for every
 * resident, so other app readings carry no author. */
#include "demo/demo_meters_impl.h"

#include "base/date.h"

#include <stdio.h>
#include <string.h>

/* Per cent of the yearly level by calendar month (January first). Hot water
 * dips in summer (and for the two weeks of the July pressure tests);
 * electricity follows the daylight; heat only in the heating season. */
static const int season[NRES][12] = {
    [R_COLD] = {100, 100, 100, 100, 102, 108, 110, 108, 102, 100, 100, 102},
    [R_HOT] = {112, 110, 106, 102, 95, 80, 62, 75, 95, 102, 106, 110},
    [R_ELEC] = {132, 122, 108, 95, 85, 78, 76, 80, 90, 105, 120, 135},
    [R_GAS] = {110, 108, 104, 100, 95, 90, 90, 90, 95, 100, 105, 110},
    [R_HEAT] = {100, 92, 78, 45, 0, 0, 0, 0, 0, 40, 70, 90},
};

static const char *const res_name[NRES] = {"cold_water", "hot_water", "electricity", "gas", "heat"};

static int month_of(const struct mgen *g, int k)
{
    return date_period_month(g->first + k);
}

/* base × level% × season% × (92..108)%, in thousandths. */
static int64_t monthly(struct mgen *g, int64_t base, int level, enum res r, int k)
{
    return base * level / 100 * season[r][month_of(g, k) - 1] / 100 * mg_between(g, 92, 108) / 100;
}

void mg_flat_use(struct mgen *g, const struct mhouse *h, const struct mflat *f,
                 int64_t use[NRES][MONTHS])
{
    memset(use, 0, sizeof(int64_t) * NRES * MONTHS);
    if (strcmp(f->kind, "nonresidential") == 0) { /* a shop or an office, by area */
        for (int k = 0; k < MONTHS; k++) {
            use[R_ELEC][k] = monthly(g, f->area * 80, 100, R_ELEC, k);
            use[R_COLD][k] = monthly(g, f->area / 2, 100, R_COLD, k);
        }
        return;
    }
    if (strcmp(f->kind, "residential") != 0)
        return;
    /* Hundredths of a person: an empty flat is visited now and then. */
    int64_t pe = f->persons < 0 ? 100 : f->persons == 0 ? 25 : f->persons * 100;
    int level = mg_between(g, 75, 125);
    for (int k = 0; k < MONTHS; k++) {
        use[R_COLD][k] = monthly(g, (h->hot ? 4000 : 6000) * pe / 100, level, R_COLD, k);
        if (h->hot)
            use[R_HOT][k] = monthly(g, 2500 * pe / 100, level, R_HOT, k);
        use[R_ELEC][k] = monthly(g, 20000 + 90000 * pe / 100, level, R_ELEC, k);
        if (h->gas)
            use[R_GAS][k] = monthly(g, (h->hot ? 8000 : 22000) * pe / 100, level, R_GAS, k);
        if (h->heat_meters)
            use[R_HEAT][k] = monthly(g, f->area * 14 / 100, level, R_HEAT, k);
    }
}

void mg_house_use(struct mgen *g, const struct mhouse *h, int64_t use[NRES][MONTHS])
{
    /* The flats' use, plus losses and common needs (stairs, lifts,
     * watering); the house's heat by its area, about 0.016 Гкал/m² in
     * January. */
    for (int r = 0; r < NRES; r++) {
        int extra = r == R_ELEC ? mg_between(g, 108, 118) : mg_between(g, 103, 112);
        for (int k = 0; k < MONTHS; k++)
            use[r][k] = g->house_use[r][k] * extra / 100;
    }
    int level = mg_between(g, 85, 115);
    for (int k = 0; k < MONTHS; k++)
        use[R_HEAT][k] = monthly(g, h->total_area * 16 / 100, level, R_HEAT, k);
}

static int64_t resolution(const struct dmeter *m)
{
    int64_t r = 1;
    for (int64_t i = m->decimals; i < 3; i++)
        r *= 10;
    return r;
}

static int installed_period(const struct dmeter *m)
{
    struct date d = date_civil_from_days(m->installed);
    return date_period(d.y, d.m);
}

void mg_meter_series(struct mgen *g, struct dmeter *m, const int64_t use[MONTHS])
{
    int64_t sum = 0;
    for (int k = 0; k < MONTHS; k++) {
        m->use[k] = use[k] * m->share / 1000 * mg_between(g, 95, 105) / 100;
        sum += m->use[k];
    }
    int months = g->first - installed_period(m);
    m->pre = sum / MONTHS * (months > 0 ? months : 0) * mg_between(g, 85, 115) / 100;
    /* No counter passes through zero by accident: a big house's meter has
     * the digits for its years. */
    while (!m->rollover && m->digits < METER_MAX_DIGITS &&
           m->initial + m->pre + sum >= meter_capacity(m->digits))
        m->digits++;
    if (!m->rollover)
        return;
    /* Put the counter so that it passes through zero in the seventh month. */
    int64_t cap = meter_capacity(m->digits), res = resolution(m);
    int64_t upto = m->pre;
    for (int k = 0; k < 6; k++)
        upto += m->use[k];
    int64_t initial = (cap - upto - m->use[6] / 2) / res * res;
    if (initial >= 0 && initial < cap)
        m->initial = initial;
    else
        m->rollover = false;
}

/* --------------------------------------------------------------- events */

/* One submission of a premises' readings for a period. */
struct event {
    enum meter_channel ch;
    int64_t author;
    int64_t at;    /* received_at of the first meter */
    int64_t lag;   /* submitted_at − received_at */
    int in_window; /* 1, 0, or −1: the period was given */
    int day;       /* the local date the meter's status is judged on */
};

/* Local day d of the month starting at month_start[i] (period first−1+i). */
static int64_t local_time(const struct mgen *g, int i, int d, int sec)
{
    return g->month_start[i] + (int64_t)(d - 1) * 86400 + sec;
}

static int day_number(const struct mgen *g, int i, int d)
{
    struct date x = date_period_first_day(g->first - 1 + i);
    return (int)date_days_from_civil(x) + d - 1;
}

/* When and how the readings of period first+k arrive. */
static int make_event(struct mgen *g, enum habit habit, int k, int64_t org, const struct mflat *f,
                      struct event *ev, struct err *e)
{
    int p = g->first + k, i = k + 1, d = 0, sec = 0;
    int u = mg_rand(g, 100);
    *ev = (struct event){.in_window = -1};
    switch (habit) {
    case H_APP: ev->ch = u < 92 || (f && f->user) ? CH_RESIDENT : CH_OPERATOR; break;
    case H_FILE: ev->ch = u < 90 ? CH_FILE : CH_OPERATOR; break;
    case H_OPERATOR: ev->ch = CH_OPERATOR; break;
    case H_API:
    case H_TELEMETRY: ev->ch = CH_API; break;
    }
    int rc = 0;
    if (ev->ch == CH_RESIDENT)
        ev->author = f ? f->user : 0;
    else if (ev->ch != CH_FILE)
        rc = mg_staff(g, org, &ev->author, e);
    if (rc)
        return rc;
    if (ev->ch == CH_RESIDENT) {
        int v = mg_rand(g, 100);
        if (v >= 90) { /* after the previous month's window: counts for this one */
            i = k;
            int last = date_period_last_day(p - 1).d;
            d = mg_between(g, 26 < last ? 26 : last, last);
        } else {
            d = v < 80 ? mg_between(g, 20, 25) : mg_between(g, 10, 19);
        }
        sec = mg_between(g, 7 * 3600, 22 * 3600 + 3599);
        struct date local = date_period_first_day(g->first - 1 + i);
        local.d = d;
        int period;
        bool in;
        meter_period_of(&g->window, local, &period, &in);
        if (period != p)
            return err_set(e, ERR_INVALID, "demo: a reading day outside its period");
        ev->in_window = in;
    } else if (habit == H_TELEMETRY) {
        d = 25;
        sec = 23 * 3600 + mg_rand(g, 3000);
        ev->lag = mg_between(g, 60, 300);
        ev->in_window = 1;
    } else if (ev->ch == CH_API) {
        d = mg_between(g, 20, 25);
        sec = mg_between(g, 8 * 3600, 21 * 3600);
        ev->lag = mg_between(g, 600, 7200);
        ev->in_window = 1;
    } else if (ev->ch == CH_FILE) {
        d = 26;
        sec = mg_between(g, 3600, 4 * 3600);
    } else {
        d = mg_between(g, 20, 27);
        sec = mg_between(g, 9 * 3600, 17 * 3600);
    }
    /* A period given explicitly is typed on a day that has passed: on the
     * day the demo is made, the evening of the 25th instead (so the rows
     * depend on the date, not on the hour, of generation). */
    if (ev->in_window < 0 && day_number(g, i, d) >= g->today) {
        d = 25;
        sec = mg_between(g, 18 * 3600, 20 * 3600);
    }
    ev->at = local_time(g, i, d, sec);
    ev->day = day_number(g, i, d);
    return 0;
}

/* ----------------------------------------------------------- submissions */

struct ctx {
    const struct mhouse *h;
    struct dmeter *m;
    int k;
    const struct event *ev;
};

static void judge_ctx(const struct mgen *g, const struct dmeter *m, int period,
                      struct reading_ctx *x)
{
    *x = (struct reading_ctx){.period = period,
                              .prev_value = m->has_prev ? m->prev_value : m->initial,
                              .prev_period = m->has_prev ? m->prev_period : installed_period(m),
                              .has_prev = m->has_prev,
                              .digits = m->digits,
                              .factor_pct = g->window.factor_pct,
                              .unit = meter_unit(res_name[m->res])};
    for (int i = 0; i < m->nhist; i++) {
        x->hist_consumption += m->hist_use[i];
        x->hist_months += m->hist_months[i];
        x->hist_count++;
    }
}

static int reject(struct mgen *g, const struct ctx *c, enum meter_channel ch, int64_t author,
                  int64_t value, enum meter_rule rule, const char *msg, int64_t at, struct err *e)
{
    const struct dmeter *m = c->m;
    return demo_put(&g->w, &g->rejections,
                    DEMO_VALS(SV_I(++g->id_rejection), SV_I(m->id), SV_I(g->d->region_id),
                              SV_I(g->mun_id), SV_I(c->h->id), SV_I(m->org_id),
                              DEMO_TXT(g->ptext[c->k]), SV_I(value), SV_S(meter_channel_name(ch)),
                              SV_ID(author), SV_S(meter_rule_name(rule)), DEMO_TXT(msg), SV_I(at)),
                    13, e);
}

static int accept(struct mgen *g, const struct ctx *c, const struct reading_verdict *v,
                  int64_t value, enum meter_channel ch, int64_t author, int64_t at, int64_t lag,
                  int in_window, struct err *e)
{
    struct dmeter *m = c->m;
    int rc = demo_put(
        &g->w, &g->readings,
        DEMO_VALS(SV_I(++g->id_reading), SV_I(m->id), SV_I(g->d->region_id), SV_I(g->mun_id),
                  SV_I(c->h->id), SV_I(m->org_id), DEMO_TXT(g->ptext[c->k]), SV_I(value),
                  SV_I(v->consumption), SV_I(v->months), SV_I(v->rollover), SV_I(v->confirmed),
                  SV_S(meter_channel_name(ch)), SV_ID(author), SV_I(at), SV_I(at + lag),
                  in_window < 0 ? SV_NULLV : SV_I(in_window), SV_S("accepted")),
        18, e);
    /* The history the next reading is judged against: latest first. */
    int n = m->nhist < MONTHS ? m->nhist : MONTHS - 1;
    memmove(m->hist_use + 1, m->hist_use, sizeof *m->hist_use * (size_t)n);
    memmove(m->hist_months + 1, m->hist_months, sizeof *m->hist_months * (size_t)n);
    m->hist_use[0] = v->consumption;
    m->hist_months[0] = v->months;
    m->nhist = n + 1;
    m->prev_value = value;
    m->prev_period = g->first + c->k;
    m->has_prev = true;
    return rc;
}

/* A typing error before the right value: an extra digit (implausible) or
 * last month's value mistyped lower. Kept only if the rules refuse it. */
static int typo(struct mgen *g, const struct ctx *c, int64_t value, int64_t at, bool lower,
                struct err *e)
{
    struct dmeter *m = c->m;
    int64_t res = resolution(m), cap = meter_capacity(m->digits);
    int64_t wrong = lower ? m->prev_value - res * mg_between(g, 10, 90)
                          : m->prev_value + (value - m->prev_value) * 10 + res;
    if (!m->has_prev || wrong < 0 || wrong >= cap)
        return 0;
    struct reading_ctx x;
    struct reading_verdict v;
    judge_ctx(g, m, g->first + c->k, &x);
    if (meter_judge(&x, wrong, &v) == RULE_OK)
        return 0;
    return reject(g, c, c->ev->ch, c->ev->author, wrong, v.rule, v.msg, at, e);
}

/* The right value: a wrap through zero is refused until confirmed; an
 * unusual consumption is refused until the organization's staff confirm it. */
static int submit(struct mgen *g, const struct ctx *c, int64_t value, int64_t at, struct err *e)
{
    const struct event *ev = c->ev;
    struct reading_ctx x;
    struct reading_verdict v;
    judge_ctx(g, c->m, g->first + c->k, &x);
    enum meter_rule rule = meter_judge(&x, value, &v);
    int rc = 0;
    enum meter_channel ch = ev->ch;
    int64_t author = ev->author, lag = ev->lag;
    int in_window = ev->in_window;
    if (rule == RULE_ROLLOVER_UNCONFIRMED) {
        rc = reject(g, c, ch, author, value, rule, v.msg, at, e);
        x.confirm_rollover = true;
        at += mg_between(g, 20, 90);
        rule = meter_judge(&x, value, &v);
    }
    if (rc == 0 && rule == RULE_IMPLAUSIBLE) {
        rc = reject(g, c, ch, author, value, rule, v.msg, at, e);
        x.confirm = true;
        ch = CH_OPERATOR;
        in_window = -1;
        lag = 0;
        /* Confirmed the next day, or later that day if that is today. */
        int64_t next_day = at + 86400 + mg_rand(g, 3600);
        at = next_day < g->today_start ? next_day : at + (g->today_start - at) / 2;
        if (rc == 0)
            rc = mg_staff(g, c->m->org_id, &author, e);
        rule = meter_judge(&x, value, &v);
    }
    if (rc)
        return rc;
    if (rule != RULE_OK)
        return err_set(e, ERR_INVALID, "demo: a generated reading was refused: %s", v.msg);
    return accept(g, c, &v, value, ch, author, at, lag, in_window, e);
}

/* The counter of meter m at the end of month k, as it shows. */
static int64_t shown(const struct dmeter *m, int k)
{
    int64_t v = m->initial + m->pre;
    for (int i = 0; i <= k; i++)
        v += m->use[i];
    int64_t res = resolution(m);
    return v / res * res % meter_capacity(m->digits);
}

static bool skipped(struct mgen *g, int k, int silent, bool keep)
{
    if (keep)
        return false;
    return (silent >= 0 && k >= silent && k < silent + 3) || mg_rand(g, 100) < 3;
}

int mg_readings(struct mgen *g, const struct mhouse *h, const struct mflat *f, struct dmeter *m,
                int n, enum habit habit, struct err *e)
{
    int which = f ? mg_which(h, f) : 0;
    bool keep = !f || f->user || which == 1 || which == 2; /* never a month missing */
    /* One premises in a hundred sends nothing for three months. */
    int silent = !keep && mg_rand(g, 100) == 0 ? mg_between(g, 1, MONTHS - 4) : -1;
    int rc = 0;
    for (int k = 0; rc == 0 && k < MONTHS; k++) {
        if (skipped(g, k, silent, keep))
            continue; /* no reading: billing estimates the month */
        struct event ev;
        if ((rc = make_event(g, habit, k, m[0].org_id, f, &ev, e)))
            break;
        int64_t at = ev.at;
        for (int i = 0; rc == 0 && i < n; i++, at += mg_between(g, 5, 20)) {
            struct ctx c = {h, &m[i], k, &ev};
            if (m[i].next < ev.day)
                continue; /* verification expired: the rules refuse it (not recorded here) */
            int64_t value = shown(&m[i], k);
            bool forced = which == 2 && k == MONTHS - 1 && i == 0;
            if (forced || (!(f && f->user) && mg_rand(g, 1000) < 4))
                rc = typo(g, &c, value, at - mg_between(g, 30, 600), forced || mg_rand(g, 2), e);
            if (rc == 0)
                rc = submit(g, &c, value, at, e);
        }
    }
    return rc;
}
