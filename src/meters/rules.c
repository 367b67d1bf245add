/* rules.c — the meters module's rules as plain functions: what makes a
 * meter valid, its status on a date, reading values and their text, the
 * reading window and the period it assigns, and the judgement of a new
 * value against the meter's history (docs/meters.md "Validation"). */
#include "meters/meters_impl.h"

#include <stdio.h>
#include <string.h>

__extension__ typedef __int128 i128;

static const char *const rule_names[RULE_COUNT] = {
    [RULE_OK] = "ok",
    [RULE_METER_REMOVED] = "meter_removed",
    [RULE_VERIFICATION_EXPIRED] = "verification_expired",
    [RULE_BEFORE_INSTALLATION] = "before_installation",
    [RULE_FUTURE_PERIOD] = "future_period",
    [RULE_ALREADY_ACCEPTED] = "already_accepted",
    [RULE_LOWER_THAN_PREVIOUS] = "lower_than_previous",
    [RULE_ROLLOVER_UNCONFIRMED] = "rollover_unconfirmed",
    [RULE_ABOVE_NEXT] = "above_next",
    [RULE_IMPLAUSIBLE] = "implausible",
};

const char *meter_rule_name(enum meter_rule r)
{
    return r >= 0 && r < RULE_COUNT ? rule_names[r] : "ok";
}

const char *meter_rule_field(enum meter_rule r)
{
    switch (r) {
    case RULE_METER_REMOVED:
    case RULE_VERIFICATION_EXPIRED: return "meter_id";
    case RULE_BEFORE_INSTALLATION:
    case RULE_FUTURE_PERIOD:
    case RULE_ALREADY_ACCEPTED: return "period";
    default: return "value";
    }
}

static const char *const channel_names[METER_NCHANNELS] = {"resident", "operator", "file", "api"};

const char *meter_channel_name(enum meter_channel ch)
{
    return ch >= 0 && ch < METER_NCHANNELS ? channel_names[ch] : "operator";
}

int meter_channel_parse(const char *s, enum meter_channel *out)
{
    for (int i = 0; s && i < METER_NCHANNELS; i++)
        if (strcmp(s, channel_names[i]) == 0) {
            *out = (enum meter_channel)i;
            return 0;
        }
    return ERR_INVALID;
}

