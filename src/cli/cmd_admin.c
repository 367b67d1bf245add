/* cmd_admin.c — `upravdom user add|list|passwd` and `upravdom org add|list`:
 * the same rules and audit log as the API, acting as the installation. */
#include "cli/cli.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "directory/directory.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};
static const struct audit_actor cli_actor = {.address = "cli"};

/* A password from the flag, or one line of stdin when it is not a terminal. */
static const char *read_password(const char *flag, char *buf, size_t size)
{
    if (flag)
        return flag;
    if (isatty(STDIN_FILENO) || !fgets(buf, (int)size, stdin))
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

static int user_add(int argc, char **argv)
{
    struct cli c;
    const char *login = NULL, *role = NULL, *password = NULL, *full_name = NULL, *email = NULL;
    long municipality = 0, org = 0, region = 0;
    const struct flag flags[] = {
        {"login", FLAG_STRING, &login, "login (3-64 chars: a-z 0-9 . _ -)"},
        {"role", FLAG_STRING, &role,
         "admin | region_operator | municipal_operator | org_staff | resident"},
        {"password", FLAG_STRING, &password, "password (or one line on stdin)"},
        {"full-name", FLAG_STRING, &full_name, "full name (default: the login)"},
        {"email", FLAG_STRING, &email, "e-mail"},
        {"region-id", FLAG_INT, &region, "region (regional operator, resident)"},
        {"municipality-id", FLAG_INT, &municipality, "municipality (municipal operator, resident)"},
        {"org-id", FLAG_INT, &org, "organization (org staff)"},
        {NULL}};
    int rc = cli_setup(&c, "user add", "user add --login L --role R [--password P] [flags]", flags,
                       argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char buf[1024];
    password = read_password(password, buf, sizeof buf);
    struct user u = {.login = login,
                     .role = role,
                     .full_name = full_name ? full_name : login,
                     .email = email,
                     .region_id = region,
                     .municipality_id = municipality,
                     .org_id = org};
    struct field_errors fe = {0};
    if (dir_user_check(&u, password, &fe)) {
        cli_field_errors(&c, &fe);
        return EXIT_USAGE;
    }
    struct err e = {0};
    char hash[crypto_pwhash_STRBYTES];
    if (auth_init(1, &e) || auth_password_hash(password, hash, &e)) {
        cli_error(&c, "%s", e.msg);
        return EXIT_FAIL;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    struct audit_object obj = {"user"};
    if (!a || store_begin(conn, &e) || dir_user_create(conn, &system_scope, &u, hash, a, &e) ||
        (obj = (struct audit_object){"user", u.id, u.region_id, u.municipality_id, u.org_id},
         audit_write(conn, &cli_actor, "user.create", &obj, NULL, &e)) ||
        store_commit(conn, &e))
        rc = a ? cli_run_error(&c, &e) : EXIT_FAIL;
    else
        printf("user %s (id %lld, %s) created\n", u.login, (long long)u.id, u.role);
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int user_list(int argc, char **argv)
{
    struct cli c;
    const char *role = NULL, *q = NULL;
    const struct flag flags[] = {{"role", FLAG_STRING, &role, "only this role"},
                                 {"q", FLAG_STRING, &q, "name contains"},
                                 {NULL}};
    int rc = cli_setup(&c, "user list", "user list [--role R] [--q TEXT]", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    struct list_filter f = {.role = role, .q = q};
    struct user *items = NULL;
    int64_t n = 0, total = 0;
    struct err e = {0};
    struct page pg = {1, 500};
    printf("id\tlogin\trole\tregion\tmunicipality\torg\tactive\tfull_name\n");
    do {
        if (!a || dir_user_list(conn, &system_scope, &f, pg, a, &items, &n, &total, &e)) {
            rc = cli_run_error(&c, &e);
            break;
        }
        for (int64_t i = 0; i < n; i++)
            printf("%lld\t%s\t%s\t%lld\t%lld\t%lld\t%s\t%s\n", (long long)items[i].id,
                   items[i].login, items[i].role, (long long)items[i].region_id,
                   (long long)items[i].municipality_id, (long long)items[i].org_id,
                   items[i].active ? "yes" : "no", items[i].full_name);
        pg.page++;
    } while ((pg.page - 1) * pg.per_page < total);
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int user_passwd(int argc, char **argv)
{
    struct cli c;
    const char *login = NULL, *password = NULL;
    const struct flag flags[] = {{"login", FLAG_STRING, &login, "whose password"},
                                 {"password", FLAG_STRING, &password, "new password (or stdin)"},
                                 {NULL}};
    int rc =
        cli_setup(&c, "user passwd", "user passwd --login L [--password P]", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char buf[1024];
    password = read_password(password, buf, sizeof buf);
    struct field_errors fe = {0};
    if (!login)
        fe_add(&fe, "login", "обязательный флаг");
    if (dir_password_check(password, &fe) || fe.n) {
        cli_field_errors(&c, &fe);
        return EXIT_USAGE;
    }
    struct err e = {0};
    char hash[crypto_pwhash_STRBYTES];
    if (auth_init(1, &e) || auth_password_hash(password, hash, &e)) {
        cli_error(&c, "%s", e.msg);
        return EXIT_FAIL;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    struct user u;
    struct audit_object obj = {"user"};
    if (!a || store_begin(conn, &e) ||
        dir_user_by_login(conn, &system_scope, login, a, &u, NULL, &e) ||
        dir_user_update(conn, &system_scope, &u, hash, a, &e) ||
        (obj = (struct audit_object){"user", u.id, u.region_id, u.municipality_id, u.org_id},
         audit_write(conn, &cli_actor, "user.passwd", &obj, NULL, &e)) ||
        store_commit(conn, &e))
        rc = a ? cli_run_error(&c, &e) : EXIT_FAIL;
    else
        printf("password of %s changed\n", login);
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int org_add(int argc, char **argv)
{
    struct cli c;
    struct organization o = {0};
    long municipality = 0;
    const struct flag flags[] = {
        {"name", FLAG_STRING, &o.name, "full name"},
        {"short-name", FLAG_STRING, &o.short_name, "short name"},
        {"kind", FLAG_STRING, &o.kind, "uo | rso | eirc | tko"},
        {"inn", FLAG_STRING, &o.inn, "ИНН (10 or 12 digits)"},
        {"kpp", FLAG_STRING, &o.kpp, "КПП (legal entities)"},
        {"ogrn", FLAG_STRING, &o.ogrn, "ОГРН (13) or ОГРНИП (15)"},
        {"municipality-id", FLAG_INT, &municipality, "municipality it is registered in"},
        {"address", FLAG_STRING, &o.address, "address"},
        {"phone", FLAG_STRING, &o.phone, "phone"},
        {"email", FLAG_STRING, &o.email, "e-mail"},
        {NULL}};
    int rc = cli_setup(&c, "org add",
                       "org add --name S --kind K --inn N [--kpp N] --ogrn N --municipality-id N",
                       flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    o.municipality_id = municipality;
    struct field_errors fe = {0};
    if (dir_org_check(&o, &fe)) {
        cli_field_errors(&c, &fe);
        return EXIT_USAGE;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    struct err e = {0};
    struct audit_object obj = {"organization"};
    if (!a || store_begin(conn, &e) || dir_org_create(conn, &system_scope, &o, a, &e) ||
        (obj = (struct audit_object){"organization", o.id, o.region_id, o.municipality_id, o.id},
         audit_write(conn, &cli_actor, "organization.create", &obj, NULL, &e)) ||
        store_commit(conn, &e))
        rc = a ? cli_run_error(&c, &e) : EXIT_FAIL;
    else
        printf("organization %s (id %lld) created\n", o.name, (long long)o.id);
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int org_list(int argc, char **argv)
{
    struct cli c;
    const char *kind = NULL, *q = NULL;
    const struct flag flags[] = {{"kind", FLAG_STRING, &kind, "only this kind"},
                                 {"q", FLAG_STRING, &q, "name or INN contains"},
                                 {NULL}};
    int rc = cli_setup(&c, "org list", "org list [--kind K] [--q TEXT]", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    struct list_filter f = {.kind = kind, .q = q};
    struct organization *items = NULL;
    int64_t n = 0, total = 0;
    struct err e = {0};
    struct page pg = {1, 500};
    printf("id\tkind\tinn\tkpp\togrn\tmunicipality\tname\n");
    do {
        if (!a || dir_org_list(conn, &system_scope, &f, pg, a, &items, &n, &total, &e)) {
            rc = cli_run_error(&c, &e);
            break;
        }
        for (int64_t i = 0; i < n; i++)
            printf("%lld\t%s\t%s\t%s\t%s\t%lld\t%s\n", (long long)items[i].id, items[i].kind,
                   items[i].inn, items[i].kpp, items[i].ogrn, (long long)items[i].municipality_id,
                   items[i].name);
        pg.page++;
    } while ((pg.page - 1) * pg.per_page < total);
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    static const char *const subs[] = {"add", "list", "passwd", NULL};
    static int (*const fns[])(int, char **) = {user_add, user_list, user_passwd};
    return cli_subcommand("user", argc, argv, subs, fns);
}

int cmd_org(int argc, char **argv)
{
    static const char *const subs[] = {"add", "list", NULL};
    static int (*const fns[])(int, char **) = {org_add, org_list};
    return cli_subcommand("org", argc, argv, subs, fns);
}
