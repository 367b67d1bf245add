/* xlsx.c — a report table as an XLSX workbook. libxlsxwriter 1.1.4 writes
 * only to a file (PITFALLS.md), so the workbook goes to a private temporary
 * file that is read back and removed. */
#include "render/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static int read_back(const char *path, char **out, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "xlsx: cannot read the workbook back");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    *out = n > 0 ? malloc((size_t)n) : NULL;
    int rc = *out && fread(*out, 1, (size_t)n, f) == (size_t)n ? 0 : ERR_IO;
    fclose(f);
    if (rc) {
        free(*out);
        *out = NULL;
        return err_set(e, rc, "xlsx: cannot read the workbook back");
    }
    *len = (size_t)n;
    return 0;
}

static void write_sheet(const struct table *t, lxw_workbook *wb, lxw_worksheet *ws)
{
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDE4EE);
    format_set_text_wrap(head);
    format_set_border(head, LXW_BORDER_THIN);
    worksheet_write_string(ws, 0, 0, t->title, bold);
    lxw_row_t row = 2;
    for (int i = 0; i < t->nfacts; i++, row++) {
        worksheet_write_string(ws, row, 0, t->fact_names[i], bold);
        worksheet_write_string(ws, row, 1, t->fact_values[i], NULL);
    }
    row++;
    lxw_row_t first = row;
    for (int j = 0; j < t->ncolumns; j++) {
        worksheet_write_string(ws, row, (lxw_col_t)j, t->columns[j], head);
        worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, j == 0 ? 40 : 18, NULL);
    }
    for (int i = 0; i < t->nrows; i++)
        for (int j = 0; j < t->ncolumns; j++)
            worksheet_write_string(ws, first + 1 + (lxw_row_t)i, (lxw_col_t)j, t->rows[i][j], NULL);
    worksheet_freeze_panes(ws, first + 1, 0);
    worksheet_autofilter(ws, first, 0, first + (lxw_row_t)t->nrows, (lxw_col_t)(t->ncolumns - 1));
}

int table_xlsx(const struct table *t, char **out, size_t *len, struct err *e)
{
    char path[] = "/tmp/upravdom-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_IO, "xlsx: no temporary file");
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "Отчёт") : NULL;
    int rc = 0;
    if (!ws) {
        rc = err_set(e, ERR_NOMEM, "xlsx: cannot create a workbook");
    } else {
        write_sheet(t, wb, ws);
    }
    if (wb && workbook_close(wb) != LXW_NO_ERROR && !rc)
        rc = err_set(e, ERR_IO, "xlsx: cannot write the workbook");
    if (!rc)
        rc = read_back(path, out, len, e);
    unlink(path);
    return rc;
}
