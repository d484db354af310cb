/**
 * Rules for the settings that live outside the portal's settings JSON (time zone, numbering, API key labels), in
 * one pure place: the `qrbill` CLI and the app's settings page both check input here, so a value one accepts the
 * other accepts too. Each issue names the field as the CLI names it (`next=`, `tz=`), which the page uses as the
 * input's name; `message` is Russian (the page), `messageEn` English (the CLI).
 */
import type { ValidationIssue } from '../errors.js';
import { isValidInn, isValidKpp } from '../requisites/checks.js';

const issue = (path: string, message: string, messageEn: string): ValidationIssue => ({ path, message, messageEn });

/** An IANA zone the runtime knows (Europe/Moscow, Asia/Yekaterinburg…): dates are read in it. */
export function isTimeZone(value: string): boolean {
  if (!value || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('ru-RU', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function timeZoneIssues(value: string, path = 'tz'): ValidationIssue[] {
  return isTimeZone(value)
    ? []
    : [issue(path, `«${value}» — не часовой пояс; укажите пояс вроде Europe/Moscow`, `"${value}" is not an IANA time zone such as Europe/Moscow`)];
}

export const MAX_API_KEY_LABEL = 100;

export function apiKeyLabelIssues(label: string, path = 'label'): ValidationIssue[] {
  return label.length > MAX_API_KEY_LABEL
    ? [issue(path, `Название длиннее ${MAX_API_KEY_LABEL} символов`, `The label is longer than ${MAX_API_KEY_LABEL} characters.`)]
    : [];
}

export type NumberedKind = 'invoice' | 'act';

/** A request to make `next` the next number of a seller's invoices or acts in a year (continuing 1C's numbers). */
export interface NumberingChange {
  inn: string;
  /** Undefined: not given (looked up from the sequences already there); '' for an entrepreneur. */
  kpp: string | undefined;
  kind: NumberedKind;
  year: number;
  next: number;
}

/** The CLI's `seller_inn= seller_kpp= kind= year= next=` (or the page's form fields of the same names), checked. */
export function parseNumberingChange(args: Record<string, string | undefined>): { change: NumberingChange } | { issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const inn = (args.seller_inn ?? '').trim();
  if (!isValidInn(inn)) {
    issues.push(issue('seller_inn', `«${inn}» — неверный ИНН (10 или 12 цифр с верным контрольным числом)`, `"${inn}" is not a valid INN (10 or 12 digits with a correct checksum)`));
  }
  const kind = args.kind;
  if (kind !== 'invoice' && kind !== 'act') issues.push(issue('kind', 'выберите счета или акты', `expected invoice or act, got "${kind ?? ''}"`));
  const yearText = (args.year ?? '').trim();
  const year = Number(yearText);
  if (!/^\d{4}$/.test(yearText) || year < 2000 || year > 2100) {
    issues.push(issue('year', `укажите год, например 2026, а не «${yearText}»`, `expected a year such as 2026, got "${yearText}"`));
  }
  const nextText = (args.next ?? '').trim();
  const next = Number(nextText);
  if (!/^\d{1,9}$/.test(nextText) || next < 1) {
    issues.push(issue('next', `укажите целое число от 1, а не «${nextText}»`, `expected a whole number from 1, got "${nextText}"`));
  }
  const kpp = args.seller_kpp?.trim();
  if (kpp !== undefined && kpp !== '' && !isValidKpp(kpp)) {
    issues.push(issue('seller_kpp', `«${kpp}» — не КПП (9 символов)`, `"${kpp}" is not a KPP (9 characters)`));
  }
  if (issues.length) return { issues };
  return { change: { inn, kpp, kind: kind as NumberedKind, year, next } };
}

/** The refusal when `next` would repeat an issued number: numbering only ever moves forward. */
export function numberingRefusedIssue(lastSeq: number): ValidationIssue {
  return issue(
    'next',
    `номер ${lastSeq} уже выдан; следующий должен быть больше (${lastSeq + 1} или больше), чтобы номера не повторялись`,
    `number ${lastSeq} is already issued; the next number must be above it (${lastSeq + 1} or more), so numbers never repeat`,
  );
}
