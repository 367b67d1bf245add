/* paydoc_fixture.h — a payment document with two payees for the paydoc unit
 * tests (test_paydoc_gost.c, test_paydoc_forms.c): the account's management
 * organization with the standard's sample bank details (DOMAIN.md §3, the
 * account, к/с and BIC pass the §4 checks; the sample's ИНН does not, so a
 * valid one stands in), and a capital-repair fund collected on the same
 * document with details of its own. */
#ifndef PAYDOC_FIXTURE_H
#define PAYDOC_FIXTURE_H

#include "paydoc/paydoc.h"

#include <string.h>

#define SAMPLE_NAME "ООО «Три кита»"
#define SAMPLE_ACCOUNT "40702810138250123017"
#define SAMPLE_BANK "ОАО \"БАНК\""
#define SAMPLE_BIC "044525225"
#define SAMPLE_CORR "30101810400000000225"
#define SAMPLE_INN "7707083893" /* DOMAIN.md §4 test vector */

#define FUND_NAME "НО «Фонд капитального ремонта»"
#define FUND_ACCOUNT "40702810900000002851"
#define FUND_BIC "044030827"
#define FUND_CORR "30101810200000000827"
#define FUND_INN "7801001231"

static void fixture(struct paydoc *d)
{
    static struct paydoc_payee payees[2];
    static struct paydoc_line lines[6];
    static struct paydoc_reading readings[1];
    static struct paydoc_contact contacts[2];
    payees[0] = (struct paydoc_payee){.org_id = 3,
                                      .name = SAMPLE_NAME,
                                      .inn = SAMPLE_INN,
                                      .kpp = "770701001",
                                      .ogrn = "1027812400868",
                                      .address = "г. Энск, ул. Ленина, д. 1",
                                      .phone = "+7 800 000-00-00",
                                      .email = "uk@example.ru",
                                      .website = "uk.example.ru",
                                      .bank_name = SAMPLE_BANK,
                                      .bic = SAMPLE_BIC,
                                      .account = SAMPLE_ACCOUNT,
                                      .corr_account = SAMPLE_CORR,
                                      .lines_total = 312345,
                                      .sum = 318000};
    payees[1] = (struct paydoc_payee){.org_id = 7,
                                      .name = FUND_NAME,
                                      .inn = FUND_INN,
                                      .kpp = "780101001",
                                      .bank_name = "ПАО «Банк Санкт-Петербург»",
                                      .bic = FUND_BIC,
                                      .account = FUND_ACCOUNT,
                                      .corr_account = FUND_CORR,
                                      .lines_total = 54300,
                                      .sum = 54300};
    lines[0] = (struct paydoc_line){.kind = 'C',
                                    .method = 'A',
                                    .payee = 0,
                                    .service = "Содержание жилого помещения",
                                    .unit = "м²",
                                    .quantity = 54300,
                                    .price = 250000,
                                    .amount = 135750,
                                    .explain = "по площади помещения"};
    lines[1] = (struct paydoc_line){.kind = 'C',
                                    .method = 'M',
                                    .payee = 0,
                                    .service = "Холодное водоснабжение",
                                    .unit = "м³",
                                    .quantity = 6544,
                                    .price = 456712,
                                    .amount = 29887,
                                    .explain = "по показаниям прибора учёта"};
    lines[2] = (struct paydoc_line){.kind = 'C',
                                    .method = 'K',
                                    .payee = 0,
                                    .service = "Электроснабжение",
                                    .unit = "кВт·ч",
                                    .quantity = 304000,
                                    .price = 49500,
                                    .amount = 150480,
                                    .explain = "по нормативу × зарегистрированные × повышающий "
                                               "коэффициент (ПП 354 п. 42)"};
    lines[3] = (struct paydoc_line){.kind = 'C',
                                    .method = 'A',
                                    .payee = 1,
                                    .service = "Взнос на капитальный ремонт",
                                    .unit = "м²",
                                    .quantity = 54300,
                                    .price = 100000,
                                    .amount = 54300,
                                    .explain = "по площади помещения"};
    lines[4] = (struct paydoc_line){.kind = 'R',
                                    .method = '-',
                                    .payee = 0,
                                    .service = "Содержание жилого помещения",
                                    .quantity = 0,
                                    .amount = -3772,
                                    .period = "2026-09",
                                    .reason = "площадь уточнена по выписке ЕГРН",
                                    .explain = "перерасчёт: площадь уточнена по выписке ЕГРН"};
    lines[5] = (struct paydoc_line){
        .kind = 'P',
        .method = '-',
        .payee = 0,
        .amount = 1234,
        .period = "2026-08",
        .explain = "пени (ЖК РФ ст. 155 ч. 14) на долг 1 000,00 ₽"};
    readings[0] = (struct paydoc_reading){.serial = "ХВ-001",
                                          .resource = "cold_water",
                                          .zone = "single",
                                          .previous = "123.456",
                                          .current = "130.000",
                                          .consumption = "6.544"};
    contacts[0] = (struct paydoc_contact){
        .role = "manager", .name = SAMPLE_NAME, .phone = "+7 800 000-00-00"};
    contacts[1] = (struct paydoc_contact){
        .role = "dispatch", .name = "АДС ООО «Три кита»", .phone = "+7 800 000-00-01"};
    *d = (struct paydoc){.account_id = 1,
                         .org_id = 3,
                         .els = "75da533315",
                         .account_number = "A-001",
                         .ipd = "75da533315-01-1026",
                         .period = "2026-10",
                         .issued_on = "2026-11-01",
                         .due_on = "2026-11-10",
                         .payer = "Иванов И. И.",
                         .municipality = "г. Энск",
                         .address = "г. Энск, ул. Ленина, д. 5",
                         .premises = "12",
                         .area = 5430,
                         .residents = 2,
                         .opening = 10000,
                         .charged = 370417,
                         .corrected = -3772,
                         .penalty = 1234,
                         .cashback = 0,
                         .paid = 5579,
                         .total = 372300,
                         .payees = payees,
                         .npayees = 2,
                         .lines = lines,
                         .nlines = 6,
                         .readings = readings,
                         .nreadings = 1,
                         .contacts = contacts,
                         .ncontacts = 2};
}

#endif
