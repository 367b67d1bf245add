/* directory.c — what makes a municipality, an organization and a user valid. */
#include "directory/directory.h"

#include "base/date.h"
#include "base/ident.h"

#include <string.h>

const char *const dir_org_kinds[] = {"uo", "rso", "eirc", "tko", NULL};
const char *const dir_roles[] = {"admin",     "region_operator", "municipal_operator",
                                 "org_staff", "resident",        NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

bool dir_is_org_kind(const char *s)
{
    return in_list(dir_org_kinds, s);
}

bool dir_is_role(const char *s)
{
    return in_list(dir_roles, s);
}

bool dir_role_grantable(enum scope_kind by, const char *role)
{
    switch (by) {
    case SCOPE_SYSTEM:
    case SCOPE_ADMIN: return dir_is_role(role);
    case SCOPE_REGION: return dir_is_role(role) && strcmp(role, "admin") != 0;
    case SCOPE_MUNICIPALITY:
        return dir_is_role(role) && strcmp(role, "admin") != 0 &&
               strcmp(role, "region_operator") != 0;
    default: return false;
    }
}

int dir_municipality_check(const struct municipality *m, struct field_errors *fe)
{
    int before = fe->n;
    const char *why = NULL;
    if (!m->name || !*m->name)
        fe_add(fe, "name", "обязательное поле");
    if (!m->oktmo || !*m->oktmo)
        fe_add(fe, "oktmo", "обязательное поле");
    else if (!ident_oktmo_valid(m->oktmo, &why))
        fe_add(fe, "oktmo", "%s", why);
    if (!m->timezone || !date_tz_valid(m->timezone))
        fe_add(fe, "timezone",
               "неизвестный часовой пояс (ожидается имя IANA, например Europe/Moscow)");
    return fe->n - before;
}

/* INN, KPP and OGRN must agree: a legal entity has a 10-digit INN, a KPP and a
 * 13-digit ОГРН; an individual entrepreneur a 12-digit INN, no KPP and a
 * 15-digit ОГРНИП. */
static void check_requisites(const struct organization *o, struct field_errors *fe)
{
    const char *why = NULL;
    bool person = o->inn && strlen(o->inn) == 12;
    if (!o->inn || !ident_inn_valid(o->inn, &why))
        fe_add(fe, "inn", "%s", o->inn ? why : "обязательное поле");
    if (person) {
        if (o->kpp && *o->kpp)
            fe_add(fe, "kpp", "у индивидуального предпринимателя (ИНН из 12 цифр) нет КПП");
        if (!o->ogrn || !ident_ogrnip_valid(o->ogrn, &why))
            fe_add(fe, "ogrn", "%s", o->ogrn ? why : "обязательное поле");
        return;
    }
    if (!o->kpp || !*o->kpp)
        fe_add(fe, "kpp", "обязателен для юридического лица (ИНН из 10 цифр)");
    else if (!ident_kpp_valid(o->kpp, &why))
        fe_add(fe, "kpp", "%s", why);
    if (!o->ogrn || !ident_ogrn_valid(o->ogrn, &why))
        fe_add(fe, "ogrn", "%s", o->ogrn ? why : "обязательное поле");
}

static bool given(const char *s)
{
    return s && *s;
}

/* Bank details: each optional; an account's control key is computed with
 * the BIC (Bank of Russia method, DOMAIN.md §4), so a р/с or к/с without a
 * valid BIC cannot be checked and is refused. */
static void check_bank(const struct organization *o, struct field_errors *fe)
{
    const char *why = NULL;
    bool bic_ok = given(o->bic) && ident_bik_valid(o->bic, &why);
    if (given(o->bic) && !bic_ok)
        fe_add(fe, "bic", "%s", why);
    if (given(o->settlement_account)) {
        if (!given(o->bic))
            fe_add(fe, "bic", "обязателен вместе с расчётным или корреспондентским счётом");
        else if (bic_ok && !ident_account_valid(o->settlement_account, o->bic, &why))
            fe_add(fe, "settlement_account", "%s", why);
    }
    if (given(o->corr_account)) {
        if (!given(o->bic))
            fe_add(fe, "bic", "обязателен вместе с расчётным или корреспондентским счётом");
        else if (bic_ok && !ident_corr_account_valid(o->corr_account, o->bic, &why))
            fe_add(fe, "corr_account", "%s", why);
    }
}

int dir_org_check(const struct organization *o, struct field_errors *fe)
{
    int before = fe->n;
    if (!o->name || !*o->name)
        fe_add(fe, "name", "обязательное поле");
    if (!dir_is_org_kind(o->kind))
        fe_add(fe, "kind", "допустимо: uo, rso, eirc, tko");
    if (!o->municipality_id)
        fe_add(fe, "municipality_id", "обязательное поле");
    check_requisites(o, fe);
    if (o->email && *o->email && !strchr(o->email, '@'))
        fe_add(fe, "email", "неверный адрес электронной почты");
    check_bank(o, fe);
    return fe->n - before;
}

int dir_password_check(const char *password, struct field_errors *fe)
{
    if (!password || strlen(password) < 8) {
        fe_add(fe, "password", "не короче 8 символов");
        return 1;
    }
    return 0;
}

static bool login_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 3 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int dir_user_check(const struct user *u, const char *password, struct field_errors *fe)
{
    int before = fe->n;
    if (!login_valid(u->login))
        fe_add(fe, "login", "от 3 до 64 символов: строчные латинские буквы, цифры, . _ -");
    if (!u->full_name || !*u->full_name)
        fe_add(fe, "full_name", "обязательное поле");
    if (!dir_is_role(u->role))
        fe_add(fe, "role",
               "допустимо: admin, region_operator, municipal_operator, org_staff, "
               "resident");
    else if (strcmp(u->role, "municipal_operator") == 0 && !u->municipality_id)
        fe_add(fe, "municipality_id", "обязателен для муниципального оператора");
    else if (strcmp(u->role, "org_staff") == 0 && !u->org_id)
        fe_add(fe, "org_id", "обязателен для сотрудника организации");
    if (u->email && *u->email && !strchr(u->email, '@'))
        fe_add(fe, "email", "неверный адрес электронной почты");
    dir_password_check(password, fe);
    return fe->n - before;
}
