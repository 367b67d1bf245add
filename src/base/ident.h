/* ident.h — Russian registry identifiers: format and check-digit validation of
 * ИНН, КПП, ОГРН, ОГРНИП, СНИЛС, БИК, bank accounts, ОКТМО, ЕЛС, ФИАС/ГАР GUIDs and
 * cadastral numbers (rules in DOMAIN.md §4), plus check-digit completion for the
 * demo data generator. Pure functions of their arguments; thread-safe.
 *
 * Validators return true when the value is valid. When it is not and `why` is
 * not NULL, *why is set to a static Russian message for the user, e.g.
 * "ИНН: неверная контрольная цифра". Inputs are NUL-terminated strings; NULL
 * counts as an empty value. Nothing is trimmed: callers trim user input. */
#ifndef UPRAVDOM_IDENT_H
#define UPRAVDOM_IDENT_H

#include <stdbool.h>

/* ИНН of a legal entity (10 digits) or of a person / ИП (12 digits). */
bool ident_inn_valid(const char *s, const char **why);

/* КПП: 4 digits, 2 of [0-9A-Z] (reason code), 3 digits. No checksum exists. */
bool ident_kpp_valid(const char *s, const char **why);

/* ОГРН of a legal entity: 13 digits, d13 = int(d1..d12) mod 11 mod 10. */
bool ident_ogrn_valid(const char *s, const char **why);

/* ОГРНИП: 15 digits, d15 = int(d1..d14) mod 13 mod 10. */
bool ident_ogrnip_valid(const char *s, const char **why);

/* СНИЛС as 11 digits or formatted "112-233-445 95". The checksum applies only
 * to numbers above 001-001-998. */
bool ident_snils_valid(const char *s, const char **why);

/* Writes the 11 digits of a valid СНИЛС (either form) to out, as ГИС ЖКХ stores
 * it. Returns 0, or ERR_INVALID (out untouched) when ident_snils_valid fails. */
int ident_snils_digits(char out[12], const char *s);

/* БИК: 9 digits starting with "04". */
bool ident_bik_valid(const char *s, const char **why);

/* Settlement / current account (р/с, 20 digits) held at the bank with this БИК:
 * Bank of Russia control key. Handles an account at an РКЦ (БИК digits 7–8 "00").
 * Fails with a message about the БИК when the БИК itself is invalid. */
bool ident_account_valid(const char *account, const char *bik, const char **why);

/* Correspondent account (к/с, 20 digits starting "301") of the bank with this
 * БИК: Bank of Russia control key. */
bool ident_corr_account_valid(const char *account, const char *bik, const char **why);

/* ОКТМО: 8 or 11 digits. */
bool ident_oktmo_valid(const char *s, const char **why);

/* ЕЛС (ГИС ЖКХ unified account number): exactly 10 Latin letters or digits,
 * e.g. "75da533315". Only the length is certain (ГИС ЖКХ XSD), so the finer
 * digits/letters pattern is not enforced. */
bool ident_els_valid(const char *s, const char **why);

/* ФИАС/ГАР GUID: 8-4-4-4-12 hexadecimal digits (either case) with hyphens. */
bool ident_fias_guid_valid(const char *s, const char **why);

/* Cadastral number \d{2}:\d{2}:\d{6,7}:\d+, at most 255 characters. */
bool ident_cadastral_valid(const char *s, const char **why);

/*
 * Check-digit completion, for generating valid demo identifiers from random
 * digits. Each takes the leading digits (exactly that many, no NUL needed),
 * writes the full NUL-terminated identifier to out and returns 0, or returns
 * ERR_INVALID when an input character is not a digit.
 */

/* ИНН-10 from its first 9 digits. */
int ident_inn10_complete(char out[11], const char first9[9]);

/* ИНН-12 from its first 10 digits. */
int ident_inn12_complete(char out[13], const char first10[10]);

/* ОГРН from its first 12 digits. */
int ident_ogrn_complete(char out[14], const char first12[12]);

/* ОГРНИП from its first 14 digits. */
int ident_ogrnip_complete(char out[16], const char first14[14]);

/* СНИЛС (11 digits, unformatted) from its first 9 digits. */
int ident_snils_complete(char out[12], const char first9[9]);

/* A 20-digit р/с with its control key (digit 9) set for the bank with this
 * БИК; the key digit of `account` is ignored. ERR_INVALID also on a bad БИК. */
int ident_account_complete(char out[21], const char account[20], const char *bik);

#endif
