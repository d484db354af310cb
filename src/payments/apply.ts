/**
 * Applying payments: a 1C statement file or one pushed payment becomes one decision per document, the money is
 * recorded against invoices, and what follows (deal comment and fields, notifications, automation triggers, the
 * waiting robots) is handed to a durable job per payment. A payment is identified by its bank-side identity, so
 * a repeated file, overlapping statements or a retried push apply nothing twice.
 */
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { kopecksToDecimal } from '../documents/money.js';
import { parseStatement } from './statement/parse.js';
import { createClassifier, type OwnAccount } from './statement/classify.js';
import type { Statement, StatementTransaction } from './statement/types.js';
import { decideTransaction, incomingPaymentOf } from './decide.js';
import { Matcher } from './match/matcher.js';
import type { IncomingPayment, MatchDecision, OpenInvoice as MatchInvoice } from './match/types.js';
import { analyzePayments, knownBankKeys, openInvoices, recordPayments, type NewPayment, type OpenInvoice } from '../storage/payments.js';
import { withPaymentsLock } from '../storage/paymentsLock.js';
import type { Database } from '../storage/schema.js';
import type { Transaction } from 'kysely';
import { resolvePaymentWaits } from '../robots/wait_for_payment/waits.js';
import { PAYMENT_EFFECTS_JOB, paymentEffectsJobKey } from './effectsJob.js';

type ApplyDeps = Pick<AppDeps, 'database' | 'jobs' | 'clock' | 'log' | 'work'>;

/** One line of the answer to an import or a push: what happened to one bank document. */
export interface PaymentDecisionView {
  number: string;
  date: string;
  /** Decimal rubles, «25000.00». */
  amount: string;
  payer_inn: string;
  result: MatchDecision['result'];
  /** The invoice(s) paid, comma-separated; for a manual decision the best candidate, if any. */
  invoice_number: string | null;
  reason: string;
  /** The stored payment (for `qrbill payments … match`), when it was recorded. */
  payment_id?: number;
}

export interface ImportSummary {
  encoding: Statement['encoding'];
  period: { from: string | null; to: string | null };
  decisions: PaymentDecisionView[];
  counts: Record<MatchDecision['result'], number>;
}

/** One pushed payment (POST /api/v1/payments), already validated at the edge. */
export interface PushedPayment {
  date: string;
  number: string;
  amountKopecks: number;
  payerInn: string;
  payerName: string;
  payerAccount: string;
  payeeAccount: string;
  purpose: string;
}

const toMatchInvoice = (i: OpenInvoice): MatchInvoice => ({
  id: i.id,
  number: i.number,
  date: i.date,
  buyerInn: i.buyerInn,
  totalKopecks: i.totalKopecks,
  paidKopecks: i.paidKopecks,
  status: i.state === 'partially_paid' ? 'partially_paid' : 'open',
  dealId: i.dealId,
});

/** «АР-2026-15» → «АР-2026-»: the numbering prefixes in use, so «№ АР-2026-15» and «№ 15» both find the invoice. */
const prefixesOf = (invoices: OpenInvoice[]) => [...new Set(invoices.map((i) => i.number.replace(/\d+$/, '')).filter(Boolean))];

/** Documents from which an import on PostgreSQL refreshes the planner's statistics of the payments tables first. */
const LARGE_STATEMENT = 5_000;

/**
 * Parses and applies a 1CClientBankExchange file; refuses a file that is not one, naming the line. The invoices are
 * read, matched and paid in one transaction under the portal's payments lock: an import on another instance waits
 * and then sees these payments, so nothing is applied twice and no invoice is paid twice from a stale view.
 */
