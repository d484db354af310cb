/**
 * The lease contract as the `start_lease_billing` robot receives it: every property is a string (or absent)
 * as Bitrix24 sends robot properties, turned here into terms the period math can trust. Dates become
 * calendar days (`YYYY-MM-DD`) in the portal's time zone, because Bitrix24 renders date fields as zoned
 * instants (`2027-01-31T00:00:00+03:00`) that mean a day, not a moment.
 */
import { z } from 'zod';
import { AppError, ValidationError, type ValidationIssue } from '../errors.js';
import { parseBitrixDate } from '../invoicing/period.js';
import { parseDecimal, type Decimal } from '../invoicing/decimal.js';

/** How long one period is: whole months (month, quarter, half-year, year) or a fixed number of days (week, N days). */
export type PeriodKind = 'month' | 'quarter' | 'half_year' | 'year' | 'week' | 'days';

export type PeriodLength = { unit: 'months'; count: 1 | 3 | 6 | 12 } | { unit: 'days'; count: number };

export interface LeasePeriodSpec {
  kind: PeriodKind;
  length: PeriodLength;
}

export interface Indexation {
  /** Yearly increase in percent, exact (4.5 % is `{units: 45n, scale: 1}`). */
  percent: Decimal;
  /** 1..12: the month whose 1st day raises the price, from the second year of the lease on. */
  month: number;
}

export interface LeaseTerms {
  /** YYYY-MM-DD, the first day billed. */
  start: string;
  /** YYYY-MM-DD, the last day billed (inclusive); null for an open-ended lease. */
  end: string | null;
  period: LeasePeriodSpec;
  /** 1..31: the day of the month periods start (clamped to shorter months); used by month-based periods only. */
  anchorDay: number;
  /** Control date = period start minus this many days. */
  billDaysBefore: number;
  /** A partial first or last period is billed by its days (true) or as a whole period (false). */
  prorate: boolean;
  indexation: Indexation | null;
  contractNumber: string | null;
  /** YYYY-MM-DD */
  contractDate: string | null;
}

/** Robot property codes as they arrive; everything is a string, '' means "not set". */
export const LEASE_PROPERTY_LABELS = {
  lease_start: 'Начало аренды',
  lease_end: 'Окончание аренды',
  period: 'Период',
  anchor_day: 'День начала периода',
  bill_days_before: 'За сколько дней выставлять',
  prorate: 'Неполный период по дням',
  indexation_percent: 'Индексация, %',
  indexation_month: 'Месяц индексации',
  contract_number: 'Номер договора',
  contract_date: 'Дата договора',
} as const;

export type LeaseProperty = keyof typeof LEASE_PROPERTY_LABELS;

const PERIOD_KINDS: Record<Exclude<PeriodKind, 'days'>, PeriodLength> = {
  month: { unit: 'months', count: 1 },
  quarter: { unit: 'months', count: 3 },
  half_year: { unit: 'months', count: 6 },
  year: { unit: 'months', count: 12 },
  week: { unit: 'days', count: 7 },
};

export const MAX_PERIOD_DAYS = 366;
export const MAX_BILL_DAYS_BEFORE = 60;
export const DEFAULT_BILL_DAYS_BEFORE = 5;

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/** A property reader's answer: the value, or a Russian message for the manager. */
export type Read<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (message: string): Read<never> => ({ ok: false, message });

/** One robot property: blank or a string (Bitrix24 sends numbers as strings, a JSON caller may not). */
function property<T>(read: (v: unknown) => Read<T>) {
  return z.unknown().transform((v, ctx): T => {
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') {
      ctx.addIssue({ code: 'custom', message: 'ожидается строка' });
      return z.NEVER;
    }
    const r = read(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  });
}

/** `month` (default), `quarter`, `half_year`, `year`, `week`, `days:N`; also `days: 10`, `DAYS:10`. */
export function readPeriodSpec(value: unknown): Read<LeasePeriodSpec> {
  if (blank(value)) return ok({ kind: 'month', length: PERIOD_KINDS.month });
  const s = text(value).toLowerCase();
  if (Object.hasOwn(PERIOD_KINDS, s)) {
    const kind = s as Exclude<PeriodKind, 'days'>;
    return ok({ kind, length: PERIOD_KINDS[kind] });
  }
  const m = /^days\s*:\s*(\d{1,4})$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    if (n >= 1 && n <= MAX_PERIOD_DAYS) return ok({ kind: 'days', length: { unit: 'days', count: n } });
    return bad(`число дней в периоде должно быть от 1 до ${MAX_PERIOD_DAYS}, а не ${n}`);
  }
  return bad(`«${text(value)}» — неизвестный период; допустимо: month, quarter, half_year, year, week или days:N (например days:10)`);
}

