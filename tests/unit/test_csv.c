/* test_csv.c — the CSV reader (src/base/csv.h): encodings, separators,
 * quoting, line ends, positions, errors and bounded records. Each test name
 * states the rule it proves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/csv.h"

/* Reads all records of data as "line|f1|f2…" strings joined by "\n". */
static char *read_all(const char *data, size_t len, const struct csv_opts *o, char *sep_out,
                      enum csv_encoding *enc_out)
{
    struct csv *r;
    struct err e = {0};
    if (csv_open_mem(data, len, o, &r, &e))
        fail_msg("open: %s", e.msg);
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap);
    struct csv_record rec;
    int rc;
    while ((rc = csv_next(r, &rec, &e)) == 1) {
        n += (size_t)snprintf(out + n, cap - n, "%s%ld", n ? "\n" : "", rec.line);
        for (int i = 0; i < rec.n; i++) {
            assert_int_equal(strlen(rec.field[i]), rec.len[i]);
            n += (size_t)snprintf(out + n, cap - n, "|%s", rec.field[i]);
        }
    }
    if (rc < 0)
        fail_msg("next: %s", e.msg);
    if (sep_out)
        *sep_out = csv_separator(r);
    if (enc_out)
        *enc_out = csv_encoding(r);
    csv_close(r);
    return out;
}

static void expect(const char *data, const char *want)
{
    char *got = read_all(data, strlen(data), NULL, NULL, NULL);
    assert_string_equal(got, want);
    free(got);
}

/* Reads until the error; returns its code and position. */
static int read_error(const char *data, size_t len, const struct csv_opts *o, long *line, int *col,
                      char *msg, size_t msg_size)
{
    struct csv *r;
    struct err e = {0};
    int rc = csv_open_mem(data, len, o, &r, &e);
    if (rc) {
        snprintf(msg, msg_size, "%s", e.msg);
        return rc;
    }
    struct csv_record rec;
    while ((rc = csv_next(r, &rec, &e)) == 1)
        ;
    csv_error_pos(r, line, col);
    snprintf(msg, msg_size, "%s", e.msg);
    if (rc < 0) { /* the reader keeps answering with the same error */
        struct err again = {0};
        assert_int_equal(csv_next(r, &rec, &again), rc);
        assert_string_equal(again.msg, e.msg);
    }
    csv_close(r);
    return rc;
}

/* ---- encodings ---- */

static void utf8_without_bom_is_read_as_is(void **state)
{
    (void)state;
    enum csv_encoding enc;
    const char *d = "адрес;октмо\nг. Светлогорск, ул. Ленина, 1;99701000\n";
    char *got = read_all(d, strlen(d), NULL, NULL, &enc);
    assert_int_equal(enc, CSV_UTF8);
    assert_string_equal(got, "1|адрес|октмо\n2|г. Светлогорск, ул. Ленина, 1|99701000");
    free(got);
}

static void utf8_bom_is_detected_and_dropped(void **state)
{
    (void)state;
    enum csv_encoding enc;
    const char *d = "\xef\xbb\xbf"
                    "дом;помещение\n1;2\n";
    char *got = read_all(d, strlen(d), NULL, NULL, &enc);
    assert_int_equal(enc, CSV_UTF8_BOM);
    assert_string_equal(got, "1|дом|помещение\n2|1|2");
    free(got);
}

static void text_that_is_not_utf8_is_read_as_windows_1251_and_converted(void **state)
{
    (void)state;
    enum csv_encoding enc;
    char sep;
    /* "дом;площадь\nН1;52,30 №\n" in Windows-1251 (№ is 0xB9). */
    const char d[] = "\xe4\xee\xec;\xef\xeb\xee\xf9\xe0\xe4\xfc\n\xcd\x31;52,30 \xb9\n";
    char *got = read_all(d, sizeof d - 1, NULL, &sep, &enc);
    assert_int_equal(enc, CSV_CP1251);
    assert_int_equal(sep, ';');
    assert_string_equal(got, "1|дом|площадь\n2|Н1|52,30 №");
    free(got);
}

static void one_invalid_byte_late_in_the_file_makes_the_whole_file_windows_1251(void **state)
{
    (void)state;
    enum csv_encoding enc;
    /* Plain ASCII for many lines, then a Windows-1251 "Я" (0xDF). */
    char d[4096] = "a;b\n";
    for (int i = 0; i < 200; i++)
        strcat(d, "x;y\n");
    strcat(d, "\xdf;z\n");
    char *got = read_all(d, strlen(d), NULL, NULL, &enc);
    assert_int_equal(enc, CSV_CP1251);
    assert_non_null(strstr(got, "\n202|Я|z"));
    free(got);
}

