/**
 * Penalty (пени) for late payment: a rate per day of delay on the unpaid remainder, capped at a share of
 * the invoice amount (ГК РФ ст. 330; 0.1 % a day and a 10 % cap are the usual contract terms).
 *
 * Days of delay run from the day after the due date to the given day inclusive (the due day itself is
 * not overdue). A payment counts from the day after it arrived: the day of payment is a day of delay, as
 * courts count it, so a debt paid on the 10th owes the 10th. Payments on or before the due date simply
 * lower the remainder from the start.
 *
 * Rounding: the penalty is summed exactly (BigInt, the rate as a decimal) over all days and rounded once,
 * half-up to the kopeck; the cap is rounded the same way. Per-day rounding would drift by up to half a
 * kopeck a day on a long delay.
 */
import { z } from 'zod';
import { AppError, ValidationError } from '../errors.js';
import { roundDiv } from '../documents/vat.js';
import { parseDecimal, type Decimal } from '../invoicing/decimal.js';
import { addDays, todayIn } from '../invoicing/period.js';
import { isIsoDate } from '../documents/dates.js';

export interface PenaltySettings {
  /** Percent of the unpaid remainder per day of delay, exact (0.1 % is `{units: 1n, scale: 1}`). */
  ratePerDay: Decimal;
  /** Percent of the invoice amount the penalty may not exceed; null: no cap. */
  cap: Decimal | null;
}

const percentValue = (what: string, max: number) =>
  z.union([z.number(), z.string()], { error: `${what} — ожидается число процентов` }).transform((v, ctx) => {
    const d = parseDecimal(v);
    const limit = BigInt(max);
    if (!d || d.units <= 0n || d.scale > 6 || d.units > limit * 10n ** BigInt(d.scale)) {
      ctx.addIssue({ code: 'custom', message: `${what} — ожидается число больше 0 и не больше ${max}, а не «${String(v)}»` });
      return z.NEVER;
    }
    return d;
  });

/**
 * The portal setting `penalty` when on: `{"ratePerDayPercent": 0.1, "capPercent": 10}`. A cap is optional;
 * the rate is at most 5 % a day, a guard against a percent typed where a fraction was meant.
 */
export const penaltySettingSchema = z
  .strictObject(
    {
      ratePerDayPercent: percentValue('ratePerDayPercent', 5),
      capPercent: percentValue('capPercent', 100).optional(),
    },
    { error: 'ожидается {"ratePerDayPercent": 0.1, "capPercent": 10} или "off"' },
  )
  .transform((s): PenaltySettings => ({ ratePerDay: s.ratePerDayPercent, cap: s.capPercent ?? null }));

const OFF = new Set<unknown>([undefined, null, false, '', 'off']);

/** Reads the setting from JSON text or a parsed value; `"off"`, null, false or nothing (the default) → null. */
export function parsePenaltySetting(input: unknown): PenaltySettings | null {
  let value = typeof input === 'string' ? input.trim() : input;
  if (typeof value === 'string' && !OFF.has(value)) {
    try {
      value = JSON.parse(value);
    } catch {
      // Left as text: the schema says what was expected.
    }
  }
  if (OFF.has(value)) return null;
  const parsed = penaltySettingSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: ['penalty', ...i.path.map(String)].join('.'),
    message: `penalty: ${i.code === 'unrecognized_keys' ? `лишние поля ${i.keys.join(', ')}; ожидаются ratePerDayPercent и capPercent` : i.message}`,
  }));
  throw new ValidationError(issues, issues.map((i) => i.message).join('; '));
}

export interface DatedPayment {
  /** YYYY-MM-DD, the day the money arrived (ДатаПоступило). */
  date: string;
  amountKopecks: number;
}

export interface PenaltyInput {
  totalKopecks: number;
  /** YYYY-MM-DD */
  dueDate: string;
  payments: readonly DatedPayment[];
}

export interface PenaltySegment {
  /** YYYY-MM-DD, first day of delay at this remainder. */
  from: string;
  /** YYYY-MM-DD, last day, inclusive. */
  to: string;
  days: number;
  remainderKopecks: number;
}