static bool one_of(const char *s, const char *const *words)
{
    for (int i = 0; s && words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    return false;
}

bool meter_kind_valid(const char *s)
{
    static const char *const w[] = {"individual", "building", NULL};
    return one_of(s, w);
}

bool meter_resource_valid(const char *s)
{
    static const char *const w[] = {"cold_water", "hot_water", "electricity", "heat", "gas", NULL};
    return one_of(s, w);
}

bool meter_zone_valid(const char *s)
{
    static const char *const w[] = {"single", "day", "night", NULL};
    return one_of(s, w);
}

const char *meter_unit(const char *resource)
{
    if (resource && strcmp(resource, "electricity") == 0)
        return "кВт·ч";
    if (resource && strcmp(resource, "heat") == 0)
        return "Гкал";
    return "м³";
}

struct meter_settings meter_settings_default(void)
{
    return (struct meter_settings){METER_FIRST_DAY, METER_LAST_DAY, METER_FACTOR_PCT};
}

int64_t meter_capacity(int64_t digits)
{
    int64_t cap = 1000;
    for (int64_t i = 0; i < digits && i < METER_MAX_DIGITS; i++)
        cap *= 10;
    return cap;
}

static void check_date(struct field_errors *fe, const char *field, const char *s)
{
    struct date d;
    if (s && date_parse(s, &d, NULL))
        fe_add(fe, field, "ожидается дата ГГГГ-ММ-ДД");
}

int meter_check(const struct meter *m, struct field_errors *fe)
{
    int before = fe->n;
    if (!meter_kind_valid(m->kind))
        fe_add(fe, "kind", "допустимо: individual (ИПУ помещения), building (ОДПУ дома)");
    if (!meter_resource_valid(m->resource))
        fe_add(fe, "resource", "допустимо: cold_water, hot_water, electricity, heat, gas");
    if (!meter_zone_valid(m->zone))
        fe_add(fe, "zone", "допустимо: single, day, night");
    else if (strcmp(m->zone, "single") != 0 && m->resource &&
             strcmp(m->resource, "electricity") != 0)
        fe_add(fe, "zone", "тарифные зоны day и night бывают только у электроэнергии");
    if (m->kind && strcmp(m->kind, "individual") == 0 && !m->premises_id)
        fe_add(fe, "premises_id", "индивидуальный прибор устанавливается в помещении");
    if (m->kind && strcmp(m->kind, "building") == 0 && m->premises_id)
        fe_add(fe, "premises_id", "у общедомового прибора нет помещения: укажите house_id");
    if (m->kind && strcmp(m->kind, "building") == 0 && !m->house_id)
        fe_add(fe, "house_id", "обязательное поле для общедомового прибора");
    if (m->digits < 1 || m->digits > METER_MAX_DIGITS)
        fe_add(fe, "digits", "разрядность счётчика: от 1 до %d знаков", METER_MAX_DIGITS);
    if (m->decimals < 0 || m->decimals > 3)
        fe_add(fe, "decimals", "знаков после запятой: от 0 до 3");
    if (m->serial && !*m->serial)
        fe_add(fe, "serial", "пустой заводской номер: укажите номер или null");
    if (!m->installed_on)
        fe_add(fe, "installed_on", "обязательное поле");
    check_date(fe, "installed_on", m->installed_on);
    check_date(fe, "verified_on", m->verified_on);
    check_date(fe, "next_verification_on", m->next_verification_on);
    check_date(fe, "removed_on", m->removed_on);
    if (m->verified_on && m->next_verification_on &&
        strcmp(m->next_verification_on, m->verified_on) <= 0)
        fe_add(fe, "next_verification_on", "не раньше даты поверки verified_on");
    if (m->installed_on && m->removed_on && strcmp(m->removed_on, m->installed_on) < 0)
        fe_add(fe, "removed_on", "не раньше даты установки installed_on");
    if (m->initial_value < 0 || (m->digits >= 1 && m->digits <= METER_MAX_DIGITS &&
                                 m->initial_value >= meter_capacity(m->digits)))
        fe_add(fe, "initial_value", "не помещается в разрядность счётчика");
    return fe->n - before;
}

int meter_settings_check(const struct meter_settings *s, struct field_errors *fe)
{
    int before = fe->n;
    if (s->first_day < 1 || s->first_day > 31)
        fe_add(fe, "first_day", "день месяца от 1 до 31");
    if (s->last_day < 1 || s->last_day > 31)
        fe_add(fe, "last_day", "день месяца от 1 до 31");
    else if (s->last_day < s->first_day)
        fe_add(fe, "last_day", "не раньше first_day");
    if (s->factor_pct < 110 || s->factor_pct > 10000)
        fe_add(fe, "implausible_factor", "кратность от 1.10 до 100.00");
    return fe->n - before;
}

const char *meter_status(const struct meter *m, const char *today)
{
    if (m->removed_on && strcmp(m->removed_on, today) <= 0)
        return "removed";
    if (m->next_verification_on && strcmp(m->next_verification_on, today) < 0)
        return "expired";
    return "active";
}

int meter_value_parse(const char *s, int64_t digits, int64_t decimals, int64_t *out,
                      const char **why)
{
    const char *p = s;
    int64_t whole = 0, frac = 0;
    int nwhole = 0, nsig = 0, nfrac = 0; /* nsig: digits after leading zeros */
    if (!p || !*p) {
        *why = "ожидается показание, например \"123.456\"";
        return ERR_INVALID;
    }
    /* Only digits that can fit are summed: a longer number is refused below,
     * before any arithmetic could overflow. */
    for (; *p >= '0' && *p <= '9'; p++, nwhole++)
        if ((nsig || *p != '0') && ++nsig <= METER_MAX_DIGITS)
            whole = whole * 10 + (*p - '0');
    if (*p == '.' || *p == ',')
        for (p++; *p >= '0' && *p <= '9'; p++, nfrac++)
            if (nfrac < 3)
                frac = frac * 10 + (*p - '0');
    if (*p || nwhole == 0) {
        *why = "ожидается показание цифрами, например \"123.456\"";
        return ERR_INVALID;
    }
    if (nfrac > decimals) {
        *why = decimals ? "больше знаков после запятой, чем показывает счётчик"
                        : "счётчик показывает только целые единицы";
        return ERR_INVALID;
    }
    for (int i = nfrac; i < 3; i++)
        frac *= 10;
    if (nsig > digits || nsig > METER_MAX_DIGITS || whole * 1000 + frac >= meter_capacity(digits)) {
        *why = "показание не помещается в разрядность счётчика";
        return ERR_INVALID;
    }
    *out = whole * 1000 + frac;
    return 0;
}

void meter_value_format(int64_t v, char buf[METER_VALUE_SIZE])
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(buf, METER_VALUE_SIZE, "%s%llu.%03llu", v < 0 ? "-" : "",
             (unsigned long long)(a / 1000), (unsigned long long)(a % 1000));
}

