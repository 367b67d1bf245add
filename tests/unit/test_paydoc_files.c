/* test_paydoc_files.c — a rendered file is served from inside the documents
 * directory only (src/paydoc/files.c, docs/paydoc.md "Files in the browser
 * and over the API"): a manifest name that is absolute, climbs with "..",
 * has an empty or "." segment, a backslash or a control character is
 * refused before any file is opened; a name that stays inside opens its
 * regular file; a missing file is ERR_NOTFOUND saying to render again; a
 * symbolic link in the file's place is not followed. */
#include "paydoc/paydoc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void names_inside_the_directory_are_safe(void **state)
{
    (void)state;
    assert_true(paydoc_file_name_safe("2026-10/print/3/M1-g-ensk-ul-lenina.pdf"));
    assert_true(paydoc_file_name_safe("2026-10/single/3/123.pdf"));
    assert_true(paydoc_file_name_safe("a.pdf"));
    assert_true(paydoc_file_name_safe(".hidden/x.pdf")); /* a dot file is inside */
}

static void names_that_escape_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {NULL,
                         "",
                         "/etc/passwd",
                         "../etc/passwd",
                         "2026-10/../../etc/passwd",
                         "2026-10/print/..",
                         "2026-10/print/..hidden.pdf", /* no ".." anywhere, even harmless */
                         "2026-10//x.pdf",
                         "2026-10/./x.pdf",
                         "./x.pdf",
                         "2026-10/print/",
                         "2026-10\\..\\x.pdf",
                         "2026-10/x\n.pdf",
                         "2026-10/x\x7f.pdf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (paydoc_file_name_safe(bad[i]))
            fail_msg("accepted '%s'", bad[i] ? bad[i] : "(null)");
}

static void opening_reads_the_file_and_refuses_the_rest(void **state)
{
    (void)state;
    char dir[] = "/tmp/upravdom-files-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[128], path[160], link[160];
    snprintf(sub, sizeof sub, "%s/2026-10", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/2026-10/a.pdf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("%PDF-1.4 test", f);
    fclose(f);

    struct paydoc_file row = {
        .id = 1, .period = "2026-10", .kind = "single", .name = "2026-10/a.pdf"};
    struct err e = {0};
    int fd = -1;
    int64_t size = -1;
    assert_int_equal(paydoc_file_open(dir, &row, &fd, &size, &e), 0);
    assert_true(fd >= 0);
    assert_int_equal(size, 13);
    close(fd);

    row.name = "2026-10/gone.pdf";
    assert_int_equal(paydoc_file_open(dir, &row, &fd, &size, &e), ERR_NOTFOUND);
    assert_int_equal(fd, -1);
    assert_non_null(strstr(e.msg, "2026-10/gone.pdf"));
    assert_non_null(strstr(e.msg, "октябрь 2026"));
    assert_non_null(strstr(e.msg, "заново"));

    row.name = "../a.pdf";
    e = (struct err){0};
    assert_int_equal(paydoc_file_open(sub, &row, &fd, &size, &e), ERR_IO);
    assert_int_equal(fd, -1);

    snprintf(link, sizeof link, "%s/2026-10/link.pdf", dir);
    assert_int_equal(symlink(path, link), 0);
    row.name = "2026-10/link.pdf";
    assert_int_equal(paydoc_file_open(dir, &row, &fd, &size, &e), ERR_IO);
    assert_int_equal(fd, -1);

    row.name = "2026-10"; /* a directory is not a document */
    assert_int_equal(paydoc_file_open(dir, &row, &fd, &size, &e), ERR_IO);
    assert_int_equal(fd, -1);

    unlink(link);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_inside_the_directory_are_safe),
        cmocka_unit_test(names_that_escape_are_refused),
        cmocka_unit_test(opening_reads_the_file_and_refuses_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