export async function importStatement(deps: ApplyDeps, memberId: string, bytes: Uint8Array): Promise<ImportSummary> {
  const statement = parseStatement(bytes);
  const { decisions, touched } = await withPaymentsLock(deps.database, memberId, async (trx) => {
    const invoices = await openInvoices(trx, memberId);
    const classify = createClassifier(ownAccounts(statement, invoices));
    const incomingIds = statement.transactions.map((tx) => incomingPaymentOf(tx).id);
    const large = deps.database.dialect === 'postgres' && statement.transactions.length >= LARGE_STATEMENT;
    if (large) await analyzePayments(trx);
    const known = await knownBankKeys(trx, memberId, incomingIds);
    const matcher = new Matcher(invoices.map(toMatchInvoice), { prefixes: prefixesOf(invoices), knownPaymentIds: known });
    const decisions: PaymentDecisionView[] = [];
    const toStore: Array<{ view: PaymentDecisionView; payment: NewPayment }> = [];
    for (const tx of statement.transactions) {
      const d = decideTransaction(tx, classify, matcher);
      const view = viewOf(tx, d.decision);
      if (d.payment && d.decision.result !== 'duplicate' && d.decision.result !== 'skipped') {
        toStore.push({ view, payment: newPayment('statement', d.payment, tx.payer.account, tx.payee.account, d.decision) });
      }
      decisions.push(view);
    }
    return { decisions, touched: await store(deps, trx, memberId, toStore, { analyze: large }) };
  });
  await afterApply(deps, memberId, touched);
  const counts = { paid: 0, partially_paid: 0, overpaid: 0, manual: 0, duplicate: 0, skipped: 0 };
  for (const d of decisions) counts[d.result]++;
  deps.log.info({ memberId, documents: decisions.length, ...counts }, 'bank statement imported');
  return { encoding: statement.encoding, period: { from: statement.header.dateFrom, to: statement.header.dateTo }, decisions, counts };
}

/** Applies one pushed payment to the portal's invoices, under the same lock as imports. */
export async function applyPushedPayment(deps: ApplyDeps, memberId: string, p: PushedPayment): Promise<PaymentDecisionView> {
  const { view, touched } = await withPaymentsLock(deps.database, memberId, async (trx) => {
    const invoices = await openInvoices(trx, memberId);
    const tx = pushedAsTransaction(p);
    const payment = incomingPaymentOf(tx);
    const ours = ownAccounts(undefined, invoices);
    if (ours.length && !ours.some((a) => a.account === p.payeeAccount)) {
      const skipped = viewOf(tx, { result: 'skipped', rule: 'not_incoming', allocations: [], excessKopecks: 0, reason: `Счёт получателя ${p.payeeAccount} не указан ни в одном выставленном счёте`, candidates: [] });
      return { view: skipped, touched: new Set<number>() };
    }
    const known = await knownBankKeys(trx, memberId, [payment.id]);
    const matcher = new Matcher(invoices.map(toMatchInvoice), { prefixes: prefixesOf(invoices), knownPaymentIds: known });
    const decision = matcher.match(payment);
    const view = viewOf(tx, decision);
    if (decision.result === 'duplicate') return { view, touched: new Set<number>() };
    const touched = await store(deps, trx, memberId, [{ view, payment: newPayment('push', payment, p.payerAccount, p.payeeAccount, decision) }]);
    return { view, touched };
  });
  await afterApply(deps, memberId, touched);
  return view;
}

function pushedAsTransaction(p: PushedPayment): StatementTransaction {
  const bank = { name: '', city: '', bic: '', corrAccount: '' };
  return {
    line: 0,
    kind: 'Платежное поручение',
    number: p.number,
    date: p.date,
    amountKopecks: p.amountKopecks,
    creditedOn: p.date,
    debitedOn: null,
    payer: { name: p.payerName, inn: p.payerInn, kpp: '', account: p.payerAccount, bank },
    payee: { name: '', inn: '', kpp: '', account: p.payeeAccount, bank },
    purpose: p.purpose,
    operationCode: '01',
  };
}

/**
 * The landlord's accounts: those the statement is for (its account sections; the INN from a document paid to it)
 * and those our invoices ask to be paid to.
 */
