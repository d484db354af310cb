import { describe, expect, it } from 'vitest';
import { Matcher } from '../../src/payments/match/matcher.js';
import { extractInvoiceReferences } from '../../src/payments/match/references.js';
import type { IncomingPayment, OpenInvoice } from '../../src/payments/match/types.js';
import { createClassifier } from '../../src/payments/statement/classify.js';
import { parseStatement } from '../../src/payments/statement/parse.js';
import { writeStatement } from '../../src/payments/statement/write.js';
import { decideTransactions } from '../../src/payments/decide.js';

const ROMASHKA = '7701234567';
const LUTIK = '7712345678';

let invoiceId = 0;
const invoice = (over: Partial<OpenInvoice> & { number: string }): OpenInvoice => ({
  id: ++invoiceId,
  date: '2026-12-01',
  buyerInn: ROMASHKA,
  totalKopecks: 2_500_000,
  paidKopecks: 0,
  status: 'open',
  dealId: 100 + invoiceId,
  ...over,
});

let paymentNo = 500;
const pay = (purpose: string, amountKopecks = 2_500_000, payerInn = ROMASHKA): IncomingPayment => {
  paymentNo += 1;
  return { id: `2026-12-02|${paymentNo}|${amountKopecks}|40702810100000000001`, date: '2026-12-02', number: String(paymentNo), amountKopecks, payerInn, payerName: 'ООО "Ромашка"', purpose };
};

describe('invoice numbers in a payment purpose', () => {
  const numbers = (purpose: string, prefixes: string[] = []) => extractInvoiceReferences(purpose, prefixes).map((r) => r.text);

  it.each([
    ['Оплата по счету № 15 от 01.12.2026 за аренду. В т.ч. НДС 22% 4508.20', ['15']],
    ['Оплата по сч. 15 аренда декабрь', ['15']],
    ['оплата сч.15', ['15']],
    ['Оплата счет 15', ['15']],
    ['Оплата счёт №15 НДС не облагается', ['15']],
    ['ОПЛАТА ПО СЧ№15 ОТ 01.12.26', ['15']],
    ['опл. по сч-ту 15 за декабрь', ['15']],
    ['Оплата по счетам № 15, 16 за аренду', ['15', '16']],
    ['Оплата по счетам № 15 от 01.12.2026, № 16 от 15.12.2026', ['15', '16']],
    ['по счетам 15 и 16', ['15', '16']],
    ['Оплата по счету на оплату № АР-2026-15 от 01.12.2026', ['АР-2026-15']],
    ['Оплата АР-2026-15 аренда за декабрь', ['АР-2026-15']],
    ['Оплата по счету №15от01.12.2026 аренда', ['15']],
    ['по счету от 01.12.2026 № 15', ['15']],
    ['Оплата инвойса 15', ['15']],
    // Numbers found by the token scan, whatever surrounds them.
    ['Оплата (АР-2026-15), НДС 22% 4508.20', ['АР-2026-15']],
    ['Платёж 2026-15 аренда 01.12.2026', ['2026-15']],
    ['Payment for INV-15; thank you', ['INV-15']],
  ])('«%s» names %j', (purpose, expected) => {
    expect(numbers(purpose, ['АР-2026-'])).toEqual(expected);
  });

  it.each([
    'Аренда по договору № 15 от 01.01.2026, НДС не облагается',
    'Оплата по счету-фактуре № 15',
    'Оплата сч/ф 15',
    'Перевод на р/счет 40702810900000000001',
    'Пополнение лицевого счета 123',
    'Оплата за декабрь 2026 г. 25000.00 руб.',
  ])('«%s» names no invoice', (purpose) => {
    expect(numbers(purpose)).toEqual([]);
  });

  it('keeps the date written after the number', () => {
    expect(extractInvoiceReferences('по счету № 15 от 01.12.2026')[0]?.date).toBe('2026-12-01');
  });
});

