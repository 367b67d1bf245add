/* api_readings.c — readings over HTTP (docs/meters.md): the submission
 * (POST /api/v1/readings, the hot path: one transaction), a meter's history,
 * the period's consumption for billing, the channel shares and the
 * meter-data error figures. */
#include "http/http.h"

#include "meters/meters.h"

#include <stdio.h>
#include <string.h>

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

static json_t *jvalue(int64_t v)
{
    char buf[METER_VALUE_SIZE];
    meter_value_format(v, buf);
    return json_string(buf);
}

static json_t *jperiod(struct http_req *r, int period)
{
    return period ? json_string(meter_period_text(r->arena, period)) : json_null();
}

static json_t *json_reading(struct http_req *r, const struct reading *x)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:o, s:o, s:o, s:I, s:b, s:b, s:s, s:o, s:s, s:s, s:s}", "id",
        (json_int_t)x->id, "meter_id", (json_int_t)x->meter_id, "period", jperiod(r, x->period),
        "value", jvalue(x->value), "consumption", jvalue(x->consumption), "months",
        (json_int_t)x->months, "rollover", x->rollover, "confirmed", x->confirmed, "channel",
        x->channel, "author_id", http_id(x->author_id), "received_at", http_time(r, x->received_at),
        "submitted_at", http_time(r, x->submitted_at), "state", x->state);
    json_object_set_new(o, "in_window",
                        x->in_window < 0 ? json_null() : json_boolean(x->in_window));
    json_object_set_new(o, "replaces", http_id(x->replaces));
    return o;
}

