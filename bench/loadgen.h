/* loadgen.h — a closed-loop HTTP load generator for the benchmarks: each of
 * `clients` threads holds one keep-alive connection (a libcurl easy handle)
 * and sends its next request as soon as the answer to the previous one has
 * arrived, until `requests` have been sent in all. Every request's latency is
 * kept for the percentiles. */
#ifndef UPRAVDOM_LOADGEN_H
#define UPRAVDOM_LOADGEN_H

#include <stddef.h>

/* One request: method "GET" or "POST", path under the base URL, JSON body
 * (POST) or NULL. The texts may live in buf (size bytes) of the caller. */
struct loadgen_req {
    const char *method;
    const char *path;
    const char *body;
};

/* Fills the request number seq (0-based, over all clients) of client. */
typedef void (*loadgen_next)(void *arg, int client, long seq, struct loadgen_req *out, char *buf,
                             size_t size);

struct loadgen_opts {
    const char *base_url; /* "http://127.0.0.1:PORT" */
    const char *token;    /* Bearer token, or NULL */
    int clients;
    long requests;
    int expect_status; /* the status that counts as success (e.g. 201) */
    loadgen_next next;
    void *arg;
};

struct loadgen_result {
    long ok, failed; /* answered with expect_status / anything else or no answer */
    int first_bad_status;
    double seconds, per_s; /* wall time; successful requests per second */
    double p50_ms, p99_ms, max_ms;
};

/* Runs the load. 0, or -1 when the clients could not be started. */
int loadgen_run(const struct loadgen_opts *o, struct loadgen_result *out);

#endif