describe('matching a payment to invoices by the number in the purpose', () => {
  it('«№ 15» pays invoice 15 and never 150, 1015 or АР-2026-150 (the prefix trap)', () => {
    const i15 = invoice({ number: '15' });
    const m = new Matcher([invoice({ number: '150' }), invoice({ number: '1015' }), invoice({ number: 'АР-2026-150' }), i15], { prefixes: ['АР-2026-'] });
    const d = m.match(pay('Оплата по счету № 15 от 01.12.2026 за аренду'));
    expect(d).toMatchObject({ result: 'paid', rule: 'number', excessKopecks: 0 });
    expect(d.allocations).toEqual([{ invoiceId: i15.id, invoiceNumber: '15', dealId: i15.dealId, amountKopecks: 2_500_000, paidKopecks: 2_500_000, totalKopecks: 2_500_000, fullyPaid: true }]);
    expect(d.reason).toContain('№ 15 от 01.12.2026 оплачен полностью');
    expect(d.reason).toContain(`ИНН плательщика ${ROMASHKA} совпадает с ИНН покупателя`);
  });

  it('«№ 150» pays АР-2026-150 and «АР-2026-15» pays АР-2026-15, not the other way round', () => {
    const a15 = invoice({ number: 'АР-2026-15' });
    const a150 = invoice({ number: 'АР-2026-150' });
    const m = new Matcher([a150, a15], { prefixes: ['АР-2026-'] });
    expect(m.match(pay('Оплата АР-2026-15 аренда')).allocations.map((a) => a.invoiceId)).toEqual([a15.id]);
    expect(m.match(pay('Оплата по счету 150')).allocations.map((a) => a.invoiceId)).toEqual([a150.id]);
  });

  it('a bare «№ 15» finds АР-2026-15, with or without the prefix given', () => {
    for (const prefixes of [['АР-2026-'], []]) {
      const a15 = invoice({ number: 'АР-2026-15' });
      const m = new Matcher([invoice({ number: 'АР-2026-150' }), a15], { prefixes });
      expect(m.match(pay('по сч. 15')).allocations.map((a) => a.invoiceId)).toEqual([a15.id]);
    }
  });

  it('an all-digit template needs its prefix: «2612015» is number 15 of December 2026', () => {
    const inv = invoice({ number: '2612015' });
    expect(new Matcher([inv], { prefixes: ['2612'] }).match(pay('Оплата по счету 15')).result).toBe('paid');
    expect(new Matcher([inv]).match(pay('Оплата по счету 15')).result).toBe('manual');
  });

  it('sends a third party paying someone else’s invoice to the manual queue, naming the invoice', () => {
    const theirs = invoice({ number: '15', buyerInn: LUTIK });
    const m = new Matcher([theirs]);
    const d = m.match(pay('Оплата по счету № 15 за ООО "Лютик"'));
    expect(d).toMatchObject({ result: 'manual', rule: 'third_party', allocations: [] });
    expect(d.reason).toContain('№ 15 от 01.12.2026');
    expect(d.reason).toContain(`покупатель — ИНН ${LUTIK}`);
    expect(d.reason).toContain(`ИНН ${ROMASHKA}`);
    expect(d.candidates.map((c) => c.invoiceId)).toEqual([theirs.id]);
    // nothing was paid: the owner's own payment still finds the whole amount due
    expect(m.match(pay('Оплата по счету № 15', 2_500_000, LUTIK)).result).toBe('paid');
  });

  it('a partial payment keeps the invoice waiting and a later one completes it', () => {
    const inv = invoice({ number: '15' });
    const m = new Matcher([inv]);
    const first = m.match(pay('Оплата по счету № 15, часть 1', 1_000_000));
    expect(first).toMatchObject({ result: 'partially_paid', excessKopecks: 0 });
    expect(first.allocations[0]).toMatchObject({ amountKopecks: 1_000_000, paidKopecks: 1_000_000, fullyPaid: false });
    expect(first.reason).toContain('оплачен частично');
    expect(first.reason).toContain('осталось 15\u00A0000,00 ₽');
    expect(m.invoice(inv.id)).toMatchObject({ status: 'partially_paid', remainingKopecks: 1_500_000 });

    const second = m.match(pay('Оплата по счету № 15, окончательный расчет', 1_500_000));
    expect(second).toMatchObject({ result: 'paid' });
    expect(second.allocations[0]).toMatchObject({ amountKopecks: 1_500_000, paidKopecks: 2_500_000, fullyPaid: true });
    expect(second.reason).toContain('вместе с прежними оплатами 10\u00A0000,00 ₽');
    expect(m.invoice(inv.id)).toMatchObject({ status: 'paid', remainingKopecks: 0 });
  });

  it('counts payments recorded before the matcher was built', () => {
    const m = new Matcher([invoice({ number: '15', paidKopecks: 2_000_000, status: 'partially_paid' })]);
    expect(m.match(pay('Доплата по счету 15', 500_000))).toMatchObject({ result: 'paid' });
  });

  it('records the excess of an overpayment', () => {
    const inv = invoice({ number: '15' });
    const d = new Matcher([inv]).match(pay('Оплата по счету № 15', 2_600_000));
    expect(d).toMatchObject({ result: 'overpaid', excessKopecks: 100_000 });
    expect(d.allocations).toEqual([expect.objectContaining({ invoiceId: inv.id, amountKopecks: 2_500_000, fullyPaid: true })]);
    expect(d.reason).toContain('Переплата 1\u00A0000,00 ₽');
  });

  it('one payment naming several invoices of the tenant pays them oldest first', () => {
    const older = invoice({ number: '16', date: '2026-11-01', totalKopecks: 2_000_000 });
    const newer = invoice({ number: '15', date: '2026-12-01', totalKopecks: 2_500_000 });
    const m = new Matcher([newer, older]);
    const d = m.match(pay('Оплата по счетам № 15, 16 за аренду', 3_000_000));
    expect(d.result).toBe('partially_paid');
    expect(d.allocations.map((a) => [a.invoiceNumber, a.amountKopecks, a.fullyPaid])).toEqual([
      ['16', 2_000_000, true],
      ['15', 1_000_000, false],
    ]);
    expect(d.reason).toContain('от старого к новому');
    const rest = m.match(pay('Оплата по счетам № 15, 16 (остаток)', 1_500_000));
    expect(rest.result).toBe('paid');
    expect(rest.allocations.map((a) => [a.invoiceNumber, a.amountKopecks])).toEqual([['15', 1_500_000]]);
  });

  it('a payment naming an invoice that is paid already or cancelled goes to the manual queue', () => {
    const m = new Matcher([invoice({ number: '15', paidKopecks: 2_500_000, status: 'paid' }), invoice({ number: '16', status: 'cancelled' })]);
    const again = m.match(pay('Оплата по счету 15'));
    expect(again).toMatchObject({ result: 'manual', rule: 'already_paid', allocations: [] });
    expect(again.reason).toContain('уже оплачен');
    expect(m.match(pay('Оплата по счету 16'))).toMatchObject({ result: 'manual', rule: 'cancelled' });
  });

  it('a number no invoice has goes to the manual queue, suggesting the invoice of that amount', () => {
    const inv = invoice({ number: '15' });
    const d = new Matcher([inv]).match(pay('Оплата по счету № 99'));
    expect(d).toMatchObject({ result: 'manual', rule: 'unknown_number' });
    expect(d.reason).toContain('№ 99');
    expect(d.candidates.map((c) => c.invoiceId)).toEqual([inv.id]);
  });

  it('two invoices of the tenant with one number: the date named decides, else a person does', () => {
    const old1c = invoice({ number: '15', date: '2025-12-01' });
    const ours = invoice({ number: 'АР-2026-15', date: '2026-12-01' });
    const m = new Matcher([old1c, ours], { prefixes: ['АР-2026-'] });
    const ambiguous = m.match(pay('Оплата по счету № 15'));
    expect(ambiguous).toMatchObject({ result: 'manual', rule: 'ambiguous_number' });
    expect(ambiguous.candidates.map((c) => c.invoiceId)).toEqual([old1c.id, ours.id]);
    expect(m.match(pay('Оплата по счету № 15 от 01.12.2026')).allocations.map((a) => a.invoiceId)).toEqual([ours.id]);
  });
});

