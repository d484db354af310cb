/**
 * The bank-side identity of a payment: the same payment order seen in two overlapping statements (or pushed
 * once and then imported) gets the same key, whatever file it came from. `Номер` alone repeats across payers
 * and years, so the key is (document date, number, amount, payer account); a payer without an account in the
 * file is told apart by INN instead.
 */
export interface PaymentIdentityInput {
  /** ISO date of the payment order (`Дата`). */
  date: string;
  number: string;
  amountKopecks: number;
  payerAccount: string;
  payerInn: string;
}

/** «000588» and «588» are the same order number; letters are compared case- and Ё-insensitively. */
export function normalizeDocumentNumber(number: string): string {
  const n = number.replace(/\s/g, '').toUpperCase().replace(/Ё/g, 'Е');
  return /^\d+$/.test(n) ? n.replace(/^0+(?=\d)/, '') : n;
}

/** e.g. `2026-12-02|588|2500000|40702810900000000001`. */
export function paymentIdentity(p: PaymentIdentityInput): string {
  const payer = p.payerAccount.replace(/\s/g, '') || `inn:${p.payerInn.replace(/\s/g, '')}`;
  return `${p.date}|${normalizeDocumentNumber(p.number)}|${p.amountKopecks}|${payer}`;
}
