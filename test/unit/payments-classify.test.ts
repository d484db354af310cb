import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/payments/statement/classify.js';
import { paymentIdentity } from '../../src/payments/statement/identity.js';
import { parseStatement } from '../../src/payments/statement/parse.js';
import type { StatementParty, StatementTransaction } from '../../src/payments/statement/types.js';
import { writeStatement } from '../../src/payments/statement/write.js';
import { incomingPaymentOf } from '../../src/payments/decide.js';

const OWN = [
  { inn: '7709876543', account: '40702810900000000009' },
  { inn: '7709876543', account: '40702810500000000005' },
];
const classify = createClassifier(OWN);

const party = (account: string, inn = '7701234567', name = 'ООО "Ромашка"'): StatementParty => ({
  name, inn, kpp: '', account, bank: { name: '', city: '', bic: '', corrAccount: '' },
});

const tx = (over: Partial<StatementTransaction>): StatementTransaction => ({
  line: 20, kind: 'Платежное поручение', number: '588', date: '2026-12-02', amountKopecks: 2_500_000,
  creditedOn: null, debitedOn: null, payer: party('40702810100000000001'), payee: party('40702810900000000009', '7709876543'),
  purpose: 'Оплата по счету № 15', operationCode: '01', ...over,
});

describe('which statement documents are payments to the landlord', () => {
  it('takes a payment credited to one of our accounts from someone else as incoming', () => {
    expect(classify(tx({ creditedOn: '2026-12-03' }))).toEqual({ kind: 'incoming', ownAccount: OWN[0] });
  });

  it('skips our own payments, transfers between our accounts and bank fees, with reasons in Russian', () => {
    const out = classify(tx({ payer: party('40702810900000000009', '7709876543'), payee: party('40702810300000000003', '7712345678', 'ООО "Поставщик"'), debitedOn: '2026-12-02' }));
    expect(out).toMatchObject({ kind: 'skipped', reason: 'outgoing' });
    expect(out.kind === 'skipped' && out.message).toContain('Исходящий платёж');

    const own = classify(tx({ payer: party('40702810500000000005', '7709876543'), payee: party('40702810900000000009', '7709876543') }));
    expect(own).toMatchObject({ kind: 'skipped', reason: 'own_transfer' });
    expect(own.kind === 'skipped' && own.message).toContain('между своими счетами');

    const fee = classify(tx({ kind: 'Банковский ордер', operationCode: '17', payer: party('40702810900000000009', '7709876543'), payee: party('70601810800002740257', ''), debitedOn: '2026-12-02', purpose: 'Комиссия за ведение счета' }));
    expect(fee).toMatchObject({ kind: 'skipped', reason: 'bank_fee' });

    const commission = classify(tx({ payer: party('40702810900000000009', '7709876543'), payee: party('47423810000000000001', ''), purpose: 'Плата за обслуживание' }));
    expect(commission).toMatchObject({ kind: 'skipped', reason: 'bank_fee' });
  });

  it('skips a payment to an account the portal does not know', () => {
    const other = classify(tx({ payee: party('40702810000000000777', '7709876543'), creditedOn: '2026-12-03' }));
    expect(other).toMatchObject({ kind: 'skipped', reason: 'not_ours' });
    expect(other.kind === 'skipped' && other.message).toContain('40702810000000000777');
  });

  it('on the Windows-1251 sample: 3 incoming, 6 bank orders as fees, 4 outgoing', () => {
    const s = parseStatement(readFileSync(new URL('../fixtures/1c/kilylabs_one_day_cp1251_crlf.txt', import.meta.url)));
    const classifySample = createClassifier([{ inn: '123123123123', account: '40702810200000000001' }]);
    const byKind = (k: string) => s.transactions.map(classifySample).filter((c) => (c.kind === 'incoming' ? 'incoming' : c.reason) === k);
    expect(byKind('incoming')).toHaveLength(3);
    expect(byKind('bank_fee')).toHaveLength(6);
    // the bank did not repeat the statement account in ПлательщикСчет: ДатаСписано says the money left
    expect(byKind('outgoing')).toHaveLength(4);
  });
});

describe('bank-side identity of a payment', () => {
  const doc = {
    number: '588', date: '2026-12-02', creditedOn: '2026-12-03', amountKopecks: 2_500_000,
    payer: { name: 'ООО "Ромашка"', inn: '7701234567', account: '40702810100000000001' },
    payee: { name: 'ООО "Арендодатель"', inn: '7709876543', account: '40702810900000000009' },
    purpose: 'Оплата по счету № 15',
  };

  it('is the same for the same payment in two overlapping statements, whatever else differs', () => {
    const first = parseStatement(writeStatement({ account: doc.payee.account, dateFrom: '2026-12-01', dateTo: '2026-12-03', documents: [doc] }));
    const second = parseStatement(
      writeStatement({ account: doc.payee.account, dateFrom: '2026-12-02', dateTo: '2026-12-09', sender: 'Другой банк-клиент', documents: [{ ...doc, number: '000588', payer: { ...doc.payer, account: '4070 2810 1000 0000 0001' } }] }),
    );
    expect(incomingPaymentOf(second.transactions[0]!).id).toBe(incomingPaymentOf(first.transactions[0]!).id);
  });

  it('tells apart payments that differ in date, number, amount or payer account', () => {
    const base = { date: '2026-12-02', number: '588', amountKopecks: 2_500_000, payerAccount: '40702810100000000001', payerInn: '7701234567' };
    const ids = new Set([
      paymentIdentity(base),
      paymentIdentity({ ...base, date: '2025-12-02' }),
      paymentIdentity({ ...base, number: '589' }),
      paymentIdentity({ ...base, amountKopecks: 2_500_001 }),
      paymentIdentity({ ...base, payerAccount: '40702810100000000002' }),
      paymentIdentity({ ...base, payerAccount: '', payerInn: '7701234567' }),
    ]);
    expect(ids.size).toBe(6);
  });
});