describe('matching a payment without a recognisable number', () => {
  it('pays the one open invoice of the payer with exactly that amount', () => {
    const inv = invoice({ number: '15', totalKopecks: 3_000_000 });
    const m = new Matcher([invoice({ number: '14', totalKopecks: 2_500_000, buyerInn: LUTIK }), invoice({ number: '16', totalKopecks: 2_000_000 }), inv]);
    const d = m.match(pay('Арендная плата за декабрь 2026', 3_000_000));
    expect(d).toMatchObject({ result: 'paid', rule: 'amount' });
    expect(d.allocations.map((a) => a.invoiceId)).toEqual([inv.id]);
    expect(d.reason).toContain('ровно один неоплаченный счёт на 30\u00A0000,00 ₽');
  });

  it('compares with what is left to pay after earlier payments', () => {
    const inv = invoice({ number: '15', paidKopecks: 1_000_000, status: 'partially_paid' });
    expect(new Matcher([inv]).match(pay('Доплата за декабрь', 1_500_000))).toMatchObject({ result: 'paid', rule: 'amount' });
  });

  it('leaves several invoices of the same amount to a person, oldest first', () => {
    const nov = invoice({ number: '10', date: '2026-11-01' });
    const dec = invoice({ number: '15', date: '2026-12-01' });
    const d = new Matcher([dec, nov]).match(pay('Аренда'));
    expect(d).toMatchObject({ result: 'manual', rule: 'amount_ambiguous', allocations: [] });
    expect(d.candidates.map((c) => c.invoiceId)).toEqual([nov.id, dec.id]);
    expect(d.reason).toContain('несколько неоплаченных счетов');
  });

  it('leaves an amount that fits no invoice to a person, with the tenant’s open invoices as candidates', () => {
    const inv = invoice({ number: '15' });
    const d = new Matcher([inv]).match(pay('Аренда', 2_000_000));
    expect(d).toMatchObject({ result: 'manual', rule: 'no_amount_match' });
    expect(d.candidates.map((c) => c.invoiceId)).toEqual([inv.id]);
    expect(new Matcher([inv]).match(pay('Аренда', 2_500_000, LUTIK))).toMatchObject({ result: 'manual', rule: 'no_invoices' });
  });
});

