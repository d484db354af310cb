/**
 * Amounts of a period, in integer kopecks, on BigInt so a float never decides a kopeck.
 *
 * Rounding rule (one for the whole lease cycle): half-up on kopecks (half away from zero, as
 * `roundDiv` in documents/vat.ts), applied per row — each row of a period is pro-rated and rounded on its
 * own, and the period total is the sum of the rounded rows, so the deal, the invoice and the act add up.
 * Indexation is rounded the same way after every yearly step, as a landlord announces «new rent from
 * 1 March: 26 250,00» and the next year's increase applies to that announced figure.
 */
import { AppError } from '../errors.js';
import { roundDiv } from '../documents/vat.js';
import { daysInRange, type BillingPeriod } from './periods.js';
import type { LeaseTerms } from './terms.js';

function kopecks(n: bigint, what: string): number {
  const v = Number(n);
  if (!Number.isSafeInteger(v)) {
    throw new AppError('AMOUNT_TOO_LARGE', `Сумма слишком велика: ${what}`, { details: { what } });
  }
  return v;
}

function checkKopecks(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new AppError('INVALID_AMOUNT', `Сумма в копейках должна быть целым неотрицательным числом: ${what} = ${amount}`, {
      details: { what, amount },
    });
  }
}

/**
 * The share of a full-period amount that a (partial) period owes: amount × days / days of the full period
 * it belongs to (so 10 days of a 28-day February owe 10/28, 10 days of a 31-day March owe 10/31).
 * A whole period owes the whole amount; with `prorate` off a partial period also owes the whole amount.
 */
export function proratedAmount(amountKopecks: number, period: BillingPeriod, prorate = true): number {
  checkKopecks(amountKopecks, 'amount');
  if (!period.partial || !prorate) return amountKopecks;
  const days = BigInt(daysInRange(period));
  const fullDays = BigInt(daysInRange(period.full));
  return kopecks(roundDiv(BigInt(amountKopecks) * days, fullDays), 'amount');
}

/**
 * How many yearly indexations a period's price carries. The price rises on the 1st of `indexation.month`
 * once the lease has run a full year (that 1st is at least 12 months after the lease start's month), and
 * again every year after; a period takes the price in force on its first day.
 */
export function indexationSteps(terms: Pick<LeaseTerms, 'start' | 'indexation'>, periodFrom: string): number {
  const ix = terms.indexation;
  if (!ix) return 0;
  const [sy, sm] = terms.start.split('-').map(Number) as [number, number];
  const startMonth = sy * 12 + (sm - 1);
  // The first 1st of the indexation month at least 12 months after the start's month.
  let first = sy * 12 + (ix.month - 1);
  while (first - startMonth < 12) first += 12;
  const [py, pm] = periodFrom.split('-').map(Number) as [number, number];
  const periodMonth = py * 12 + (pm - 1);
  // A period starting on any day of month M is on or after the 1st of M.
  if (periodMonth < first) return 0;
  return Math.floor((periodMonth - first) / 12) + 1;
}

/** price × (1 + p/100)^n, rounded half-up to the kopeck after every step. */
export function indexedPrice(priceKopecks: number, terms: Pick<LeaseTerms, 'indexation'>, steps: number): number {
  checkKopecks(priceKopecks, 'price');
  const ix = terms.indexation;
  if (!ix || steps <= 0) return priceKopecks;
  const scale = 10n ** BigInt(ix.percent.scale);
  const num = 100n * scale + ix.percent.units;
  const den = 100n * scale;
  let price = BigInt(priceKopecks);
  for (let i = 0; i < steps; i += 1) price = roundDiv(price * num, den);
  return kopecks(price, 'indexed price');
}

export interface RowInput {
  name: string;
  /** The row's amount for one whole period at the contract price, kopecks. */
  amountKopecks: number;
}

export interface PeriodRowAmount {
  name: string;
  /** The whole-period amount after indexation. */
  fullKopecks: number;
  /** What this period owes for the row: indexed, then pro-rated. */
  amountKopecks: number;
}

/** Each row's amount for a period: indexation first (the price in force), then pro-rata, rounded per row. */
export function periodRowAmounts(terms: LeaseTerms, period: BillingPeriod, rows: readonly RowInput[]): PeriodRowAmount[] {
  const steps = indexationSteps(terms, period.from);
  return rows.map((r) => {
    const fullKopecks = indexedPrice(r.amountKopecks, terms, steps);
    return { name: r.name, fullKopecks, amountKopecks: proratedAmount(fullKopecks, period, terms.prorate) };
  });
}
