/* loadgen.c — see loadgen.h. libcurl keeps each client's connection open
 * between requests (one easy handle per thread, reused). */
#include "loadgen.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct client {
    const struct loadgen_opts *o;
    int id;
    atomic_long *next_seq;
    double *lat_ms; /* one per request this client sent */
    long n, ok, failed;
    int bad_status;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

static void one(struct client *k, CURL *h, struct curl_slist *headers, long seq)
{
    char buf[2048], url[512];
    struct loadgen_req q = {0};
    k->o->next(k->o->arg, k->id, seq, &q, buf, sizeof buf);
    snprintf(url, sizeof url, "%s%s", k->o->base_url, q.path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (q.body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q.body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(q.body));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    double t0 = now_s();
    CURLcode rc = curl_easy_perform(h);
    k->lat_ms[k->n++] = (now_s() - t0) * 1000.0;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK && status == k->o->expect_status) {
        k->ok++;
    } else {
        k->failed++;
        if (!k->bad_status)
            k->bad_status = rc == CURLE_OK ? (int)status : -1;
    }
}

static void *run(void *arg)
{
    struct client *k = arg;
    CURL *h = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[600];
    if (k->o->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", k->o->token);
        headers = curl_slist_append(headers, auth);
    }
    if (h && headers) {
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
        for (long seq; (seq = atomic_fetch_add(k->next_seq, 1)) < k->o->requests;)
            one(k, h, headers, seq);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return NULL;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void summarize(struct client *ks, int n, double seconds, struct loadgen_result *out)
{
    long total = 0;
    for (int i = 0; i < n; i++)
        total += ks[i].n;
    double *all = malloc(sizeof *all * (size_t)(total ? total : 1));
    long k = 0;
    for (int i = 0; i < n; i++) {
        out->ok += ks[i].ok;
        out->failed += ks[i].failed;
        if (!out->first_bad_status)
            out->first_bad_status = ks[i].bad_status;
        for (long j = 0; all && j < ks[i].n; j++)
            all[k++] = ks[i].lat_ms[j];
    }
    out->seconds = seconds;
    out->per_s = seconds > 0 ? (double)out->ok / seconds : 0;
    if (all && k) {
        qsort(all, (size_t)k, sizeof *all, cmp_double);
        out->p50_ms = all[k / 2];
        out->p99_ms = all[(k * 99) / 100];
        out->max_ms = all[k - 1];
    }
    free(all);
}

int loadgen_run(const struct loadgen_opts *o, struct loadgen_result *out)
{
    memset(out, 0, sizeof *out);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    atomic_long seq = 0;
    struct client *ks = calloc((size_t)o->clients, sizeof *ks);
    pthread_t *th = calloc((size_t)o->clients, sizeof *th);
    int started = 0, rc = ks && th ? 0 : -1;
    for (int i = 0; rc == 0 && i < o->clients; i++) {
        ks[i] = (struct client){.o = o, .id = i, .next_seq = &seq};
        /* A client may, at worst, send every request. */
        if (!(ks[i].lat_ms = malloc(sizeof(double) * (size_t)o->requests)))
            rc = -1;
    }
    double t0 = now_s();
    for (; rc == 0 && started < o->clients; started++)
        if (pthread_create(&th[started], NULL, run, &ks[started]) != 0)
            rc = -1;
        else
            pthread_setname_np(th[started], "loadgen"); /* apart from the server in perf */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (rc == 0)
        summarize(ks, o->clients, now_s() - t0, out);
    for (int i = 0; ks && i < o->clients; i++)
        free(ks[i].lat_ms);
    free(ks);
    free(th);
    curl_global_cleanup();
    return rc;
}