/* A value for a Russian message: "123,456". */
static void say(int64_t v, char buf[METER_VALUE_SIZE])
{
    meter_value_format(v, buf);
    char *dot = strchr(buf, '.');
    if (dot)
        *dot = ',';
}

void meter_period_of(const struct meter_settings *w, struct date d, int *period, bool *in_window)
{
    int last = date_last_day_of_month(d.y, d.m);
    int first_day = w->first_day < last ? w->first_day : last;
    int last_day = w->last_day < last ? w->last_day : last;
    int p = date_period(d.y, d.m);
    *in_window = d.d >= first_day && d.d <= last_day;
    *period = d.d <= last_day ? p : p + 1;
}

int meter_period_at(const struct meter_settings *w, const char *tz, int64_t when, int *period,
                    bool *in_window, struct date *local)
{
    struct date_local l;
    if (date_utc_to_local(tz, when, &l))
        return ERR_INVALID;
    struct date d = {l.y, l.m, l.d};
    meter_period_of(w, d, period, in_window);
    if (local)
        *local = d;
    return 0;
}

static void period_text(int period, char out[PERIOD_STR_SIZE])
{
    if (date_period_format(period, out))
        snprintf(out, PERIOD_STR_SIZE, "?");
}

/* The value judged against the previous reading: its consumption, or a
 * wrap of the counter through zero (to be confirmed). */
static enum meter_rule judge_previous(const struct reading_ctx *x, int64_t v, int64_t cap,
                                      struct reading_verdict *o)
{
    char val[METER_VALUE_SIZE], prev[METER_VALUE_SIZE], use[METER_VALUE_SIZE], per[PERIOD_STR_SIZE];
    o->consumption = v - x->prev_value;
    if (o->consumption >= 0)
        return RULE_OK;
    say(v, val);
    say(x->prev_value, prev);
    period_text(x->prev_period, per);
    const char *was = x->has_prev ? "предыдущего показания" : "начального показания при установке";
    int64_t wrapped = v + cap - x->prev_value;
    if (wrapped > cap / METER_ROLLOVER_SHARE) {
        snprintf(o->msg, sizeof o->msg, "показание %s меньше %s %s (%s)", val, was, prev,
                 x->has_prev ? per : "прибора");
        return o->rule = RULE_LOWER_THAN_PREVIOUS;
    }
    say(wrapped, use);
    if (!x->confirm_rollover) {
        snprintf(o->msg, sizeof o->msg,
                 "показание %s меньше %s %s: похоже, счётчик (%lld знаков) перешёл через ноль, "
                 "расход %s %s. Если так, подтвердите: confirm_rollover = true",
                 val, was, prev, (long long)x->digits, use, x->unit);
        return o->rule = RULE_ROLLOVER_UNCONFIRMED;
    }
    o->consumption = wrapped;
    o->rollover = true;
    return RULE_OK;
}

/* A correction of a past period must stay at or below the next reading
 * (unless the next one is a plausible wrap); the next consumption follows. */
