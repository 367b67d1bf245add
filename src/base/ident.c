/* ident.c — identifier validators and check-digit completion; the rules and
 * test vectors are in DOMAIN.md §4. */
#include "base/ident.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"

/* Sets *why (if wanted) and returns false, so a failing check is one line. */
static bool fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_upper_alnum(c) || (c >= 'a' && c <= 'z');
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* True when the first n characters of s are all digits. */
static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

static size_t len(const char *s)
{
    return s ? strlen(s) : 0;
}

/* Value of the first n digits (n <= 18, so it fits). */
static int64_t number(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* ИНН check digit: (Σ d[i]·w[i]) mod 11 mod 10 over n leading digits. */
static char inn_check(const char *d, const int *w, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (d[i] - '0') * w[i];
    return (char)('0' + sum % 11 % 10);
}

static const int inn10_w[9] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
static const int inn12_w1[10] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
static const int inn12_w2[11] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};

bool ident_inn_valid(const char *s, const char **why)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, "ИНН: не указан");
    if (!digits(s, n))
        return fail(why, "ИНН: допускаются только цифры");
    if (n == 10) {
        if (inn_check(s, inn10_w, 9) != s[9])
            return fail(why, "ИНН: неверная контрольная цифра");
        return true;
    }
    if (n == 12) {
        if (inn_check(s, inn12_w1, 10) != s[10] || inn_check(s, inn12_w2, 11) != s[11])
            return fail(why, "ИНН: неверная контрольная цифра");
        return true;
    }
    return fail(why, "ИНН: должен содержать 10 или 12 цифр");
}

bool ident_kpp_valid(const char *s, const char **why)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, "КПП: не указан");
    if (n != 9)
        return fail(why, "КПП: должен содержать 9 символов");
    if (!digits(s, 4) || !is_upper_alnum(s[4]) || !is_upper_alnum(s[5]) || !digits(s + 6, 3))
        return fail(why, "КПП: неверный формат (ожидается NNNNPPNNN, P — цифра или буква A–Z)");
    return true;
}

/* ОГРН / ОГРНИП: the leading n-1 digits as a number, mod m, mod 10. */
static char ogrn_check(const char *s, size_t n, int64_t m)
{
    return (char)('0' + number(s, n - 1) % m % 10);
}

static bool ogrn_common(const char *s, size_t want, int64_t m, const char **why, const char *empty,
                        const char *bad_chars, const char *bad_len, const char *bad_check)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, empty);
    if (!digits(s, n))
        return fail(why, bad_chars);
    if (n != want)
        return fail(why, bad_len);
    if (ogrn_check(s, n, m) != s[n - 1])
        return fail(why, bad_check);
    return true;
}

bool ident_ogrn_valid(const char *s, const char **why)
{
    return ogrn_common(s, 13, 11, why, "ОГРН: не указан", "ОГРН: допускаются только цифры",
                       "ОГРН: должен содержать 13 цифр", "ОГРН: неверная контрольная цифра");
}

bool ident_ogrnip_valid(const char *s, const char **why)
{
    return ogrn_common(s, 15, 13, why, "ОГРНИП: не указан", "ОГРНИП: допускаются только цифры",
                       "ОГРНИП: должен содержать 15 цифр", "ОГРНИП: неверная контрольная цифра");
}

/* СНИЛС check number (two digits) of the first 9 digits d. */
static int snils_check(const char *d)
{
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (d[i] - '0') * (9 - i);
    if (sum < 100)
        return sum;
    if (sum == 100 || sum == 101)
        return 0;
    sum %= 101;
    return sum == 100 ? 0 : sum;
}

/* Copies the 11 digits of s (plain or "DDD-DDD-DDD DD") into d; false if neither. */
static bool snils_extract(const char *s, char d[11])
{
    size_t n = len(s);
    if (n == 11 && digits(s, 11)) {
        memcpy(d, s, 11);
        return true;
    }
    if (n == 14 && digits(s, 3) && s[3] == '-' && digits(s + 4, 3) && s[7] == '-' &&
        digits(s + 8, 3) && s[11] == ' ' && digits(s + 12, 2)) {
        memcpy(d, s, 3);
        memcpy(d + 3, s + 4, 3);
        memcpy(d + 6, s + 8, 3);
        memcpy(d + 9, s + 12, 2);
        return true;
    }
    return false;
}

bool ident_snils_valid(const char *s, const char **why)
{
    char d[11];
    if (len(s) == 0)
        return fail(why, "СНИЛС: не указан");
    if (!snils_extract(s, d))
        return fail(why, "СНИЛС: ожидается 11 цифр или формат 123-456-789 01");
    /* The checksum is defined only for numbers above 001-001-998. */
    if (number(d, 9) > 1001998 && snils_check(d) != number(d + 9, 2))
        return fail(why, "СНИЛС: неверное контрольное число");
    return true;
}

int ident_snils_digits(char out[12], const char *s)
{
    char d[11];
    if (!ident_snils_valid(s, NULL) || !snils_extract(s, d))
        return ERR_INVALID;
    memcpy(out, d, 11);
    out[11] = '\0';
    return 0;
}

bool ident_bik_valid(const char *s, const char **why)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, "БИК: не указан");
    if (n != 9 || !digits(s, n))
        return fail(why, "БИК: должен содержать 9 цифр");
    if (s[0] != '0' || s[1] != '4')
        return fail(why, "БИК: должен начинаться с 04");
    return true;
}

/*
 * Bank of Russia control key of a 20-digit account. The 23-digit string is the
 * 3-digit bank code + the account: for a р/с the БИК's digits 7–9, for a к/с
 * (or a р/с at an РКЦ, БИК digits 7–8 "00") "0" + the БИК's digits 5–6. Weights
 * 7,1,3 repeat; the key is right when Σ (digit·weight mod 10) ≡ 0 (mod 10).
 */
