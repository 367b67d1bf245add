/* metrics.c — request counters by route and status, a latency histogram by
 * route, and the database pool's figures, in Prometheus text format. Counters
 * are updated with atomic adds; no lock on the request path. */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 128 /* slot MAX_ROUTES-1 counts requests matching no route */
#define MAX_STATUS 600

static const double buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static uint64_t by_status[MAX_ROUTES][MAX_STATUS];
static uint64_t histogram[MAX_ROUTES][NBUCKETS + 1]; /* last: +Inf */
static uint64_t sum_us[MAX_ROUTES];

static int slot_of(const struct route *route)
{
    int i = route ? (int)(route - http_routes) : MAX_ROUTES - 1;
    return i < MAX_ROUTES - 1 ? i : MAX_ROUTES - 1;
}

void metrics_record(const struct route *route, int status, double seconds)
{
    int i = slot_of(route);
    if (status > 0 && status < MAX_STATUS)
        __atomic_fetch_add(&by_status[i][status], 1, __ATOMIC_RELAXED);
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    __atomic_fetch_add(&histogram[i][b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&sum_us[i], (uint64_t)(seconds * 1e6), __ATOMIC_RELAXED);
}

static const char *route_label(int i)
{
    return i == MAX_ROUTES - 1 ? "other" : http_routes[i].pattern;
}

static const char *method_label(int i)
{
    return i == MAX_ROUTES - 1 ? "" : http_routes[i].method;
}

static void render_requests(FILE *f, int nroutes)
{
    fputs("# HELP upravdom_http_requests_total HTTP requests answered, by route and status.\n"
          "# TYPE upravdom_http_requests_total counter\n",
          f);
    for (int i = 0; i < MAX_ROUTES; i++) {
        if (i >= nroutes && i != MAX_ROUTES - 1)
            continue;
        for (int s = 0; s < MAX_STATUS; s++) {
            uint64_t n = __atomic_load_n(&by_status[i][s], __ATOMIC_RELAXED);
            if (n)
                fprintf(f,
                        "upravdom_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"}"
                        " %llu\n",
                        method_label(i), route_label(i), s, (unsigned long long)n);
        }
    }
}

static void render_latency(FILE *f, int nroutes)
{
    fputs("# HELP upravdom_http_request_duration_seconds Time to answer a request.\n"
          "# TYPE upravdom_http_request_duration_seconds histogram\n",
          f);
    for (int i = 0; i < MAX_ROUTES; i++) {
        if (i >= nroutes && i != MAX_ROUTES - 1)
            continue;
        uint64_t cum = 0;
        char labels[256];
        snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\"", method_label(i),
                 route_label(i));
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += __atomic_load_n(&histogram[i][b], __ATOMIC_RELAXED);
            if (b < NBUCKETS)
                fprintf(f, "upravdom_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
                        labels, buckets[b], (unsigned long long)cum);
            else
                fprintf(f, "upravdom_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
                        labels, (unsigned long long)cum);
        }
        fprintf(f, "upravdom_http_request_duration_seconds_sum{%s} %.6f\n", labels,
                (double)__atomic_load_n(&sum_us[i], __ATOMIC_RELAXED) / 1e6);
        fprintf(f, "upravdom_http_request_duration_seconds_count{%s} %llu\n", labels,
                (unsigned long long)cum);
    }
}

static void render_pool(FILE *f, struct store *store)
{
    struct store_stats st;
    store_get_stats(store, &st);
    fprintf(f,
            "# HELP upravdom_db_pool_size Database connections the pool may hold.\n"
            "# TYPE upravdom_db_pool_size gauge\nupravdom_db_pool_size{backend=\"%s\"} %d\n"
            "# HELP upravdom_db_pool_open Database connections open.\n"
            "# TYPE upravdom_db_pool_open gauge\nupravdom_db_pool_open %d\n"
            "# HELP upravdom_db_pool_in_use Database connections in use.\n"
            "# TYPE upravdom_db_pool_in_use gauge\nupravdom_db_pool_in_use %d\n"
            "# HELP upravdom_db_pool_acquired_total Connections handed out.\n"
            "# TYPE upravdom_db_pool_acquired_total counter\n"
            "upravdom_db_pool_acquired_total %llu\n"
            "# HELP upravdom_db_pool_waits_total Acquisitions that waited for a connection.\n"
            "# TYPE upravdom_db_pool_waits_total counter\nupravdom_db_pool_waits_total %llu\n"
            "# HELP upravdom_db_errors_total Statements that failed.\n"
            "# TYPE upravdom_db_errors_total counter\nupravdom_db_errors_total %llu\n",
            store_backend_name(store), st.size, st.open, st.in_use, (unsigned long long)st.acquired,
            (unsigned long long)st.waited, (unsigned long long)st.errors);
}

char *metrics_render(struct store *store, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    int nroutes = 0;
    while (http_routes[nroutes].method)
        nroutes++;
    render_requests(f, nroutes);
    render_latency(f, nroutes);
    render_pool(f, store);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}
