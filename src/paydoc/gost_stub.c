/* gost_stub.c — TEMPORARY: a minimal paydoc_qr_payload for the PDF branch
 * until src/paydoc/gost.c (the GOST R 56042-2014 payload with its checks,
 * separators and length limits) lands. DELETE THIS FILE AT THE MERGE. */
#include "base/money.h"
#include "paydoc/paydoc.h"

#include <stdio.h>

int paydoc_qr_payload(const struct paydoc *d, int payee, struct arena *a, char **out, struct err *e)
{
    const struct paydoc_payee *p = &d->payees[payee];
    if (!p->bank_name || !*p->bank_name)
        return err_field(e, ERR_INVALID, "bank_name", "не задан банк получателя");
    if (!p->bic || !*p->bic)
        return err_field(e, ERR_INVALID, "bic", "не задан БИК банка получателя");
    if (!p->account || !*p->account)
        return err_field(e, ERR_INVALID, "account", "не задан расчётный счёт получателя");
    char sum[MONEY_FMT_SIZE];
    snprintf(sum, sizeof sum, "%lld", (long long)(p->sum > 0 ? p->sum : 0));
    *out = arena_printf(a, "ST00012|Name=%s|PersonalAcc=%s|BankName=%s|BIC=%s|CorrespAcc=%s|Sum=%s",
                        p->name ? p->name : "", p->account, p->bank_name, p->bic,
                        p->corr_account ? p->corr_account : "0", sum);
    return *out ? 0 : err_set(e, ERR_NOMEM, "нет памяти");
}