static int account_sum(const char *account, const char *bik, bool corr)
{
    static const int w[3] = {7, 1, 3};
    char d[23];
    if (corr || (bik[6] == '0' && bik[7] == '0')) {
        d[0] = '0';
        d[1] = bik[4];
        d[2] = bik[5];
    } else {
        memcpy(d, bik + 6, 3);
    }
    memcpy(d + 3, account, 20);
    int sum = 0;
    for (int i = 0; i < 23; i++)
        sum += (d[i] - '0') * w[i % 3] % 10;
    return sum;
}

static bool account_common(const char *account, const char *bik, bool corr, const char **why)
{
    size_t n = len(account);
    if (n == 0)
        return fail(why, corr ? "К/с: не указан" : "Р/с: не указан");
    if (n != 20 || !digits(account, n))
        return fail(why, corr ? "К/с: должен содержать 20 цифр" : "Р/с: должен содержать 20 цифр");
    if (corr && memcmp(account, "301", 3) != 0)
        return fail(why, "К/с: должен начинаться с 301");
    if (!ident_bik_valid(bik, why))
        return false;
    if (account_sum(account, bik, corr) % 10 != 0)
        return fail(why, corr ? "К/с: не соответствует БИК (неверный контрольный ключ)"
                              : "Р/с: не соответствует БИК (неверный контрольный ключ)");
    return true;
}

bool ident_account_valid(const char *account, const char *bik, const char **why)
{
    return account_common(account, bik, false, why);
}

bool ident_corr_account_valid(const char *account, const char *bik, const char **why)
{
    return account_common(account, bik, true, why);
}

bool ident_oktmo_valid(const char *s, const char **why)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, "ОКТМО: не указан");
    if ((n != 8 && n != 11) || !digits(s, n))
        return fail(why, "ОКТМО: должен содержать 8 или 11 цифр");
    return true;
}

bool ident_els_valid(const char *s, const char **why)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, "ЕЛС: не указан");
    if (n != 10)
        return fail(why, "ЕЛС: должен содержать 10 символов");
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]))
            return fail(why, "ЕЛС: допускаются только латинские буквы и цифры");
    return true;
}

bool ident_fias_guid_valid(const char *s, const char **why)
{
    size_t n = len(s);
    if (n == 0)
        return fail(why, "GUID ФИАС: не указан");
    if (n != 36)
        return fail(why, "GUID ФИАС: ожидается формат xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    for (size_t i = 0; i < n; i++) {
        bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen ? s[i] != '-' : !is_hex(s[i]))
            return fail(why, "GUID ФИАС: ожидается формат xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    }
    return true;
}

/* Skips a run of digits at *p; true when its length is within [min, max]. */
static bool digit_run(const char **p, size_t min, size_t max)
{
    size_t n = 0;
    while (is_digit((*p)[n]))
        n++;
    *p += n;
    return n >= min && n <= max;
}

bool ident_cadastral_valid(const char *s, const char **why)
{
    static const char *bad = "Кадастровый номер: ожидается формат 77:01:0001001:1024";
    size_t n = len(s);
    if (n == 0)
        return fail(why, "Кадастровый номер: не указан");
    if (n > 255)
        return fail(why, "Кадастровый номер: не более 255 символов");
    const char *p = s;
    if (!digit_run(&p, 2, 2) || *p++ != ':' || !digit_run(&p, 2, 2) || *p++ != ':' ||
        !digit_run(&p, 6, 7) || *p++ != ':' || !digit_run(&p, 1, SIZE_MAX) || *p != '\0')
        return fail(why, bad);
    return true;
}

int ident_inn10_complete(char out[11], const char first9[9])
{
    if (!digits(first9, 9))
        return ERR_INVALID;
    memcpy(out, first9, 9);
    out[9] = inn_check(out, inn10_w, 9);
    out[10] = '\0';
    return 0;
}

int ident_inn12_complete(char out[13], const char first10[10])
{
    if (!digits(first10, 10))
        return ERR_INVALID;
    memcpy(out, first10, 10);
    out[10] = inn_check(out, inn12_w1, 10);
    out[11] = inn_check(out, inn12_w2, 11);
    out[12] = '\0';
    return 0;
}

int ident_ogrn_complete(char out[14], const char first12[12])
{
    if (!digits(first12, 12))
        return ERR_INVALID;
    memcpy(out, first12, 12);
    out[12] = ogrn_check(out, 13, 11);
    out[13] = '\0';
    return 0;
}

int ident_ogrnip_complete(char out[16], const char first14[14])
{
    if (!digits(first14, 14))
        return ERR_INVALID;
    memcpy(out, first14, 14);
    out[14] = ogrn_check(out, 15, 13);
    out[15] = '\0';
    return 0;
}

int ident_snils_complete(char out[12], const char first9[9])
{
    if (!digits(first9, 9))
        return ERR_INVALID;
    memcpy(out, first9, 9);
    int c = snils_check(out);
    out[9] = (char)('0' + c / 10);
    out[10] = (char)('0' + c % 10);
    out[11] = '\0';
    return 0;
}

int ident_account_complete(char out[21], const char account[20], const char *bik)
{
    if (!digits(account, 20) || !ident_bik_valid(bik, NULL))
        return ERR_INVALID;
    memcpy(out, account, 20);
    out[8] = '0';
    out[20] = '\0';
    /* The key digit sits at position 12 of the 23-digit string, weight 3. */
    out[8] = (char)('0' + account_sum(out, bik, false) % 10 * 3 % 10);
    return 0;
}
