/* overview.h — meters as the web pages and the export show them (docs/meters.md "Web pages and
 * export"): each meter of a filtered list (meter_list, the same scope and filters) with its place
 * (house address, premises number), the organization that takes its readings, its latest accepted
 * reading, its organization's reading window, the period a reading given now counts for on the
 * municipality's wall clock, and its refused submissions of a period; the same list as a report
 * table (src/render/) for CSV and XLSX; a meter's refused submissions.
 *
 * Strings of returned objects live in the caller's arena. */
#ifndef UPRAVDOM_METERS_OVERVIEW_H
#define UPRAVDOM_METERS_OVERVIEW_H

#include "meters/meters.h"
#include "render/table.h"

#define METER_EXPORT_MAX 50000 /* meters in one exported file */

struct meter_row {
    struct meter m;
    const char *address;         /* of the house */
    const char *premises_number; /* NULL: a building meter */
    const char *premises_kind;   /* residential | nonresidential | parking | storage */
    const char *org_name;        /* short name, else the name */
    bool has_last;               /* an accepted reading exists */
    struct reading last;         /* the accepted reading of the latest period */
    struct meter_settings window;
    struct date today; /* the local date in the municipality's zone */
    int now_period;    /* the period a reading given now counts for */
    bool now_in_window;
    int64_t rejected; /* refused submissions in the filter's period (0 without one) */
};

/* One page of meter_list(f) with each meter's row, judged at `now`. */
int meter_rows(struct store_conn *c, const struct store_scope *s, const struct meter_filter *f,
               struct page pg, int64_t now, struct arena *a, struct meter_row **items,
               int64_t *count, int64_t *total, struct err *e);

/* The whole filtered list as a table with Russian headings, the filter as
 * facts. ERR_INVALID (field "house_id") when more than METER_EXPORT_MAX
 * meters match. */
int meter_rows_table(struct store_conn *c, const struct store_scope *s,
                     const struct meter_filter *f, int64_t now, struct arena *a, struct table **out,
                     struct err *e);

struct reading_rejection {
    int64_t id, meter_id;
    int period;
    int64_t value;
    const char *channel, *rule, *message;
    int64_t author_id; /* 0: none */
    int64_t at;
};

/* A meter's refused submissions, newest first (the meter must be visible). */
int meter_rejections(struct store_conn *c, const struct store_scope *s, int64_t meter_id,
                     struct page pg, struct arena *a, struct reading_rejection **items,
                     int64_t *count, int64_t *total, struct err *e);

/* Russian names for people and files: "Холодная вода", "действует", "житель". */
const char *meter_resource_name(const char *resource);
const char *meter_status_name(const char *status);
const char *meter_channel_title(const char *channel);

#endif
