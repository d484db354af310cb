/**
 * What a schedule will do next, without doing it: the coming periods with their control dates, texts and
 * amounts (`qrbill leases <member_id> preview <schedule_id>`). The scheduler builds each deal from the same
 * functions, so the preview is what will be billed.
 */
import { controlDate, leasePeriods, type BillingPeriod } from './periods.js';
import { periodRowAmounts, type RowInput } from './proration.js';
import { periodText, renderRowName } from './rowText.js';
import type { LeaseTerms } from './terms.js';

export interface PreviewRow {
  name: string;
  amountKopecks: number;
  fullKopecks: number;
}

export interface PreviewPeriod {
  index: number;
  /** YYYY-MM-DD: the day the period's deal is created. */
  controlDate: string;
  from: string;
  to: string;
  partial: boolean;
  text: string;
  rows: PreviewRow[];
  totalKopecks: number;
}

export interface PreviewOptions {
  /** How many periods (default 12). */
  count?: number;
  /** Only periods not ending before this day (the first period still to bill; see firstPeriodToBill). */
  fromDay?: string;
}

export function billingPreview(terms: LeaseTerms, rows: readonly RowInput[], options: PreviewOptions = {}): PreviewPeriod[] {
  const count = options.count ?? 12;
  const out: PreviewPeriod[] = [];
  if (count <= 0) return out;
  for (const p of leasePeriods(terms)) {
    if (options.fromDay !== undefined && p.to < options.fromDay) continue;
    out.push(previewPeriod(terms, p, rows));
    if (out.length >= count) break;
  }
  return out;
}

export function previewPeriod(terms: LeaseTerms, period: BillingPeriod, rows: readonly RowInput[]): PreviewPeriod {
  const amounts = periodRowAmounts(terms, period, rows).map((r) => ({
    name: renderRowName(r.name, period),
    amountKopecks: r.amountKopecks,
    fullKopecks: r.fullKopecks,
  }));
  return {
    index: period.index,
    controlDate: controlDate(period, terms),
    from: period.from,
    to: period.to,
    partial: period.partial,
    text: periodText(period),
    rows: amounts,
    totalKopecks: amounts.reduce((s, r) => s + r.amountKopecks, 0),
  };
}
