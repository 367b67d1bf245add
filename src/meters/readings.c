/* readings.c — submitting a reading (the hot path) and a meter's history.
 *
 * One submission is, inside the caller's transaction: one SELECT of the
 * meter with its time zone and its organization's settings (scoped: a
 * resident's own premises only), one SELECT of the meter's accepted
 * readings around the period (the period's own, the previous ones for the
 * average, the next one, and the Idempotency-Key's), then one INSERT (and,
 * for a correction, one UPDATE of the superseded reading). All statements are
 * literals, prepared once per connection. A refusal by a rule writes one row
 * to reading_rejections instead. */
#include "meters/meters_impl.h"

#include <stdlib.h>
#include <string.h>

#define FUTURE_SLACK 300 /* seconds a client's clock may run ahead */

/* One submission's state. */
struct sub {
    struct store_conn *c;
    const struct store_scope *s;
    const struct reading_req *q;
    struct arena *a;
    struct reading_result *out;
    struct err *e;
    struct meter m;
    int64_t now, received_at;
    int period, now_period; /* of the reading, and the one open now */
    char on[DATE_STR_SIZE]; /* the date the meter's status is judged on */
    int64_t value;
    struct reading_ctx x;
    int64_t existing_id, existing_value, next_id, replay_id;
    bool existing_outside; /* the period's accepted reading was given outside the window */
};

static int request_rules(struct sub *b)
{
    const struct reading_req *q = b->q;
    bool resident = b->s->kind == SCOPE_RESIDENT;
    if (resident && q->period)
        return err_field(b->e, ERR_INVALID, "period",
                         "житель не выбирает период: он определяется по дате передачи");
    if (resident && q->received_at)
        return err_field(b->e, ERR_INVALID, "received_at",
                         "житель не указывает время: показание принимается в момент передачи");
    if (resident && q->confirm)
        return err_field(b->e, ERR_INVALID, "confirm",
                         "подтвердить необычный расход может только сотрудник организации");
    if (resident && q->channel != CH_RESIDENT)
        return err_field(b->e, ERR_INVALID, "channel",
                         "житель передаёт показания сам: канал resident");
    if (!resident && q->channel == CH_RESIDENT)
        return err_field(b->e, ERR_INVALID, "channel", "канал resident — только для жителей");
    if (q->period && q->received_at)
        return err_field(b->e, ERR_INVALID, "period", "укажите period или received_at, не оба");
    if (q->received_at > b->now + FUTURE_SLACK)
        return err_field(b->e, ERR_INVALID, "received_at", "время передачи ещё не наступило");
    return 0;
}

static int load_meter(struct sub *b)
{
    struct store_val p[8];
    meter_scope_bind(b->s, p);
    p[4] = SV_I(b->q->meter_id);
    p[5] = SV_I(METER_FIRST_DAY);
    p[6] = SV_I(METER_LAST_DAY);
    p[7] = SV_I(METER_FACTOR_PCT);
    struct store_rows *r = NULL;
    int rc = store_query(b->c,
                         "SELECT m.id, m.region_id, m.municipality_id, m.house_id, m.org_id,"
                         " m.resource, m.digits, m.decimals, m.initial_value, m.installed_on,"
                         " m.next_verification_on, m.removed_on, mu.timezone,"
                         " coalesce(st.first_day, $6), coalesce(st.last_day, $7),"
                         " coalesce(st.factor_pct, $8) FROM meters m"
                         " JOIN municipalities mu ON mu.id = m.municipality_id"
                         " LEFT JOIN reading_settings st ON st.org_id = m.org_id"
                         " WHERE m.id = $5 AND " METER_SCOPE,
                         p, 8, &r, b->e);
    if (rc)
        return rc;
    if (!store_next(r)) {
        store_rows_free(r);
        return err_set(b->e, ERR_NOTFOUND, "прибор учёта не найден");
    }
    struct meter *m = &b->m;
    m->id = store_int(r, 0);
    m->region_id = store_int(r, 1);
    m->municipality_id = store_int(r, 2);
    m->house_id = store_int(r, 3);
    m->org_id = store_int(r, 4);
    m->resource = store_dup(r, 5, b->a);
    m->digits = store_int(r, 6);
    m->decimals = store_int(r, 7);
    m->initial_value = store_int(r, 8);
    m->installed_on = store_dup(r, 9, b->a);
    m->next_verification_on = store_dup(r, 10, b->a);
    m->removed_on = store_dup(r, 11, b->a);
    m->timezone = store_dup(r, 12, b->a);
    b->out->settings = (struct meter_settings){(int)store_int(r, 13), (int)store_int(r, 14),
                                               (int)store_int(r, 15)};
    b->out->timezone = m->timezone;
    store_rows_free(r);
    if (store_conn_backend(b->c) != STORE_POSTGRES)
        return 0; /* SQLite: BEGIN IMMEDIATE already serializes the writers */
    /* Two submissions for one meter (adjacent periods, a correction beside
     * a new reading) judge each other's rows: the second waits here until
     * the first has committed, then reads what it wrote. */
    return store_exec(b->c, "SELECT id FROM meters WHERE id = $1 FOR UPDATE",
                      (struct store_val[]){SV_I(m->id)}, 1, NULL, b->e);
}

