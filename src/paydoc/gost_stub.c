/* gost_stub.c — TEMPORARY: a stand-in paydoc_qr_payload for the PDF branch
 * until src/paydoc/gost.c (the GOST R 56042-2014 payload with its checks,
 * separator choice and length limits) lands. DELETE THIS FILE AT THE MERGE.
 * It writes the fields paydoc.h lists, unchecked, so that the QR codes the
 * PDF draws and the benchmark measures are as long as the real ones. */
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
    const char *per = d->period ? d->period : "0000-00";
    *out = arena_printf(
        a,
        "ST00012|Name=%s|PersonalAcc=%s|BankName=%s|BIC=%s|CorrespAcc=%s|PayeeINN=%s|KPP=%s"
        "|Sum=%lld|Purpose=Оплата жилищно-коммунальных услуг за %.2s.%.4s|PersAcc=%s"
        "|PaymPeriod=%.2s%.4s|PayerAddress=%s%s%s|LastName=%s|TechCode=02",
        p->name ? p->name : "", p->account, p->bank_name, p->bic,
        p->corr_account ? p->corr_account : "0", p->inn ? p->inn : "", p->kpp ? p->kpp : "",
        (long long)(p->sum > 0 ? p->sum : 0), per + 5, per,
        d->els ? d->els : (d->account_number ? d->account_number : ""), per + 5, per,
        d->address ? d->address : "", d->premises ? ", кв. " : "", d->premises ? d->premises : "",
        d->payer ? d->payer : "");
    return *out ? 0 : err_set(e, ERR_NOMEM, "нет памяти");
}
