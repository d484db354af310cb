/**
 * The payments benches' generated portal: N open invoices (two per tenant, numbered АР-2026-1 … АР-2026-N) and a
 * statement paying them in every form the matcher knows, with outgoing payments and bank fees among them.
 */
import type { OpenInvoice } from '../src/payments/match/types.js';
import type { StatementDocumentInput } from '../src/payments/statement/write.js';

export const LANDLORD = { name: 'ООО "Арендодатель"', inn: '7709876543', kpp: '770901001', account: '40702810900000000009', bank: { name: 'АО "АЛЬФА-БАНК"', city: 'г. Москва', bic: '044525593', corrAccount: '30101810200000000593' } };
export const PREFIX = 'АР-2026-';

const innOf = (tenant: number) => String(7700000000 + tenant);
const accountOf = (tenant: number) => `40702810${String(tenant).padStart(12, '0')}`;
const dateOf = (i: number) => `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
const ru = (iso: string) => iso.split('-').reverse().join('.');

/** Two invoices per tenant, numbered АР-2026-1 … АР-2026-N. */
export function invoices(n: number): OpenInvoice[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return { id: i, number: `${PREFIX}${i}`, date: dateOf(i), buyerInn: innOf(Math.ceil(i / 2)), totalKopecks: 1_000_000 + (i % 997) * 1_000, paidKopecks: 0, status: 'open', dealId: 10_000 + i };
  });
}

export function documents(list: OpenInvoice[]): StatementDocumentInput[] {
  const docs: StatementDocumentInput[] = [];
  for (const inv of list) {
    const i = Number(inv.id);
    const tenant = Math.ceil(i / 2);
    const form = i % 20;
    let payer = { name: `ООО "Арендатор ${tenant}"`, inn: innOf(tenant), kpp: '770101001', account: accountOf(tenant), bank: { name: 'ПАО СБЕРБАНК', city: 'г. Москва', bic: '044525225', corrAccount: '30101810400000000225' } };
    let amount = inv.totalKopecks;
    let purpose = `Оплата по счету № ${i} от ${ru(inv.date)} за аренду помещения. В т.ч. НДС 22% ${(amount / 100 * 22 / 122).toFixed(2)}`;
    if (form === 1) purpose = `Оплата ${PREFIX}${i} аренда`;
    if (form === 2) { amount = Math.floor(amount / 2); purpose = `Частичная оплата по сч. ${i}`; }
    if (form === 3) purpose = 'Арендная плата, НДС не облагается';
    if (form === 4) payer = { ...payer, name: 'ИП Третье Лицо', inn: '500100732259', account: '40802810000000000001' };
    if (form === 5 && i % 2 === 1) { amount += list[i]?.totalKopecks ?? 0; purpose = `Оплата по счетам № ${i}, ${i + 1}`; }
    if (form === 6 && i % 2 === 0) continue; // paid together with the previous one
    if (form === 9) amount += 10_000; // overpaid by 100 ₽
    docs.push({ number: String(100 + (i % 9000)), date: inv.date, creditedOn: inv.date, amountKopecks: amount, payer, payee: LANDLORD, purpose });
    if (i % 20 === 7) docs.push({ number: String(i), date: inv.date, debitedOn: inv.date, amountKopecks: 50_000, payer: LANDLORD, payee: { ...payer, account: '40702810300000000003' }, purpose: 'Оплата услуг уборки' });
    if (i % 20 === 8) docs.push({ kind: 'Банковский ордер', number: String(i), date: inv.date, debitedOn: inv.date, amountKopecks: 2_500, payer: LANDLORD, payee: { account: '70601810800002740257' }, purpose: 'Комиссия за платеж', operationCode: '17' });
  }
  return docs;
}

