/**
 * Payment purpose («назначение платежа») and the GOST R 56042 field set of an invoice.
 * The purpose is what the landlord's accountant later sees in the bank statement, so the invoice
 * number, its date and the VAT clause must survive any shortening; only the item names are cut.
 */
import type { GostFields } from '../qr/payload.js';
import { isValidInn } from '../requisites/checks.js';
import { formatDateShort } from './dates.js';
import type { DocumentModel } from './model.js';
import { parseMoney } from './money.js';
import { computeTotals, vatPurposeText, type Totals } from './vat.js';

/** Limit of the `Purpose` field (УФЭБС payment-order album, reference §1.5). */
export const PURPOSE_MAX = 210;
/** Limit of the `BankName` field. */
export const BANK_NAME_MAX = 45;
const ELLIPSIS = '…';

/** Bank systems choke on no-break spaces and line breaks in the purpose; keep it plain one-line text. */
function plain(s: string): string {
  return s.replace(/[\u00A0\u202F\u2009]/g, ' ').replace(/\s+/g, ' ').trim();
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function endSentence(s: string): string {
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}

/** Totals of a document: line prices parsed from their decimal strings, VAT by the one rounding rule of vat.ts. */
export function documentTotals(model: DocumentModel): Totals {
  return computeTotals(
    model.lines.map((l, i) => ({ quantity: l.quantity, priceKopecks: parseMoney(l.price, `lines[${i}].price`) })),
    model.vat,
  );
}

/** Cuts `s` to at most `max` characters at a word boundary, marking the cut with «…». */
function cutWords(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '';
  const room = s.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  const cut = (space > max / 3 ? room.slice(0, space) : room).replace(/[\s,;:(«"-]+$/, '');
  return cut ? `${cut}${ELLIPSIS}` : '';
}

function purposeHead(model: DocumentModel): string {
  const what = model.kind === 'act' ? 'акту' : 'счету';
  return `Оплата по ${what} № ${plain(model.number)} от ${formatDateShort(model.date)}`;
}

/**
 * «Оплата по счету № 15 от 01.12.2026. Арендная плата за декабрь 2026 г. В т.ч. НДС (22%) 4 508,20 руб.»
 * At most 210 characters. The head (number and date) and the VAT clause are always there: they are what
 * the accountant matches the payment by. In between goes the document's own `purpose` when it has one,
 * else the item names; the middle is shortened first, then dropped.
 */
export function paymentPurpose(model: DocumentModel, totals: Totals): string {
  const head = purposeHead(model);
  const tail = capitalize(plain(vatPurposeText(model.vat, totals.vat)));
  const custom = model.purpose !== undefined ? withoutRepeats(plain(model.purpose), [head, tail]) : '';
  const names = custom !== '' ? custom : plain(model.lines.map((l) => plain(l.name)).join('; '));
  const fixed = `${head}. `.length + ` ${tail}`.length;
  const middle = cutWords(names, PURPOSE_MAX - fixed - 1);
  if (middle === '') return `${head}. ${tail}`;
  return `${head}. ${endSentence(middle)} ${tail}`;
}

/** A custom purpose that repeats the head or the VAT clause itself would print them twice. */
function withoutRepeats(text: string, parts: string[]): string {
  let out = text;
  for (const part of parts) {
    const at = out.toLowerCase().indexOf(part.toLowerCase());
    if (at >= 0) out = `${out.slice(0, at)} ${out.slice(at + part.length)}`;
  }
  return out.replace(/^[\s.,;:]+/, '').replace(/\s+/g, ' ').trim();
}

const DANGLING = new Set(['в', 'во', 'на', 'по', 'и', 'с', 'со', 'к', 'у', 'о', 'об', 'при', 'для', 'из', 'от', 'до', 'г.', 'г']);

/** Shortens a bank name to the 45-character `BankName` field at a word boundary, keeping quotes paired. */
export function shortBankName(name: string, max = BANK_NAME_MAX): string {
  const s = plain(name);
  if (s.length <= max) return s;
  const words = s.split(' ');
  for (let n = words.length - 1; n >= 1; n--) {
    // A name must not end on a dangling preposition or «г.»: «… филиал в» reads as a mistake.
    if (n > 1 && DANGLING.has((words[n - 1] ?? '').toLowerCase())) continue;
    const cut = words.slice(0, n).join(' ').replace(/[\s,;:(«"\-–—]+$/, '');
    const candidate = cut + closingFor(cut, s);
    if (cut !== '' && candidate.length <= max) return candidate;
  }
  return s.slice(0, max);
}

/**
 * The quotes and brackets the cut left open, in closing order. Counted against the full name, because
 * names such as «ПАО «БАНК «САНКТ-ПЕТЕРБУРГ» are unbalanced already and must not gain a quote.
 */
function closingFor(cut: string, full: string): string {
  const count = (s: string, c: string) => s.split(c).length - 1;
  const open = (s: string, a: string, b: string) => count(s, a) - count(s, b);
  let out = '';
  if (open(cut, '(', ')') > open(full, '(', ')')) out = `)${out}`;
  if (open(cut, '«', '»') > open(full, '«', '»')) out = `»${out}`;
  if (count(cut, '"') % 2 !== count(full, '"') % 2) out = `"${out}`;
  return out;
}

/**
 * The payer's INN is pre-filled only when its check digits are right: a bank app may refuse a payment order
 * whose PayerINN is not the payer's, and a mistyped one (only a warning on the document) is certainly not.
 */
function looksLikeInn(inn: string | undefined): inn is string {
  return inn !== undefined && isValidInn(inn.trim());
}

/**
 * GOST R 56042 fields of an invoice, in the order they go into the payload: the mandatory block,
 * then `Sum` (integer kopecks), `Purpose`, payee/payer INN and KPP, contract and invoice number/date.
 */
export function gostFieldsFor(model: DocumentModel, totals: Totals): GostFields {
  const { seller, buyer } = model;
  const fields: GostFields = {
    Name: plain(seller.name),
    PersonalAcc: seller.bank.account.trim(),
    BankName: shortBankName(seller.bank.name),
    BIC: seller.bank.bic.trim(),
    CorrespAcc: seller.bank.corrAccount.trim(),
    Sum: totals.total,
    Purpose: paymentPurpose(model, totals),
    PayeeINN: seller.inn.trim(),
  };
  if (seller.kpp !== undefined && seller.kpp.trim() !== '') fields.KPP = seller.kpp.trim();
  if (looksLikeInn(buyer.inn)) fields.PayerINN = buyer.inn.trim();
  if (model.contract !== undefined && model.contract.trim() !== '') fields.Contract = plain(model.contract);
  const number = plain(model.number);
  // DocNo is limited to 15 characters; a longer number is still in the purpose.
  if (number.length <= 15) fields.DocNo = number;
  fields.DocDate = formatDateShort(model.date);
  return fields;
}