/* Records the refusal and returns ERR_INVALID naming the rule's field. */
static int refuse(struct sub *b, enum meter_rule rule, const char *msg)
{
    b->out->rule = rule;
    struct store_val p[] = {SV_I(b->m.id),
                            SV_I(b->m.region_id),
                            SV_I(b->m.municipality_id),
                            SV_I(b->m.house_id),
                            SV_I(b->m.org_id),
                            SV_S(meter_period_text(b->a, b->period)),
                            SV_I(b->value),
                            SV_S(meter_channel_name(b->q->channel)),
                            SV_ID(b->s->user_id),
                            SV_S(meter_rule_name(rule)),
                            SV_S(msg),
                            SV_I(b->now)};
    int rc = store_exec(b->c,
                        "INSERT INTO reading_rejections (meter_id, region_id, municipality_id,"
                        " house_id, org_id, period, value, channel, author_id, rule, message, at)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        p, 12, NULL, b->e);
    if (rc)
        return rc;
    b->out->logged = true;
    return err_field(b->e, ERR_INVALID, meter_rule_field(rule), "%s", msg);
}

/* The period: given (staff), or by the window at the time the reading was
 * given, on the wall clock of the meter's municipality. */
static int place_period(struct sub *b)
{
    struct reading_result *o = b->out;
    struct date local;
    if (meter_period_at(&o->settings, b->m.timezone, b->now, &b->now_period, &o->in_window, &local))
        return err_set(b->e, ERR_DB, "часовой пояс муниципалитета «%s» не распознан",
                       b->m.timezone ? b->m.timezone : "");
    date_format(local, b->on);
    b->period = b->now_period;
    if (b->q->period) {
        b->period = b->q->period;
        o->in_window = false;
        char end[DATE_STR_SIZE];
        date_format(date_period_last_day(b->period), end);
        if (strcmp(end, b->on) < 0)
            memcpy(b->on, end, sizeof end);
    } else if (b->received_at != b->now) {
        if (meter_period_at(&o->settings, b->m.timezone, b->received_at, &b->period, &o->in_window,
                            &local))
            return err_field(b->e, ERR_INVALID, "received_at", "время вне допустимого диапазона");
        date_format(local, b->on);
    }
    return 0;
}

static int meter_rules(struct sub *b)
{
    char msg[256];
    struct date inst;
    if (b->period > b->now_period) {
        snprintf(msg, sizeof msg, "период %s ещё не начался: сейчас принимаются показания за %s",
                 meter_period_text(b->a, b->period), meter_period_text(b->a, b->now_period));
        return refuse(b, RULE_FUTURE_PERIOD, msg);
    }
    if (date_parse(b->m.installed_on, &inst, NULL) == 0 &&
        b->period < date_period(inst.y, inst.m)) {
        snprintf(msg, sizeof msg, "прибор установлен %s: период %s раньше установки",
                 b->m.installed_on, meter_period_text(b->a, b->period));
        return refuse(b, RULE_BEFORE_INSTALLATION, msg);
    }
    /* The day of removal still takes the final reading (what the meter
     * showed when it was taken off); the days after do not. */
    if (b->m.removed_on && strcmp(b->m.removed_on, b->on) < 0) {
        snprintf(msg, sizeof msg, "прибор снят с учёта %s: показания по нему не принимаются",
                 b->m.removed_on);
        return refuse(b, RULE_METER_REMOVED, msg);
    }
    if (b->m.next_verification_on && strcmp(b->m.next_verification_on, b->on) < 0) {
        snprintf(msg, sizeof msg,
                 "срок поверки прибора истёк %s: показания не принимаются до новой поверки",
                 b->m.next_verification_on);
        return refuse(b, RULE_VERIFICATION_EXPIRED, msg);
    }
    return 0;
}

struct near {
    int64_t id, value, consumption, months;
    int period;
};

static int by_period_desc(const void *x, const void *y)
{
    const struct near *a = x, *b = y;
    return (a->period < b->period) - (a->period > b->period);
}

/* Fills b->x from the accepted readings around the period, the existing
 * reading of the period and the Idempotency-Key's reading. */
static int load_context(struct sub *b)
{
    struct store_val p[] = {SV_I(b->m.id), SV_S(meter_period_text(b->a, b->period)),
                            SV_T(b->q->idem_key)};
    struct store_rows *r = NULL;
    int rc = store_query(b->c,
                         "SELECT q.id, q.period, q.value, q.consumption, q.months, 0,"
                         " q.in_window FROM (SELECT id, period, value, consumption, months,"
                         " in_window FROM readings"
                         " WHERE meter_id = $1 AND state = 'accepted' AND period <= $2"
                         " ORDER BY period DESC LIMIT 13) q UNION ALL"
                         " SELECT n.id, n.period, n.value, n.consumption, n.months, 1, NULL FROM"
                         " (SELECT id, period, value, consumption, months FROM readings"
                         " WHERE meter_id = $1 AND state = 'accepted' AND period > $2"
                         " ORDER BY period LIMIT 1) n UNION ALL"
                         " SELECT k.id, k.period, k.value, k.consumption, k.months, 2, NULL"
                         " FROM readings k WHERE k.meter_id = $1 AND k.idem_key = $3",
                         p, 3, &r, b->e);
    if (rc)
        return rc;
    struct near before[14] = {{0}};
    int n = 0;
    while (store_next(r)) {
        struct near v = {store_int(r, 0), store_int(r, 2), store_int(r, 3), store_int(r, 4),
                         meter_period_stored(store_text(r, 1))};
        int tag = (int)store_int(r, 5);
        if (tag == 2)
            b->replay_id = v.id;
        else if (tag == 1) {
            b->next_id = v.id;
            b->x.has_next = true;
            b->x.next_value = v.value;
            b->x.next_period = v.period;
        } else if (v.period == b->period) {
            b->existing_id = v.id;
            b->existing_value = v.value;
            b->existing_outside = !store_isnull(r, 6) && store_int(r, 6) == 0;
        } else if (n < 14) {
            before[n++] = v;
        }
    }
    store_rows_free(r);
    qsort(before, (size_t)n, sizeof *before, by_period_desc);
    struct date inst = {0};
    date_parse(b->m.installed_on, &inst, NULL);
    b->x.prev_value = n ? before[0].value : b->m.initial_value;
    b->x.prev_period = n ? before[0].period : date_period(inst.y, inst.m);
    b->x.has_prev = n > 0;
    for (int i = 0; i < n && i < METER_HISTORY; i++) {
        b->x.hist_consumption += before[i].consumption;
        b->x.hist_months += before[i].months;
        b->x.hist_count++;
    }
    return 0;
}

#define READING_COLS                                                                               \
    "id, meter_id, period, value, consumption, months, rollover, confirmed, channel, state,"       \
    " author_id, received_at, submitted_at, in_window, replaces"

static void read_reading(struct store_rows *r, struct arena *a, struct reading *out)
{
    *out = (struct reading){.id = store_int(r, 0),
                            .meter_id = store_int(r, 1),
                            .period = meter_period_stored(store_text(r, 2)),
                            .value = store_int(r, 3),
                            .consumption = store_int(r, 4),
                            .months = store_int(r, 5),
                            .rollover = store_int(r, 6) != 0,
                            .confirmed = store_int(r, 7) != 0,
                            .channel = store_dup(r, 8, a),
                            .state = store_dup(r, 9, a),
                            .author_id = store_isnull(r, 10) ? 0 : store_int(r, 10),
                            .received_at = store_int(r, 11),
                            .submitted_at = store_int(r, 12),
                            .in_window = store_isnull(r, 13) ? -1 : (int)store_int(r, 13),
                            .replaces = store_isnull(r, 14) ? 0 : store_int(r, 14)};
}

/* The stored reading by id (for answers about an existing one). */
static int load_reading(struct store_conn *c, int64_t id, struct arena *a, struct reading *out,
                        struct err *e)
{
    struct store_val p[] = {SV_I(id)};
    struct store_rows *r = NULL;
    int rc = store_query(c, "SELECT " READING_COLS " FROM readings WHERE id = $1", p, 1, &r, e);
    if (rc)
        return rc;
    if (store_next(r))
        read_reading(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "показание не найдено");
    store_rows_free(r);
    return rc;
}

static int write_reading(struct sub *b, const struct reading_verdict *v)
{
    struct reading *r = &b->out->r;
    int rc = 0;
    if (b->existing_id) {
        struct store_val p[] = {SV_I(b->existing_id)};
        rc = store_exec(b->c, "UPDATE readings SET state = 'superseded' WHERE id = $1", p, 1, NULL,
                        b->e);
    }
    *r = (struct reading){.meter_id = b->m.id,
                          .period = b->period,
                          .value = b->value,
                          .consumption = v->consumption,
                          .months = v->months,
                          .rollover = v->rollover,
                          .confirmed = v->confirmed,
                          .channel = meter_channel_name(b->q->channel),
                          .state = "accepted",
                          .author_id = b->s->user_id,
                          .received_at = b->received_at,
                          .submitted_at = b->now,
                          .in_window = b->q->period ? -1 : b->out->in_window,
                          .replaces = b->existing_id};
    struct store_val p[] = {SV_I(b->m.id),
                            SV_I(b->m.region_id),
                            SV_I(b->m.municipality_id),
                            SV_I(b->m.house_id),
                            SV_I(b->m.org_id),
                            SV_S(meter_period_text(b->a, r->period)),
                            SV_I(r->value),
                            SV_I(r->consumption),
                            SV_I(r->months),
                            SV_I(r->rollover),
                            SV_I(r->confirmed),
                            SV_S(r->channel),
                            SV_ID(r->author_id),
                            SV_I(r->received_at),
                            SV_I(r->submitted_at),
                            r->in_window < 0 ? SV_NULLV : SV_I(r->in_window),
                            SV_ID(r->replaces),
                            SV_T(b->q->idem_key)};
    if (rc == 0)
        rc = store_query_int(b->c,
                             "INSERT INTO readings (meter_id, region_id, municipality_id,"
                             " house_id, org_id, period, value, consumption, months, rollover,"
                             " confirmed, channel, author_id, received_at, submitted_at,"
                             " in_window, state, replaces, idem_key) VALUES ($1, $2, $3, $4, $5,"
                             " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'accepted',"
                             " $17, $18) RETURNING id",
                             p, 18, &r->id, b->e);
    /* The next reading's consumption now counts from this one: it is
     * superseded by a copy with the new figures, so what billing may have
     * used stays in the history. */
    if (rc == 0 && b->next_id)
        rc = store_exec(b->c, "UPDATE readings SET state = 'superseded' WHERE id = $1",
                        (struct store_val[]){SV_I(b->next_id)}, 1, NULL, b->e);
    if (rc == 0 && b->next_id) {
        struct store_val n[] = {SV_I(b->next_id), SV_I(v->next_consumption), SV_I(v->next_months),
                                SV_I(v->next_rollover), SV_I(b->now)};
        rc = store_exec(b->c,
                        "INSERT INTO readings (meter_id, region_id, municipality_id, house_id,"
                        " org_id, period, value, consumption, months, rollover, confirmed,"
                        " channel, author_id, received_at, submitted_at, in_window, state,"
                        " replaces) SELECT meter_id, region_id, municipality_id, house_id,"
                        " org_id, period, value, $2, $3, $4, confirmed, channel, author_id,"
                        " received_at, $5, in_window, 'accepted', id FROM readings WHERE id = $1",
                        n, 5, NULL, b->e);
    }
    if (rc == ERR_CONFLICT) /* a concurrent submission for the same period won */
        err_field(b->e, rc, "period", "показание за этот период только что принято: повторите");
    return rc;
}

static int judge(struct sub *b)
{
    struct reading_result *o = b->out;
    char msg[256];
    if (b->existing_id && b->existing_value == b->value) {
        o->outcome = READING_UNCHANGED;
        return load_reading(b->c, b->existing_id, b->a, &o->r, b->e);
    }
    /* A reading given outside the window holds its period only until one
     * comes in the window: that one is the period's reading (ПП 354 п. 31
     * «е(1)»), and replaces it without being asked to. */
    bool replaces_early = b->existing_outside && !b->q->period && o->in_window;
    if (b->existing_id && !b->q->correction && !replaces_early) {
        char was[METER_VALUE_SIZE];
        meter_value_format(b->existing_value, was);
        snprintf(msg, sizeof msg,
                 "за период %s уже принято показание %s; чтобы заменить его, отправьте "
                 "correction = true",
                 meter_period_text(b->a, b->period), was);
        return refuse(b, RULE_ALREADY_ACCEPTED, msg);
    }
    b->x.period = b->period;
    b->x.digits = b->m.digits;
    b->x.factor_pct = o->settings.factor_pct;
    b->x.confirm_rollover = b->q->confirm_rollover;
    b->x.confirm = b->q->confirm && b->s->kind != SCOPE_RESIDENT;
    b->x.unit = meter_unit(b->m.resource);
    struct reading_verdict v;
    if (meter_judge(&b->x, b->value, &v))
        return refuse(b, v.rule, v.msg);
    o->prev_value = b->x.prev_value;
    o->prev_period = b->x.has_prev ? b->x.prev_period : 0;
    o->outcome = b->existing_id ? READING_CORRECTED : READING_ACCEPTED;
    return write_reading(b, &v);
}

int meter_reading_submit(struct store_conn *c, const struct store_scope *s,
                         const struct reading_req *q, struct arena *a, struct reading_result *out,
                         struct err *e)
{
    memset(out, 0, sizeof *out);
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct sub b = {.c = c, .s = s, .q = q, .a = a, .out = out, .e = e, .now = store_now()};
    b.received_at = q->received_at ? q->received_at : b.now;
    const char *why = NULL;
    if ((rc = request_rules(&b)) || (rc = load_meter(&b)) || (rc = place_period(&b)))
        return rc;
    if (meter_value_parse(q->value, b.m.digits, b.m.decimals, &b.value, &why))
        return err_field(e, ERR_INVALID, "value", "%s", why);
    if ((rc = load_context(&b)))
        return rc;
    if (b.replay_id) {
        out->outcome = READING_REPLAYED;
        if ((rc = load_reading(c, b.replay_id, a, &out->r, e)))
            return rc;
        /* The key names one request: reused for another value, it is a
         * client's mistake, not a retry. */
        if (out->r.value != b.value) {
            char was[METER_VALUE_SIZE];
            meter_value_format(out->r.value, was);
            return err_field(e, ERR_INVALID, "Idempotency-Key",
                             "этот ключ уже использован для показания %s по этому прибору", was);
        }
        return 0;
    }
    if ((rc = meter_rules(&b)))
        return rc;
    return judge(&b);
}

int meter_readings(struct store_conn *c, const struct store_scope *s, int64_t meter_id,
                   struct page pg, struct arena *a, struct reading **items, int64_t *count,
                   int64_t *total, struct err *e)
{
    struct meter m;
    int rc = meter_get(c, s, meter_id, a, &m, e); /* scoped */
    if (rc)
        return rc;
    struct store_val p[] = {SV_I(meter_id), SV_I(pg.per_page), SV_I((pg.page - 1) * pg.per_page)};
    if ((rc = store_query_int(c, "SELECT count(*) FROM readings WHERE meter_id = $1", p, 1, total,
                              e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " READING_COLS " FROM readings WHERE meter_id = $1"
                          " ORDER BY period DESC, id DESC LIMIT $2 OFFSET $3",
                          p, 3, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r)) {
        struct reading *x = &(*items)[(*count)++];
        read_reading(r, a, x);
        /* A resident sees who gave a reading only when it was them (not the
         * staff, not an earlier occupant). */
        if (s->kind == SCOPE_RESIDENT && x->author_id != s->user_id)
            x->author_id = 0;
    }
    store_rows_free(r);
    return rc;
}