export interface Penalty {
  kopecks: number;
  /** Before the cap. */
  uncappedKopecks: number;
  capped: boolean;
  /** Days of delay with a debt (0 when paid on time). */
  daysOverdue: number;
  /** The remainder still unpaid at the end of `asOf`. */
  remainderKopecks: number;
  /** Stretches of constant remainder, for «за период с … по …» in the reminder. */
  segments: PenaltySegment[];
}

function dayNo(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

function checkInput(input: PenaltyInput, asOf: string): void {
  const bad = (message: string, details: Record<string, unknown>) => new AppError('INVALID_PENALTY_INPUT', message, { details });
  if (!isIsoDate(input.dueDate)) throw bad(`Срок оплаты «${input.dueDate}» — не дата ГГГГ-ММ-ДД`, { dueDate: input.dueDate });
  if (!isIsoDate(asOf)) throw bad(`Дата расчёта пени «${asOf}» — не дата ГГГГ-ММ-ДД`, { asOf });
  if (!Number.isSafeInteger(input.totalKopecks) || input.totalKopecks < 0) {
    throw bad(`Сумма счёта в копейках должна быть целым неотрицательным числом: ${input.totalKopecks}`, { total: input.totalKopecks });
  }
  for (const p of input.payments) {
    if (!isIsoDate(p.date) || !Number.isSafeInteger(p.amountKopecks) || p.amountKopecks < 0) {
      throw bad(`Платёж ${p.date} на ${p.amountKopecks} коп. записан неверно`, { payment: p });
    }
  }
}

/** The penalty owed through `asOf` (inclusive), a calendar day of the portal. Null settings: no penalty. */
export function penaltyOn(input: PenaltyInput, settings: PenaltySettings | null, asOf: string): Penalty {
  checkInput(input, asOf);
  const payments = [...input.payments].sort((a, b) => a.date.localeCompare(b.date));
  const paidThrough = (day: string) => payments.filter((p) => p.date <= day).reduce((s, p) => s + p.amountKopecks, 0);

  const segments: PenaltySegment[] = [];
  const firstDay = addDays(input.dueDate, 1);
  if (asOf >= firstDay) {
    // The remainder owed on day D is the total less payments that arrived before D.
    const changes = [...new Set(payments.map((p) => addDays(p.date, 1)).filter((d) => d > firstDay && d <= asOf))];
    const starts = [firstDay, ...changes];
    starts.forEach((from, i) => {
      const next = starts[i + 1];
      const to = next === undefined ? asOf : addDays(next, -1);
      const remainderKopecks = Math.max(0, input.totalKopecks - paidThrough(addDays(from, -1)));
      if (remainderKopecks > 0) segments.push({ from, to, days: dayNo(to) - dayNo(from) + 1, remainderKopecks });
    });
  }
  const remainderKopecks = Math.max(0, input.totalKopecks - paidThrough(asOf));
  const daysOverdue = segments.reduce((s, g) => s + g.days, 0);
  if (!settings) return { kopecks: 0, uncappedKopecks: 0, capped: false, daysOverdue, remainderKopecks, segments };

  // Σ remainder × days × rate / 100, exact: rate = units / 10^scale percent.
  const rateDen = 100n * 10n ** BigInt(settings.ratePerDay.scale);
  const exact = segments.reduce((s, g) => s + BigInt(g.remainderKopecks) * BigInt(g.days) * settings.ratePerDay.units, 0n);
  const uncapped = roundDiv(exact, rateDen);
  let kopecks = uncapped;
  if (settings.cap) {
    const cap = roundDiv(BigInt(input.totalKopecks) * settings.cap.units, 100n * 10n ** BigInt(settings.cap.scale));
    if (kopecks > cap) kopecks = cap;
  }
  return {
    kopecks: Number(kopecks),
    uncappedKopecks: Number(uncapped),
    capped: kopecks < uncapped,
    daysOverdue,
    remainderKopecks,
    segments,
  };
}

/** The penalty through today in the portal's time zone. */
export function penaltyAt(input: PenaltyInput, settings: PenaltySettings | null, now: Date, timeZone: string): Penalty {
  return penaltyOn(input, settings, todayIn(timeZone, now));
}