static void a_byte_undefined_in_windows_1251_is_an_error_with_its_line(void **state)
{
    (void)state;
    const char d[] = "a;b\n\xe0;1\n\x98;2\n";
    long line = 0;
    int col = -1;
    char msg[512];
    assert_int_equal(read_error(d, sizeof d - 1, NULL, &line, &col, msg, sizeof msg), ERR_INVALID);
    assert_int_equal(line, 3);
    assert_non_null(strstr(msg, "0x98"));
}

static void a_bom_followed_by_invalid_utf8_is_an_error_naming_the_line(void **state)
{
    (void)state;
    const char d[] = "\xef\xbb\xbf"
                     "a;b\nok;ok\n\xff;1\n";
    char msg[512];
    assert_int_equal(read_error(d, sizeof d - 1, NULL, NULL, NULL, msg, sizeof msg), ERR_INVALID);
    assert_non_null(strstr(msg, "строке 3"));
}

static void overlong_and_surrogate_sequences_are_not_utf8(void **state)
{
    (void)state;
    enum csv_encoding enc;
    const char overlong[] = "a\n\xc0\xaf\n";      /* '/' in two bytes */
    const char surrogate[] = "a\n\xed\xa0\x80\n"; /* U+D800 */
    const char truncated[] = "a\n\xd0";           /* first byte of "а" only */
    free(read_all(overlong, sizeof overlong - 1, NULL, NULL, &enc));
    assert_int_equal(enc, CSV_CP1251);
    free(read_all(surrogate, sizeof surrogate - 1, NULL, NULL, &enc));
    assert_int_equal(enc, CSV_CP1251);
    free(read_all(truncated, sizeof truncated - 1, NULL, NULL, &enc));
    assert_int_equal(enc, CSV_CP1251);
}

/* ---- separators ---- */

static void separator_is_the_more_frequent_of_semicolon_and_comma_in_the_header(void **state)
{
    (void)state;
    char sep;
    const char *semi = "a;b;c\n1,5;2,5;3\n";
    char *got = read_all(semi, strlen(semi), NULL, &sep, NULL);
    assert_int_equal(sep, ';');
    assert_string_equal(got, "1|a|b|c\n2|1,5|2,5|3");
    free(got);
    const char *comma = "a,b,c\n\"1,5\",x;y,3\n";
    got = read_all(comma, strlen(comma), NULL, &sep, NULL);
    assert_int_equal(sep, ',');
    assert_string_equal(got, "1|a|b|c\n2|1,5|x;y|3");
    free(got);
}

static void separators_inside_quotes_in_the_header_are_not_counted(void **state)
{
    (void)state;
    char sep;
    const char *d = "\"a,b,c\";d\n1;2\n";
    char *got = read_all(d, strlen(d), NULL, &sep, NULL);
    assert_int_equal(sep, ';');
    assert_string_equal(got, "1|a,b,c|d\n2|1|2");
    free(got);
}

static void a_header_without_separators_means_semicolon(void **state)
{
    (void)state;
    char sep;
    free(read_all("adres\nx\n", 8, NULL, &sep, NULL));
    assert_int_equal(sep, ';');
}

static void a_forced_separator_overrides_detection(void **state)
{
    (void)state;
    struct csv_opts o = {.sep = ','};
    const char *d = "a;b,c\n";
    char *got = read_all(d, strlen(d), &o, NULL, NULL);
    assert_string_equal(got, "1|a;b|c");
    free(got);
}

/* ---- quoting ---- */

static void quoted_fields_hold_separators_doubled_quotes_and_line_breaks(void **state)
{
    (void)state;
    expect("a;b;c\n\"x;y\";\"say \"\"hi\"\"\";\"two\nlines\"\n",
           "1|a|b|c\n2|x;y|say \"hi\"|two\nlines");
}

static void a_quote_inside_an_unquoted_field_is_an_ordinary_character(void **state)
{
    (void)state;
    expect("name;inn\nООО \"Ромашка\";7701\n", "1|name|inn\n2|ООО \"Ромашка\"|7701");
}

static void an_empty_quoted_field_is_an_empty_field(void **state)
{
    (void)state;
    expect("a;b\n\"\";x\n\"\"\n", "1|a|b\n2||x\n3|");
}

