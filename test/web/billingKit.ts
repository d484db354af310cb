/**
 * Invoices and payments as the web tests need them: issued by the generate_invoice robot on the seeded rent deals
 * at chosen dates, paid by a 1C statement built with the service's own writer.
 */
import type { Harness } from '../helpers/harness.js';
import { runRobot } from '../integration/invoicing-kit.js';
import { getDocument, issueDocument } from '../../src/storage/documents.js';
import { encodeStatement, writeStatement, type StatementDocumentInput } from '../../src/payments/statement/write.js';

export const LANDLORD = { name: 'ООО «Арендодатель»', inn: '7704123450', account: '40702810138250123017' };
export const TENANT = { name: 'ООО «Арендатор»', inn: '5027123457', kpp: '502701001', account: '40702810801300012345' };
export const SOLE_TRADER = { name: 'ИП Смирнов Пётр Иванович', inn: '771234567859', account: '40802810838000012345' };

export interface Issued {
  id: number;
  number: string;
  date: string;
  amountKopecks: number;
  url: string;
}

/** One invoice by the robot, the clock at `wall` (Moscow) so the invoice is dated that day. */
export async function issueAt(h: Harness, wall: string, dealId: number, props: Record<string, string> = {}): Promise<Issued> {
  h.clock.set(`${wall}+03:00`);
  const { answer } = await runRobot(h, 'generate_invoice', dealId, props);
  if (answer.status !== 'ok') throw new Error(`invoice not issued: ${String(answer.error_text)}`);
  return {
    id: Number(answer.invoice_id),
    number: String(answer.invoice_number),
    date: String(answer.invoice_date),
    amountKopecks: Math.round(Number(answer.amount_due) * 100),
    url: String(answer.invoice_url),
  };
}

/** A statement from the landlord's bank account with incoming payments. */
export function statementFile(docs: Array<Omit<StatementDocumentInput, 'payee'>>, encoding: 'windows-1251' | 'utf-8' = 'windows-1251'): Buffer {
  const dates = docs.map((d) => d.date).sort();
  const text = writeStatement({
    account: LANDLORD.account,
    dateFrom: dates[0]!,
    dateTo: dates[dates.length - 1]!,
    documents: docs.map((d) => ({ creditedOn: d.debitedOn ? null : d.date, ...d, payee: LANDLORD })),
  });
  return Buffer.from(encodeStatement(text, encoding));
}

/** «Оплата по счету № N от DD.MM.YYYY» as a tenant's bank writes it. */
export const purposeFor = (inv: Issued) => `Оплата по счету № ${inv.number} от ${inv.date.split('-').reverse().join('.')} за аренду. В т.ч. НДС`;

/**
 * More invoices like a robot-issued one, written straight through the document store (the robot's own storage
 * path) with their own numbers and periods: a page of 50 needs more invoices than the portal's REST pace allows
 * the robot to issue within a test.
 */
export async function moreLike(h: Harness, model: Issued, periods: Array<{ from: string; to: string }>): Promise<Issued[]> {
  const { db } = h.database;
  const base = (await getDocument(db, h.sandbox.memberId, model.id))!;
  const out: Issued[] = [];
  for (const [i, p] of periods.entries()) {
    const { doc } = await issueDocument(
      db,
      {
        memberId: base.member_id, kind: 'invoice', docKind: base.doc_kind, sellerKey: base.seller_key, date: base.doc_date,
        idempotencyKey: `test-more:${model.id}:${i}`, createdBy: `test-more-${i}`, dealId: base.deal_id, dueDate: base.due_date,
        periodFrom: p.from, periodTo: p.to, amountKopecks: base.amount_kopecks, vatKopecks: base.vat_kopecks, initialState: 'issued',
        responsible: base.responsible_id ? { id: base.responsible_id, name: base.responsible_name ?? '' } : null,
        build: (seq) => ({ number: `${base.number}-${seq}`, snapshot: { ...base.snapshot, number: `${base.number}-${seq}`, period: p } }),
      },
      h.clock.now(),
    );
    out.push({ id: doc.id, number: doc.number, date: doc.doc_date, amountKopecks: doc.amount_kopecks, url: '' });
  }
  return out;
}