/* "2025-03-25T19:30:00Z" → Unix seconds; -1 if malformed. */
static int64_t parse_utc(const char *s)
{
    struct date d;
    char day[DATE_STR_SIZE];
    int h, mi, se, n = 0;
    if (!s || strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z')
        return -1;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (date_parse(day, &d, NULL) || sscanf(s + 11, "%2d:%2d:%2dZ%n", &h, &mi, &se, &n) != 3 ||
        n != 9 || h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0)
        return -1;
    return date_days_from_civil(d) * 86400 + h * 3600 + mi * 60 + se;
}

static bool key_valid(const char *k)
{
    size_t n = strlen(k);
    for (size_t i = 0; i < n; i++)
        if (k[i] <= ' ' || k[i] > '~')
            return false;
    return n >= 1 && n <= 128;
}

/* Reads a submission; a whole number is taken as a value in whole units. */
static void read_request(struct http_req *r, json_t *body, struct reading_req *q,
                         struct field_errors *fe)
{
    json_t *v = json_object_get(body, "value");
    if (json_is_integer(v))
        json_object_set_new(
            body, "value",
            json_string(arena_printf(r->arena, "%lld", (long long)json_integer_value(v))));
    const char *period = NULL, *received = NULL, *channel = NULL;
    struct jv_field fields[] = {{"meter_id", JV_INT, true, 0, &q->meter_id},
                                {"value", JV_STRING, true, 32, &q->value},
                                {"period", JV_STRING, false, 7, &period},
                                {"received_at", JV_STRING, false, 20, &received},
                                {"channel", JV_STRING, false, 16, &channel},
                                {"correction", JV_BOOL, false, 0, &q->correction},
                                {"confirm_rollover", JV_BOOL, false, 0, &q->confirm_rollover},
                                {"confirm", JV_BOOL, false, 0, &q->confirm},
                                {NULL}};
    jv_read(body, fields, r->arena, fe);
    bool resident = scope(r)->kind == SCOPE_RESIDENT;
    q->channel = resident ? CH_RESIDENT : CH_OPERATOR;
    if (period && date_period_parse(period, &q->period, NULL))
        fe_add(fe, "period", "ожидается месяц ГГГГ-ММ");
    if (received && (q->received_at = parse_utc(received)) <= 0)
        fe_add(fe, "received_at", "ожидается время UTC: 2026-03-25T10:00:00Z");
    if (channel && (meter_channel_parse(channel, &q->channel) ||
                    (!resident && (q->channel == CH_FILE || q->channel == CH_RESIDENT))))
        fe_add(fe, "channel",
               resident ? "житель передаёт показания сам: channel = resident"
                        : "допустимо: operator (оператор), api (интегратор)");
    q->idem_key = http_request_header(r, "Idempotency-Key");
    if (q->idem_key && !key_valid(q->idem_key))
        fe_add(fe, "Idempotency-Key", "1–128 печатных символов ASCII без пробелов");
}

static const char *answer(struct http_req *r, const struct reading_req *q,
                          const struct reading_result *o)
{
    const char *per = meter_period_text(r->arena, o->r.period);
    switch (o->outcome) {
    case READING_UNCHANGED:
        return arena_printf(r->arena, "Показание за %s уже принято с тем же значением.", per);
    case READING_REPLAYED: return "Повтор запроса: показание уже сохранено, ответ прежний.";
    case READING_CORRECTED:
        return arena_printf(r->arena, "Показание за %s исправлено; прежнее сохранено в истории.",
                            per);
    default: break;
    }
    if (q->period || o->in_window)
        return arena_printf(r->arena, "Показание принято за период %s.", per);
    return arena_printf(r->arena,
                        "Показание передано вне окна приёма (с %d по %d число, время %s): оно "
                        "учтено в периоде %s.",
                        o->settings.first_day, o->settings.last_day, o->timezone, per);
}

static const char *const outcomes[] = {"accepted", "corrected", "unchanged", "replayed"};

static int submitted(struct http_req *r, const struct reading_req *q,
                     const struct reading_result *o)
{
    json_t *body = json_reading(r, &o->r);
    json_object_set_new(body, "result", json_string(outcomes[o->outcome]));
    bool fresh = o->outcome == READING_ACCEPTED || o->outcome == READING_CORRECTED;
    if (fresh) {
        json_object_set_new(body, "previous_value", jvalue(o->prev_value));
        json_object_set_new(body, "previous_period", jperiod(r, o->prev_period));
        json_object_set_new(body, "window",
                            json_pack("{s:i, s:i, s:s}", "first_day", o->settings.first_day,
                                      "last_day", o->settings.last_day, "timezone", o->timezone));
    }
    json_object_set_new(body, "message", json_string(answer(r, q, o)));
    return http_json(r, fresh ? 201 : 200, body);
}

/* One submission handed to the store's group commit (store_write_submit):
 * it lives in the request's arena, which the committer thread uses while
 * the connection is suspended. */
struct submission {
    struct store_write w;
    struct http_req *r;
    struct reading_req q;
    struct reading_result o;
    int rc;       /* meter_reading_submit's */
    struct err e; /* its message */
};

/* The write: a refusal by a rule is kept (it is recorded for the quality
 * figures) though the answer is 422; any other error undoes it. */
static int submit_write(struct store_conn *c, void *arg, struct err *e)
{
    struct submission *x = arg;
    x->rc = meter_reading_submit(c, scope(x->r), &x->q, x->r->arena, &x->o, &x->e);
    if (x->rc == 0 || (x->rc == ERR_INVALID && x->o.logged))
        return 0;
    *e = x->e;
    return x->rc;
}

static void submit_done(struct store_write *w)
{
    http_resume(((struct submission *)w->arg)->r);
}

/* Back on the MHD thread: the answer, now that the write is durable (or failed). */
static int submit_finish(struct http_req *r, void *arg)
{
    struct submission *x = arg;
    bool kept = x->rc == 0 || (x->rc == ERR_INVALID && x->o.logged);
    if (x->w.rc && kept) /* the commit (or the savepoint) failed */
        return http_error(r, &x->w.err);
    if (x->rc == ERR_INVALID && x->o.rule) {
        struct field_errors fe = {0};
        fe_add(&fe, x->e.field, "%s", x->e.msg);
        return http_validation_with(r, &fe, json_pack("{s:s}", "rule", meter_rule_name(x->o.rule)));
    }
    return x->rc ? http_error(r, &x->e) : submitted(r, &x->q, &x->o);
}

/* The answer is sent only after the reading's transaction has committed:
 * the write goes to the store's group commit and the connection waits
 * suspended, so the MHD thread serves other requests meanwhile. */
int api_readings_submit(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct submission *x = arena_alloc(r->arena, sizeof *x);
    if (!x) {
        json_decref(body);
        return http_problem(r, 500, "internal", "Внутренняя ошибка", NULL);
    }
    memset(x, 0, sizeof *x);
    struct field_errors fe = {0};
    read_request(r, body, &x->q, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    x->r = r;
    x->w = (struct store_write){.fn = submit_write, .arg = x, .done = submit_done};
    if (http_defer(r, submit_finish, x))
        store_write_submit(r->store, &x->w);
    return 0;
}

int api_meter_readings(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct reading *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_readings(c, scope(r), r->ids[0], pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_reading(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* The required period argument; 0 with an error added if absent or bad. */
static int period_arg(struct http_req *r, struct field_errors *fe)
{
    const char *s = http_query(r, "period");
    int p = 0;
    if (!s || date_period_parse(s, &p, NULL))
        fe_add(fe, "period", "ожидается месяц ГГГГ-ММ");
    return p;
}

int api_meters_consumption(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct consumption_filter f = {.period = period_arg(r, &fe),
                                   .resource = http_query(r, "resource")};
    f.house_id = http_query_id(r, "house_id", &fe);
    f.org_id = http_query_id(r, "org_id", &fe);
    if (f.resource && !meter_resource_valid(f.resource))
        fe_add(&fe, "resource", "допустимо: cold_water, hot_water, electricity, heat, gas");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct consumption *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_consumption(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct consumption *x = &items[i];
        json_t *o = json_pack("{s:I, s:I, s:o, s:I, s:s, s:s, s:o, s:b}", "meter_id",
                              (json_int_t)x->meter_id, "house_id", (json_int_t)x->house_id,
                              "premises_id", http_id(x->premises_id), "org_id",
                              (json_int_t)x->org_id, "resource", x->resource, "zone", x->zone,
                              "period", jperiod(r, f.period), "estimate", x->estimate);
        json_object_set_new(o, "reading_id", http_id(x->reading_id));
        json_object_set_new(o, "value", x->estimate ? json_null() : jvalue(x->value));
        json_object_set_new(o, "consumption", x->estimate ? json_null() : jvalue(x->consumption));
        json_object_set_new(o, "months", x->estimate ? json_null() : json_integer(x->months));
        json_object_set_new(o, "previous_period", jperiod(r, x->prev_period));
        json_array_append_new(list, o);
    }
    return http_json(r, 200, http_list(list, pg, total));
}

int api_readings_stats(struct http_req *r)
{
    struct field_errors fe = {0};
    int period = period_arg(r, &fe);
    int64_t org = http_query_id(r, "org_id", &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct channel_stats *items;
    int64_t n;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_channel_stats(c, scope(r), period, org, r->arena, &items, &n, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct channel_stats *x = &items[i];
        json_t *channels = json_object();
        for (int ch = 0; ch < METER_NCHANNELS; ch++)
            json_object_set_new(channels, meter_channel_name((enum meter_channel)ch),
                                json_pack("{s:I, s:o}", "count", (json_int_t)x->count[ch],
                                          "percent", http_percent(x->count[ch], x->total)));
        json_array_append_new(list, json_pack("{s:I, s:s?, s:s?, s:I, s:o}", "org_id",
                                              (json_int_t)x->org_id, "org_name", x->org_name, "inn",
                                              x->org_inn, "total", (json_int_t)x->total, "channels",
                                              channels));
    }
    return http_json(r, 200, json_pack("{s:o, s:o}", "period", jperiod(r, period), "items", list));
}

int api_meters_quality(struct http_req *r)
{
    struct field_errors fe = {0};
    int period = period_arg(r, &fe);
    int64_t org = http_query_id(r, "org_id", &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct meter_quality *items;
    int64_t n;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_quality(c, scope(r), period, org, r->arena, &items, &n, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct meter_quality *x = &items[i];
        json_t *o = json_pack("{s:I, s:s?, s:s?, s:I}", "org_id", (json_int_t)x->org_id, "org_name",
                              x->org_name, "inn", x->org_inn, "meters", (json_int_t)x->meters);
        const char *names[] = {"with_errors", "verification_expired", "missing_serial", "rejected",
                               "no_account"};
        const int64_t counts[] = {x->with_errors, x->verification_expired, x->missing_serial,
                                  x->rejected, x->no_account};
        for (int k = 0; k < 5; k++) {
            json_object_set_new(o, names[k], json_integer(counts[k]));
            json_object_set_new(o, arena_printf(r->arena, "%s_percent", names[k]),
                                http_percent(counts[k], x->meters));
        }
        json_array_append_new(list, o);
    }
    return http_json(r, 200, json_pack("{s:o, s:o}", "period", jperiod(r, period), "items", list));
}