static void text_after_a_closing_quote_is_an_error_at_its_line_and_column(void **state)
{
    (void)state;
    long line = 0;
    int col = 0;
    char msg[512];
    const char *d = "a;b;c\n1;\"x\"y;3\n";
    assert_int_equal(read_error(d, strlen(d), NULL, &line, &col, msg, sizeof msg), ERR_INVALID);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    assert_non_null(strstr(msg, "кавычк"));
}

static void an_unterminated_quote_is_reported_where_the_field_began(void **state)
{
    (void)state;
    long line = 0;
    int col = 0;
    char msg[512];
    const char *d = "a;b;c\n1;2;3\n4;5;\"six\n7;8;9\n10;11;12\n";
    assert_int_equal(read_error(d, strlen(d), NULL, &line, &col, msg, sizeof msg), ERR_INVALID);
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    assert_non_null(strstr(msg, "незакрытая кавычка"));
}

/* ---- lines ---- */

static void crlf_and_lone_cr_end_lines_and_are_not_part_of_fields(void **state)
{
    (void)state;
    expect("a;b\r\n1;2\r\n3;4\r5;6\r\n", "1|a|b\n2|1|2\n3|3|4\n4|5|6");
}

static void a_record_is_numbered_by_the_physical_line_where_it_starts(void **state)
{
    (void)state;
    expect("a;b\n\"1\r\n2\n3\";x\ny;z\n", "1|a|b\n2|1\r\n2\n3|x\n5|y|z");
}

static void empty_lines_are_skipped_but_counted(void **state)
{
    (void)state;
    expect("\na;b\n\n\r\n1;2\n\n", "2|a|b\n5|1|2");
}

static void
the_last_record_needs_no_line_break_and_a_trailing_separator_is_an_empty_field(void **state)
{
    (void)state;
    expect("a;b\n1;", "1|a|b\n2|1|");
    expect("a;b\n;\n", "1|a|b\n2||");
}

static void an_empty_input_has_no_records(void **state)
{
    (void)state;
    expect("", "");
    expect("\n\n", "");
}

static void a_nul_byte_is_an_error(void **state)
{
    (void)state;
    const char d[] = "a;b\n1;x\0y\n";
    long line = 0;
    int col = 0;
    char msg[512];
    assert_int_equal(read_error(d, sizeof d - 1, NULL, &line, &col, msg, sizeof msg), ERR_INVALID);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
}

/* ---- bounds ---- */

static void a_record_longer_than_the_limit_is_an_error_not_an_allocation(void **state)
{
    (void)state;
    struct csv_opts o = {.max_record = 64};
    char d[512] = "a;b\n1;2\n";
    size_t n = strlen(d);
    memset(d + n, 'x', 200);
    strcpy(d + n + 200, "\n");
    long line = 0;
    char msg[512];
    assert_int_equal(read_error(d, strlen(d), &o, &line, NULL, msg, sizeof msg), ERR_INVALID);
    assert_int_equal(line, 3);
    assert_non_null(strstr(msg, "64"));
}

static void more_fields_than_the_limit_is_an_error(void **state)
{
    (void)state;
    struct csv_opts o = {.max_fields = 3};
    long line = 0;
    char msg[512];
    const char *d = "a;b;c\n1;2;3;4\n";
    assert_int_equal(read_error(d, strlen(d), &o, &line, NULL, msg, sizeof msg), ERR_INVALID);
    assert_int_equal(line, 2);
}

/* ---- files ---- */