describe('duplicates and manual choices', () => {
  it('the same payment twice is applied once', () => {
    const inv = invoice({ number: '15' });
    const m = new Matcher([inv]);
    const p = pay('Оплата по счету № 15', 1_000_000);
    expect(m.match(p).result).toBe('partially_paid');
    expect(m.match({ ...p })).toMatchObject({ result: 'duplicate', allocations: [] });
    expect(m.invoice(inv.id)?.paidKopecks).toBe(1_000_000);
    expect(new Matcher([inv], { knownPaymentIds: [p.id] }).match(p).result).toBe('duplicate');
  });

  it('settle pays the invoice a person chose, whoever paid', () => {
    const theirs = invoice({ number: '15', buyerInn: LUTIK });
    const m = new Matcher([theirs]);
    const p = pay('Оплата по счету № 15 за ООО "Лютик"');
    expect(m.match(p).result).toBe('manual');
    expect(m.settle(p, [theirs.id])).toMatchObject({ result: 'paid', rule: 'manual_choice' });
  });
});

describe('a whole statement: classify, then match', () => {
  it('decides every document once, and the repeated statement only finds duplicates', () => {
    const landlord = { inn: '7709876543', account: '40702810900000000009', name: 'ООО "Арендодатель"' };
    const tenant = { inn: ROMASHKA, account: '40702810100000000001', name: 'ООО "Ромашка"' };
    const text = writeStatement({
      account: landlord.account,
      dateFrom: '2026-12-01',
      dateTo: '2026-12-07',
      documents: [
        { number: '588', date: '2026-12-02', creditedOn: '2026-12-03', amountKopecks: 1_000_000, payer: tenant, payee: landlord, purpose: 'Оплата по счету № 15 от 01.12.2026' },
        { number: '41', date: '2026-12-04', debitedOn: '2026-12-04', amountKopecks: 500_000, payer: landlord, payee: { inn: '7712312312', account: '40702810300000000003', name: 'ООО "Клининг"' }, purpose: 'Оплата уборки' },
        { kind: 'Банковский ордер', number: '697162', date: '2026-12-04', debitedOn: '2026-12-04', amountKopecks: 8323, payer: landlord, payee: { account: '70601810800002740257' }, purpose: 'Комиссия за платеж', operationCode: '17' },
        { number: '601', date: '2026-12-05', creditedOn: '2026-12-05', amountKopecks: 1_500_000, payer: tenant, payee: landlord, purpose: 'Доплата по сч. 15' },
      ],
    });
    const classify = createClassifier([{ inn: landlord.inn, account: landlord.account }]);
    const inv = invoice({ number: '15' });
    const m = new Matcher([inv]);
    const statement = parseStatement(text);
    expect(decideTransactions(statement.transactions, classify, m).map((d) => d.decision.result)).toEqual(['partially_paid', 'skipped', 'skipped', 'paid']);
    expect(decideTransactions(statement.transactions, classify, m).map((d) => d.decision.result)).toEqual(['duplicate', 'skipped', 'skipped', 'duplicate']);
    expect(m.invoice(inv.id)?.paidKopecks).toBe(2_500_000);
  });
});