function ownAccounts(statement: Statement | undefined, invoices: OpenInvoice[]): OwnAccount[] {
  const out = new Map<string, OwnAccount>();
  for (const i of invoices) if (i.sellerAccount) out.set(i.sellerAccount, { inn: i.sellerInn, account: i.sellerAccount });
  for (const account of statement?.header.accounts ?? []) {
    if (out.has(account)) continue;
    const tx = statement!.transactions.find((t) => t.payee.account === account || t.payer.account === account);
    const inn = tx ? (tx.payee.account === account ? tx.payee.inn : tx.payer.inn) : '';
    out.set(account, { inn, account });
  }
  return [...out.values()];
}

function newPayment(source: 'statement' | 'push', payment: IncomingPayment, payerAccount: string, payeeAccount: string, d: MatchDecision): NewPayment {
  if (d.result === 'duplicate' || d.result === 'skipped') throw new AppError('PAYMENT_NOT_STORABLE', `A ${d.result} payment is not stored`);
  return {
    bankKey: payment.id,
    source,
    payDate: payment.date,
    number: payment.number,
    amountKopecks: payment.amountKopecks,
    payerInn: payment.payerInn,
    payerName: payment.payerName,
    payerAccount,
    payeeAccount,
    purpose: payment.purpose,
    result: d.result,
    reason: d.reason,
    excessKopecks: d.excessKopecks,
    candidates: d.candidates.map((c) => Number(c.invoiceId)),
    allocations: d.allocations.map((a) => ({ invoiceId: Number(a.invoiceId), amountKopecks: a.amountKopecks })),
  };
}

/**
 * Records the payments and, in the same transaction, one effects job each: a payment is never recorded without its
 * comment, fields, triggers and the answer to its waiting robots to follow, even if the process dies right after
 * the commit. Fills in each view's payment id (or turns it into a duplicate) and returns the invoices paid.
 */
async function store(
  deps: ApplyDeps,
  trx: Transaction<Database>,
  memberId: string,
  items: Array<{ view: PaymentDecisionView; payment: NewPayment }>,
  opts: { analyze?: boolean } = {},
): Promise<Set<number>> {
  const recorded = await recordPayments(trx, memberId, items.map((i) => i.payment), deps.clock.now(), opts);
  const touched = new Set<number>();
  const jobs: Array<{ key: string; payload: { memberId: string; paymentId: number } }> = [];
  items.forEach(({ view, payment }, i) => {
    const r = recorded[i]!;
    if (!r.created) {
      Object.assign(view, duplicateOf(view));
      return;
    }
    view.payment_id = r.id;
    for (const a of payment.allocations) touched.add(a.invoiceId);
    jobs.push({ key: paymentEffectsJobKey(r.id), payload: { memberId, paymentId: r.id } });
  });
  for (let i = 0; i < jobs.length; i += 500) await deps.jobs.enqueueMany(PAYMENT_EFFECTS_JOB, jobs.slice(i, i + 500), trx);
  return touched;
}

/**
 * After the commit: the waiting robots on the invoices whose money changed are answered now (the effects job answers
 * them too, should this process die first), and the worker is woken for the effects.
 */
async function afterApply(deps: ApplyDeps, memberId: string, invoiceIds: Set<number>): Promise<void> {
  if (invoiceIds.size) await resolvePaymentWaits(deps, memberId, [...invoiceIds]);
  deps.work.notify();
}

function viewOf(tx: StatementTransaction, d: MatchDecision): PaymentDecisionView {
  const numbers = d.allocations.length ? d.allocations.map((a) => a.invoiceNumber) : d.candidates.slice(0, 1).map((c) => c.invoiceNumber);
  return {
    number: tx.number,
    date: tx.date,
    amount: kopecksToDecimal(tx.amountKopecks),
    payer_inn: tx.payer.inn,
    result: d.result,
    invoice_number: numbers.length ? numbers.join(', ') : null,
    reason: d.reason,
  };
}

/** Another import or push recorded the same payment a moment ago. */
const duplicateOf = (v: PaymentDecisionView): Partial<PaymentDecisionView> => ({
  result: 'duplicate',
  reason: `Платёж п/п № ${v.number} от ${v.date} на ${v.amount} руб. уже учтён`,
});
