/**
 * Rules a document must meet to be issued, beyond its structure: they are about what the document says,
 * so the schema (CLI, robots) and the renderer (anything that draws) both apply them.
 * - an invoice asks for money: a total of 0,00 is a mistake in the deal, not a document to send;
 * - an act confirms services rendered for a period, so it is dated no earlier than the period's last day
 *   unless issued early on purpose (`allowEarly`);
 * - every character must be printable by the document font: otherwise the PDF shows «?» where the QR
 *   payload carries the real character, and the two disagree.
 */
import type { ValidationIssue } from '../errors.js';
import { formatDateShort, isIsoDate } from './dates.js';
import type { DocumentModel } from './model.js';
import { formatMoney } from './money.js';
import { unprintableChars } from './pdf/fonts.js';
import type { Totals } from './vat.js';

const PAYABLE: ReadonlySet<DocumentModel['kind']> = new Set(['invoice', 'qr_invoice']);

/** An act may be dated on the last day of its period or later; before that only with `allowEarly`. */
export function isEarlyAct(model: Pick<DocumentModel, 'kind' | 'date' | 'period' | 'allowEarly'>): boolean {
  return (
    model.kind === 'act' &&
    model.period !== undefined &&
    isIsoDate(model.date) &&
    isIsoDate(model.period.to) &&
    model.date < model.period.to &&
    model.allowEarly !== true
  );
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Every string of the model with its path; images are base64 and never printed as text. */
function texts(value: unknown, path: string, out: [string, string][]): void {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => texts(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (path === '' && key === 'images') continue;
      texts(v, path === '' ? key : `${path}.${key}`, out);
    }
  }
}

export function unprintableIssues(model: DocumentModel): ValidationIssue[] {
  const found: [string, string][] = [];
  texts(model, '', found);
  const issues: ValidationIssue[] = [];
  for (const [path, text] of found) {
    const bad = unprintableChars(text);
    if (bad.length === 0) continue;
    const list = bad.map((ch) => (/\p{Cc}/u.test(ch) ? codePoint(ch) : `«${ch}» (${codePoint(ch)})`)).join(', ');
    issues.push({
      path,
      message: `Символы ${list} не печатаются шрифтом документа (эмодзи, иероглифы и т. п.) — уберите их`,
      messageEn: `Characters ${bad.map(codePoint).join(', ')} cannot be printed by the document font`,
    });
  }
  return issues;
}

export function payableIssues(model: DocumentModel, totals: Totals): ValidationIssue[] {
  if (!PAYABLE.has(model.kind) || totals.total > 0) return [];
  return [
    {
      path: 'lines',
      message: `Сумма к оплате ${formatMoney(totals.total)} руб.: счет на нулевую сумму не выставляется — проверьте цены и количество`,
      messageEn: 'The amount due is 0.00: an invoice for nothing is not issued',
    },
  ];
}

export function earlyActIssues(model: DocumentModel): ValidationIssue[] {
  if (!isEarlyAct(model) || !model.period) return [];
  const end = formatDateShort(model.period.to);
  return [
    {
      path: 'date',
      message:
        `Акт от ${formatDateShort(model.date)} датирован раньше окончания периода (${end}): акт за период ` +
        `выставляется не раньше ${end}; чтобы выставить его досрочно, укажите "allowEarly": true`,
      messageEn: `The act is dated before its period ends (${model.period.to}); set allowEarly to issue it early`,
    },
  ];
}

/** All rule issues of a document whose totals are known. */
export function documentRuleIssues(model: DocumentModel, totals: Totals): ValidationIssue[] {
  return [...unprintableIssues(model), ...payableIssues(model, totals), ...earlyActIssues(model)];
}
