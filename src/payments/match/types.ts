/**
 * What matching reads and decides. Pure data: the caller loads invoices and payments from wherever it keeps
 * them and applies the decision (storage, deal fields, triggers) itself.
 */

/** 'paid'/'cancelled' invoices may be passed too: a payment naming one goes to the manual queue, never pays it twice. */
export type InvoiceStatus = 'open' | 'partially_paid' | 'paid' | 'overpaid' | 'cancelled';

export interface OpenInvoice {
  id: string | number;
  number: string;
  /** ISO `YYYY-MM-DD`; «oldest first» is by this date. */
  date: string;
  buyerInn: string;
  totalKopecks: number;
  /** Already paid by earlier payments. */
  paidKopecks: number;
  status: InvoiceStatus;
  dealId: string | number | null;
}

export interface IncomingPayment {
  /** Bank-side identity (paymentIdentity): the same payment from two statements has the same id. */
  id: string;
  /** ISO date of the payment order. */
  date: string;
  number: string;
  amountKopecks: number;
  payerInn: string;
  payerName: string;
  purpose: string;
}

export type MatchResult = 'paid' | 'partially_paid' | 'overpaid' | 'manual' | 'duplicate' | 'skipped';

/** Which rule decided, for code that must branch on it (the Russian `reason` is for people). */
export type MatchRule =
  | 'number' // invoice number(s) from the purpose, payer INN = buyer INN
  | 'amount' // no number; the one open invoice of the payer's INN with exactly this amount
  | 'manual_choice' // a person chose the invoice(s) (Matcher.settle)
  | 'third_party' // the named invoice belongs to another INN
  | 'unknown_number' // the purpose names a number no open invoice has
  | 'ambiguous_number' // the named number fits several invoices of the payer
  | 'already_paid' // every named invoice is paid already (a repeated payment?)
  | 'cancelled' // the named invoice is cancelled
  | 'amount_ambiguous' // no number; several open invoices of the payer have this amount
  | 'no_amount_match' // no number; no open invoice of the payer has this amount
  | 'no_invoices' // no number; the payer has no open invoices
  | 'duplicate' // this payment was seen already
  | 'not_incoming'; // not a payment to the landlord (see the statement classifier)

export interface Allocation {
  invoiceId: string | number;
  invoiceNumber: string;
  dealId: string | number | null;
  amountKopecks: number;
  /** Paid on the invoice after this allocation (earlier payments included). */
  paidKopecks: number;
  totalKopecks: number;
  fullyPaid: boolean;
}

export interface Candidate {
  invoiceId: string | number;
  invoiceNumber: string;
  invoiceDate: string;
  buyerInn: string;
  dealId: string | number | null;
  totalKopecks: number;
  remainingKopecks: number;
}

export interface MatchDecision {
  result: MatchResult;
  rule: MatchRule;
  allocations: Allocation[];
  /** Paid beyond the invoices' totals (overpaid), to be recorded as the tenant's credit. */
  excessKopecks: number;
  /** Russian, for the accountant: which rule decided and with what. */
  reason: string;
  /** Invoices a person may pick from when the result is manual (best first). */
  candidates: Candidate[];
}