static enum meter_rule judge_next(const struct reading_ctx *x, int64_t v, int64_t cap,
                                  struct reading_verdict *o)
{
    if (!x->has_next)
        return RULE_OK;
    o->next_months = x->next_period - x->period > 1 ? x->next_period - x->period : 1;
    o->next_consumption = x->next_value - v;
    if (o->next_consumption >= 0)
        return RULE_OK;
    int64_t wrapped = x->next_value + cap - v;
    char val[METER_VALUE_SIZE], next[METER_VALUE_SIZE], per[PERIOD_STR_SIZE];
    say(v, val);
    say(x->next_value, next);
    period_text(x->next_period, per);
    if (wrapped <= cap / METER_ROLLOVER_SHARE && x->confirm_rollover) {
        o->next_consumption = wrapped;
        o->next_rollover = true;
        return RULE_OK;
    }
    if (wrapped <= cap / METER_ROLLOVER_SHARE) { /* as judge_previous: a wrap is confirmed */
        char use[METER_VALUE_SIZE];
        say(wrapped, use);
        snprintf(o->msg, sizeof o->msg,
                 "показание %s больше следующего принятого показания %s (%s): тогда счётчик"
                 " перешёл через ноль до %s, расход %s %s. Если так, подтвердите:"
                 " confirm_rollover = true",
                 val, next, per, per, use, x->unit);
        return o->rule = RULE_ROLLOVER_UNCONFIRMED;
    }
    snprintf(o->msg, sizeof o->msg, "показание %s больше следующего принятого показания %s (%s)",
             val, next, per);
    return o->rule = RULE_ABOVE_NEXT;
}

/* Consumption per month above factor × the average of the history
 * (cons / months > factor/100 × hist / hist_months, in exact integers). */
static enum meter_rule judge_history(const struct reading_ctx *x, struct reading_verdict *o)
{
    if (x->hist_count < METER_HISTORY_MIN || x->hist_consumption <= 0 || x->hist_months <= 0)
        return RULE_OK;
    i128 lhs = (i128)o->consumption * x->hist_months * 100;
    i128 rhs = (i128)x->factor_pct * x->hist_consumption * o->months;
    if (lhs <= rhs)
        return RULE_OK;
    if (x->confirm) {
        o->confirmed = true;
        return RULE_OK;
    }
    char use[METER_VALUE_SIZE], avg[METER_VALUE_SIZE];
    say(o->consumption, use);
    say((x->hist_consumption + x->hist_months / 2) / x->hist_months, avg);
    snprintf(o->msg, sizeof o->msg,
             "расход %s %s за %d мес. больше среднего (%s %s в месяц) более чем в %d,%02d раза: "
             "проверьте показание; верное подтверждает сотрудник организации (confirm = true)",
             use, x->unit, o->months, avg, x->unit, x->factor_pct / 100, x->factor_pct % 100);
    return o->rule = RULE_IMPLAUSIBLE;
}

enum meter_rule meter_judge(const struct reading_ctx *x, int64_t v, struct reading_verdict *o)
{
    memset(o, 0, sizeof *o);
    int64_t cap = meter_capacity(x->digits);
    o->months = x->period - x->prev_period > 1 ? x->period - x->prev_period : 1;
    if (judge_previous(x, v, cap, o) || judge_next(x, v, cap, o) || judge_history(x, o))
        return o->rule;
    return RULE_OK;
}

const char *meter_period_text(struct arena *a, int period)
{
    char buf[PERIOD_STR_SIZE];
    period_text(period, buf);
    return arena_strdup(a, buf);
}

void meter_scope_bind(const struct store_scope *s, struct store_val p[4])
{
    bool all = s->kind == SCOPE_SYSTEM || s->kind == SCOPE_ADMIN;
    p[0] = SV_I(all ? 0 : s->region_id);
    /* An organization works wherever its meters and managed houses are. */
    p[1] = SV_I(all || s->kind == SCOPE_REGION || s->kind == SCOPE_ORG ? 0 : s->municipality_id);
    p[2] = SV_I(s->kind == SCOPE_ORG ? s->org_id : 0);
    p[3] = SV_I(s->kind == SCOPE_RESIDENT ? s->user_id : 0);
}

int meter_period_stored(const char *s)
{
    int p = 0;
    return s && date_period_parse(s, &p, NULL) == 0 ? p : 0;
}