/* Writes data to a temporary file; returns its path (static buffer). */
static const char *temp_file(const char *data, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_csv.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* A file several read chunks long, with quoted fields, line breaks and
 * Cyrillic characters falling across chunk boundaries, reads exactly like the
 * same bytes from memory; Windows-1251 too. */
static void a_file_read_in_chunks_gives_the_same_records_as_memory(void **state)
{
    (void)state;
    size_t cap = 3u << 20, n = 0;
    char *d = malloc(cap);
    n += (size_t)snprintf(d, cap, "номер;\"владелец\";заметка\r\n");
    for (int i = 0; n < cap - 200; i++)
        n += (size_t)snprintf(d + n, cap - n, "%d;\"Иванов \"\"%d\"\";И.\";\"строка\nвторая\"\r\n",
                              i, i);
    for (int cp1251 = 0; cp1251 < 2; cp1251++) {
        if (cp1251) { /* the same text in Windows-1251: Cyrillic letters only */
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)d[i];
                if (c == 0xd0 || c == 0xd1) {
                    unsigned cp = ((c & 0x1fu) << 6) | ((unsigned char)d[i + 1] & 0x3fu);
                    d[k++] = cp == 0x401   ? (char)0xa8
                             : cp == 0x451 ? (char)0xb8
                                           : (char)(0xc0 + (cp - 0x410));
                    i++;
                } else {
                    d[k++] = (char)c;
                }
            }
            n = k;
        }
        const char *path = temp_file(d, n);
        struct csv *f, *m;
        struct err e = {0};
        assert_int_equal(csv_open(path, NULL, &f, &e), 0);
        assert_int_equal(csv_open_mem(d, n, NULL, &m, &e), 0);
        assert_int_equal(csv_encoding(f), cp1251 ? CSV_CP1251 : CSV_UTF8);
        assert_int_equal(csv_size(f), (int64_t)n);
        struct csv_record a, b;
        long records = 0;
        int ra, rb;
        while ((ra = csv_next(f, &a, &e)) == 1) {
            rb = csv_next(m, &b, &e);
            assert_int_equal(rb, 1);
            assert_int_equal(a.line, b.line);
            assert_int_equal(a.n, b.n);
            for (int i = 0; i < a.n; i++)
                assert_string_equal(a.field[i], b.field[i]);
            if (records > 0) {
                assert_int_equal(a.line, 2 * records);
                assert_int_equal(a.n, 3);
                assert_string_equal(a.field[2], "строка\nвторая");
                assert_non_null(strstr(a.field[1], "Иванов \""));
            }
            records++;
        }
        assert_int_equal(ra, 0);
        assert_int_equal(csv_next(m, &b, &e), 0);
        assert_int_equal(csv_offset(f), (int64_t)n);
        assert_true(records > 30000);
        csv_close(f);
        csv_close(m);
        unlink(path);
    }
    free(d);
}

static void a_missing_file_is_an_io_error_naming_it(void **state)
{
    (void)state;
    struct csv *r;
    struct err e = {0};
    assert_int_equal(csv_open("/nonexistent/x.csv", NULL, &r, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent/x.csv"));
    assert_int_equal(csv_open("/tmp", NULL, &r, &e), ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_without_bom_is_read_as_is),
        cmocka_unit_test(utf8_bom_is_detected_and_dropped),
        cmocka_unit_test(text_that_is_not_utf8_is_read_as_windows_1251_and_converted),
        cmocka_unit_test(one_invalid_byte_late_in_the_file_makes_the_whole_file_windows_1251),
        cmocka_unit_test(a_byte_undefined_in_windows_1251_is_an_error_with_its_line),
        cmocka_unit_test(a_bom_followed_by_invalid_utf8_is_an_error_naming_the_line),
        cmocka_unit_test(overlong_and_surrogate_sequences_are_not_utf8),
        cmocka_unit_test(separator_is_the_more_frequent_of_semicolon_and_comma_in_the_header),
        cmocka_unit_test(separators_inside_quotes_in_the_header_are_not_counted),
        cmocka_unit_test(a_header_without_separators_means_semicolon),
        cmocka_unit_test(a_forced_separator_overrides_detection),
        cmocka_unit_test(quoted_fields_hold_separators_doubled_quotes_and_line_breaks),
        cmocka_unit_test(a_quote_inside_an_unquoted_field_is_an_ordinary_character),
        cmocka_unit_test(an_empty_quoted_field_is_an_empty_field),
        cmocka_unit_test(text_after_a_closing_quote_is_an_error_at_its_line_and_column),
        cmocka_unit_test(an_unterminated_quote_is_reported_where_the_field_began),
        cmocka_unit_test(crlf_and_lone_cr_end_lines_and_are_not_part_of_fields),
        cmocka_unit_test(a_record_is_numbered_by_the_physical_line_where_it_starts),
        cmocka_unit_test(empty_lines_are_skipped_but_counted),
        cmocka_unit_test(
            the_last_record_needs_no_line_break_and_a_trailing_separator_is_an_empty_field),
        cmocka_unit_test(an_empty_input_has_no_records),
        cmocka_unit_test(a_nul_byte_is_an_error),
        cmocka_unit_test(a_record_longer_than_the_limit_is_an_error_not_an_allocation),
        cmocka_unit_test(more_fields_than_the_limit_is_an_error),
        cmocka_unit_test(a_file_read_in_chunks_gives_the_same_records_as_memory),
        cmocka_unit_test(a_missing_file_is_an_io_error_naming_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