function intIn(min: number, max: number) {
  return (value: unknown): Read<number | null> => {
    if (blank(value)) return ok(null);
    const s = text(value);
    if (!/^[-+]?\d+$/.test(s)) return bad(`«${s}» — не целое число (ожидается от ${min} до ${max})`);
    const n = Number(s);
    if (n < min || n > max) return bad(`должно быть от ${min} до ${max}, а не ${n}`);
    return ok(n);
  };
}

function yesNo(def: boolean) {
  return (value: unknown): Read<boolean> => {
    if (blank(value)) return ok(def);
    const s = text(value).toLowerCase();
    if (['y', '1', 'true', 'yes', 'да'].includes(s)) return ok(true);
    if (['n', '0', 'false', 'no', 'нет'].includes(s)) return ok(false);
    return bad(`«${text(value)}» — ожидается Y (да) или N (нет)`);
  };
}

function dateIn(timeZone: string, required: boolean) {
  return (value: unknown): Read<string | null> => {
    if (blank(value)) return required ? bad('не заполнено') : ok(null);
    try {
      return ok(parseBitrixDate(text(value), timeZone));
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_DATE') {
        return bad(`«${text(value)}» — не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)`);
      }
      throw err;
    }
  };
}

function percent(value: unknown): Read<Decimal | null> {
  if (blank(value)) return ok(null);
  const d = parseDecimal(text(value));
  // Four decimals are plenty for a yearly percentage and keep the compounding integers small.
  if (!d || d.units < 0n || d.scale > 4 || d.units > 100n * 10n ** BigInt(d.scale)) {
    return bad(`«${text(value)}» — ожидается число процентов от 0 до 100, например 5 или 4,5`);
  }
  return ok(d.units === 0n ? null : d);
}

/**
 * The lease terms schema for a portal's time zone (zoned datetimes are read as that zone's calendar day).
 * Unknown properties pass untouched, so a robot can extend this object with its own. Messages name no
 * property: the robot framework prefixes the property's label, `parseLeaseTerms` does the same.
 */
export function leaseTermsSchema(timeZone: string) {
  // An absent property is the same as an empty one (zod 4 would call a missing transformed key an error).
  const fillAbsent = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const key of Object.keys(LEASE_PROPERTY_LABELS)) if (out[key] === undefined) out[key] = '';
    return out;
  };
  return z.preprocess(fillAbsent, leaseObject(timeZone));
}

function leaseObject(timeZone: string) {
  return z
    .looseObject({
      lease_start: property(dateIn(timeZone, true)),
      lease_end: property(dateIn(timeZone, false)),
      period: property(readPeriodSpec),
      anchor_day: property(intIn(1, 31)),
      bill_days_before: property(intIn(0, MAX_BILL_DAYS_BEFORE)),
      prorate: property(yesNo(true)),
      indexation_percent: property(percent),
      indexation_month: property(intIn(1, 12)),
      contract_number: property((v) => ok(blank(v) ? null : text(v))),
      contract_date: property(dateIn(timeZone, false)),
    })
    .transform((p, ctx): LeaseTerms => {
      const start = p.lease_start as string;
      if (p.lease_end !== null && p.lease_end < start) {
        ctx.addIssue({ code: 'custom', path: ['lease_end'], message: 'окончание аренды раньше её начала' });
        return z.NEVER;
      }
      return {
        start,
        end: p.lease_end,
        period: p.period,
        anchorDay: p.anchor_day ?? Number(start.slice(8, 10)),
        billDaysBefore: p.bill_days_before ?? DEFAULT_BILL_DAYS_BEFORE,
        prorate: p.prorate,
        indexation: p.indexation_percent
          ? { percent: p.indexation_percent, month: p.indexation_month ?? Number(start.slice(5, 7)) }
          : null,
        contractNumber: p.contract_number,
        contractDate: p.contract_date,
      };
    });
}

/** Building a zod schema costs more than using it: one per time zone, built on first use. */
const schemas = new Map<string, ReturnType<typeof leaseTermsSchema>>();
function schemaFor(timeZone: string): ReturnType<typeof leaseTermsSchema> {
  let schema = schemas.get(timeZone);
  if (!schema) {
    schema = leaseTermsSchema(timeZone);
    if (schemas.size > 1000) schemas.clear();
    schemas.set(timeZone, schema);
  }
  return schema;
}

/**
 * Reads lease terms from robot properties. Every problem is reported at once (a manager fixes them all in
 * one go) as a ValidationError whose message names each property by its Russian label and code.
 */
export function parseLeaseTerms(properties: Record<string, unknown>, timeZone: string): LeaseTerms {
  const parsed = schemaFor(timeZone).safeParse(properties);
  if (parsed.success) return parsed.data;
  const issues: ValidationIssue[] = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    const label = (LEASE_PROPERTY_LABELS as Record<string, string>)[key];
    return { path: key, message: label ? `«${label}» (${key}): ${i.message}` : i.message };
  });
  throw new ValidationError(issues, issues.map((i) => i.message).join('; '));
}
