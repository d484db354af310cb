/**
 * One decision per statement document: skipped (with the classifier's reason) unless it is an incoming
 * payment to the landlord, which the Matcher then decides. Pure; storing and applying decisions is the
 * caller's (import, push API).
 */
import type { Classification, Classifier } from './statement/classify.js';
import { paymentIdentity } from './statement/identity.js';
import type { StatementTransaction } from './statement/types.js';
import type { Matcher } from './match/matcher.js';
import type { IncomingPayment, MatchDecision } from './match/types.js';

export interface TransactionDecision {
  transaction: StatementTransaction;
  classification: Classification;
  /** The payment handed to matching; null for skipped documents. */
  payment: IncomingPayment | null;
  decision: MatchDecision;
}

/** The matching view of a statement document; its id is the bank-side identity. */
export function incomingPaymentOf(tx: StatementTransaction): IncomingPayment {
  return {
    id: paymentIdentity({ date: tx.date, number: tx.number, amountKopecks: tx.amountKopecks, payerAccount: tx.payer.account, payerInn: tx.payer.inn }),
    date: tx.date,
    number: tx.number,
    amountKopecks: tx.amountKopecks,
    payerInn: tx.payer.inn,
    payerName: tx.payer.name,
    purpose: tx.purpose,
  };
}

export function decideTransaction(tx: StatementTransaction, classify: Classifier, matcher: Matcher): TransactionDecision {
  const classification = classify(tx);
  if (classification.kind === 'skipped') {
    return {
      transaction: tx,
      classification,
      payment: null,
      decision: { result: 'skipped', rule: 'not_incoming', allocations: [], excessKopecks: 0, reason: classification.message, candidates: [] },
    };
  }
  const payment = incomingPaymentOf(tx);
  return { transaction: tx, classification, payment, decision: matcher.match(payment) };
}

export function decideTransactions(txs: readonly StatementTransaction[], classify: Classifier, matcher: Matcher): TransactionDecision[] {
  return txs.map((tx) => decideTransaction(tx, classify, matcher));
}
