/**
 * Pieces shared by the invoice and the act: title, parties, items table, totals, amount in words,
 * signatures and page numbers. All text goes through sanitizeText before it reaches the canvas.
 */
import { formatMoney, formatQuantity, parseMoney } from '../money.js';
import type { BuyerParty, DocumentModel, SellerParty } from '../model.js';
import type { Totals } from '../vat.js';
import { amountInWords } from '../words.js';
import { A4, MM, type TextStyle } from './canvas.js';
import { sanitizeText } from './fonts.js';
import { fitImage, type EmbeddedImages } from './images.js';
import { drawTable, lineHeight, textWidth, wrapText, type Column, type Flow, type Frame, type TableStyle } from './layout.js';

/** A4 with a 20 mm binding margin on the left, as Russian business papers are filed. */
export const FRAME: Frame = {
  left: 20 * MM,
  right: A4.width - 10 * MM,
  top: 12 * MM,
  bottom: A4.height - 14 * MM,
};

export const S = {
  body: { size: 9 } satisfies TextStyle,
  bold: { size: 9, font: 'bold' } satisfies TextStyle,
  small: { size: 7.5, gray: 0.35 } satisfies TextStyle,
  title: { size: 14, font: 'bold' } satisfies TextStyle,
};

const TABLE: TableStyle = {
  body: { size: 8.5 },
  header: { size: 8.5, font: 'bold' },
  padX: 3,
  padY: 2.5,
  headerFill: 0.92,
  inner: 0.5,
  outer: 1,
};

export const t = sanitizeText;

/**
 * A seller with a 12-digit INN is an individual entrepreneur: he signs himself, has no accountant line,
 * and nothing else (a missing KPP, a position typed in the CRM) makes an organisation one.
 */
export function isSoleProprietor(seller: SellerParty): boolean {
  return /^\d{12}$/.test(seller.inn.trim());
}

const IP_TITLE = 'Индивидуальный предприниматель';
const IP_TITLE_RE = /^\s*(ИП|индивидуальный\s+предприниматель)\s*$/i;

/**
 * Position by the seller's signature: «Индивидуальный предприниматель» for an ИП whatever the CRM says
 * («Генеральный директор» of an ИП is a typo the tax office would not accept); an organisation's own
 * position or «Руководитель», never the ИП title.
 */
export function sellerSignatoryTitle(seller: SellerParty): string {
  if (isSoleProprietor(seller)) return IP_TITLE;
  const title = seller.directorTitle?.trim();
  return title && !IP_TITLE_RE.test(title) ? title : 'Руководитель';
}

/**
 * A buyer who is a private person: no KPP, no organisation INN, no position and not named as an ИП.
 * He signs for himself, and has no seal.
 */
export function isPrivatePerson(buyer: BuyerParty): boolean {
  const inn = buyer.inn?.trim() ?? '';
  if ((buyer.kpp?.trim() ?? '') !== '' || /^\d{10}$/.test(inn)) return false;
  if ((buyer.directorTitle?.trim() ?? '') !== '') return false;
  return !/^\s*(ИП|индивидуальный\s+предприниматель)\s/i.test(buyer.name);
}

/** «ООО «Арендодатель», ИНН 7701234567, КПП 770101001, 101000, г. Москва, …, тел. …» */
export function partyLine(p: SellerParty | BuyerParty): string {
  const parts = [p.name.trim()];
  if (p.inn) parts.push(`ИНН ${p.inn.trim()}`);
  if (p.kpp) parts.push(`КПП ${p.kpp.trim()}`);
  if (p.address) parts.push(p.address.trim());
  if ('phone' in p && p.phone) parts.push(`тел. ${p.phone.trim()}`);
  return parts.join(', ');
}

/** Logo in the top-left corner of the first page. */
export function drawLogo(flow: Flow, images: EmbeddedImages): void {
  if (!images.logo) return;
  const { width, height } = fitImage(images.logo, 60 * MM, 16 * MM);
  flow.canvas.image(images.logo, flow.frame.left, flow.y, width, height);
  flow.y += height + 3 * MM;
}

/** Bold title with the thick rule under it, as in 1C printing forms. */
export function drawTitle(flow: Flow, title: string): void {
  flow.y += 6;
  flow.paragraph(t(title), flow.frame.left, flow.width, S.title);
  flow.y += 1;
  flow.canvas.line(flow.frame.left, flow.y, flow.frame.right, flow.y, 2);
  flow.y += 8;
}

/** Label / value rows such as «Поставщик (Исполнитель):  ООО …». */
export function drawParties(flow: Flow, rows: { label: string; value: string; bold?: boolean }[]): void {
  const labelW = 82;
  const valueX = flow.frame.left + labelW;
  const valueW = flow.width - labelW;
  for (const row of rows) {
    const valueStyle = row.bold === false ? S.body : S.bold;
    const labelLines = wrapText(t(row.label), S.body, labelW - 6);
    const valueLines = wrapText(t(row.value), valueStyle, valueW);
    const lh = lineHeight(S.body.size);
    const height = Math.max(labelLines.length, valueLines.length) * lh;
    flow.ensure(height);
    labelLines.forEach((line, i) => flow.canvas.text(line, flow.frame.left, flow.y + S.body.size + i * lh, S.body));
    valueLines.forEach((line, i) => flow.canvas.text(line, valueX, flow.y + S.body.size + i * lh, valueStyle));
    flow.y += height + 5;
  }
  flow.y += 3;
}

/** Default widths of the number columns; they grow for amounts that would not fit (billions). */
const QTY_WIDTH = 46;
const PRICE_WIDTH = 70;
/** Right edge of the price column: the totals' labels line up with it. */
export const SUM_COLUMN_WIDTH = 76;

/** Narrowest column that shows every value on one line: an amount split over two lines misreads. */
function fitColumn(values: string[], style: TextStyle, min: number): number {
  let widest = 0;
  for (const v of values) widest = Math.max(widest, textWidth(v, style));
  return Math.max(min, Math.ceil(widest + 2 * TABLE.padX + 2));
}

/** Width of the «Сумма» column: line amounts, and the bold totals printed under it. */
export function sumColumnWidth(totals: Totals): number {
  const lines = fitColumn(totals.lines.map((l) => formatMoney(l.amount)), TABLE.body, SUM_COLUMN_WIDTH);
  return fitColumn([totals.subtotal, totals.vat, totals.total].map(formatMoney), S.bold, lines);
}

/** Column set of the items table; `nameTitle` differs between the invoice and the act. */
function itemColumns(width: number, nameTitle: string, rows: string[][], totals: Totals): Column[] {
  const fixed: Column[] = [
    { title: '№', width: 22, align: 'center' },
    { title: nameTitle, width: 0, align: 'left' },
    { title: 'Кол-во', width: fitColumn(rows.map((r) => r[2] ?? ''), TABLE.body, QTY_WIDTH), align: 'right' },
    { title: 'Ед.', width: 36, align: 'center' },
    { title: 'Цена', width: fitColumn(rows.map((r) => r[4] ?? ''), TABLE.body, PRICE_WIDTH), align: 'right' },
    { title: 'Сумма', width: sumColumnWidth(totals), align: 'right' },
  ];
  const name = fixed[1];
  if (name) name.width = width - fixed.reduce((s, c) => s + c.width, 0);
  return fixed;
}

/** The items table; `keepWithLast` / `keepWithOnly` as in drawTable. */
export function drawItems(
  flow: Flow,
  model: DocumentModel,
  totals: Totals,
  nameTitle: string,
  keepWithLast: number,
  keepWithOnly = keepWithLast,
): void {
  const rows = model.lines.map((line, i) => [
    String(i + 1),
    t(line.name),
    formatQuantity(line.quantity),
    t(line.unit),
    formatMoney(parseMoney(line.price, `lines[${i}].price`)),
    formatMoney(totals.lines[i]?.amount ?? 0),
  ]);
  drawTable(flow, itemColumns(flow.width, nameTitle, rows, totals), rows, TABLE, keepWithLast, keepWithOnly);
  flow.y += 4;
}

const TOTAL_ROW = 12.5;

export function totalsRows(totals: Totals, vatLabel: string, grandLabel: string | undefined): [string, string][] {
  const rows: [string, string][] = [['Итого:', formatMoney(totals.subtotal)]];
  rows.push([vatLabel, totals.vatMode === 'none' ? '-' : formatMoney(totals.vat)]);
  if (grandLabel !== undefined) rows.push([grandLabel, formatMoney(totals.total)]);
  return rows;
}

export function totalsHeight(rows: number): number {
  return rows * TOTAL_ROW + 4;
}

/** «Итого: 25 000,00» lines, labels right-aligned against the «Сумма» column (`sumWidth`, see sumColumnWidth). */
export function drawTotals(flow: Flow, rows: [string, string][], sumWidth: number): void {
  const valueRight = flow.frame.right - TABLE.padX;
  const labelRight = flow.frame.right - sumWidth - 4;
  for (const [label, value] of rows) {
    const baseline = flow.y + S.bold.size;
    flow.canvas.textRight(t(label), labelRight, baseline, S.bold);
    flow.canvas.textRight(t(value), valueRight, baseline, S.bold);
    flow.y += TOTAL_ROW;
  }
  flow.y += 4;
}

export function summaryHeight(flow: Flow, summary: string, kopecks: number): number {
  const lh = lineHeight(S.body.size);
  const words = wrapText(t(amountInWords(kopecks)), S.bold, flow.width).length;
  return (wrapText(t(summary), S.body, flow.width).length + words) * lh + 8;
}

/** «Всего наименований 1, на сумму 25 000,00 руб.» and the amount in words in bold. */
export function drawSummary(flow: Flow, summary: string, kopecks: number): void {
  flow.paragraph(t(summary), flow.frame.left, flow.width, S.body);
  flow.paragraph(t(amountInWords(kopecks)), flow.frame.left, flow.width, S.bold);
  flow.y += 8;
}

export interface SignatureSlot {
  /** Position printed before the line: «Руководитель», «Бухгалтер». */
  caption: string;
  name: string;
  x: number;
  width: number;
}

/** Where the signature line of a slot runs, for placing the stamp and signature images. */
export function signatureLine(slot: SignatureSlot): { start: number; end: number } {
  const capW = textWidth(t(slot.caption), S.bold);
  const nameW = Math.max(textWidth(t(slot.name), S.body), 60);
  const start = slot.x + capW + 6;
  return { start, end: Math.max(start + 50, slot.x + slot.width - nameW - 8) };
}

/** Offset of the signature baseline below the cursor in drawSignatureRow. */
export const SIGNATURE_BASELINE = 22;

/** One row of signature slots «Руководитель ________ Иванов И.И.»; returns the baseline y. */
export function drawSignatureRow(flow: Flow, slots: SignatureSlot[]): number {
  const baseline = flow.y + SIGNATURE_BASELINE;
  for (const slot of slots) {
    const { start, end } = signatureLine(slot);
    flow.canvas.text(t(slot.caption), slot.x, baseline, S.bold);
    flow.canvas.line(start, baseline + 1.5, end, baseline + 1.5, 0.5);
    flow.canvas.text(t(slot.name), end + 5, baseline, S.body);
  }
  flow.y = baseline + 14;
  return baseline;
}

/** Stamp and signature image sizes: a 38 mm stamp (a common diameter) and a signature up to 40 × 14 mm. */
export function signatureImageSizes(images: EmbeddedImages): {
  stamp: { width: number; height: number } | undefined;
  signature: { width: number; height: number } | undefined;
} {
  return {
    stamp: images.stamp ? fitImage(images.stamp, 38 * MM, 38 * MM) : undefined,
    signature: images.signature ? fitImage(images.signature, 40 * MM, 14 * MM) : undefined,
  };
}

/**
 * The stamp centred on (cx, cy). Drawn before the signature texts so that an opaque stamp (a JPEG with
 * a white background) cannot hide the names printed over it.
 */
export function drawStamp(flow: Flow, images: EmbeddedImages, cx: number, cy: number): void {
  const { stamp } = signatureImageSizes(images);
  if (images.stamp && stamp) {
    flow.canvas.image(images.stamp, cx - stamp.width / 2, cy - stamp.height / 2, stamp.width, stamp.height);
  }
}

/** The signature image standing on the signature line, centred on x. */
export function drawSignatureImage(flow: Flow, images: EmbeddedImages, cx: number, lineY: number): void {
  const { signature } = signatureImageSizes(images);
  if (images.signature && signature) {
    const y = lineY - signature.height + 3 * MM;
    flow.canvas.image(images.signature, cx - signature.width / 2, y, signature.width, signature.height);
  }
}

/** Continuation caption at the top of every page after the first. */
export function continuationHeader(title: string): (flow: Flow) => void {
  return (flow) => {
    flow.canvas.text(t(`${title} (продолжение)`), flow.frame.left, flow.y + S.small.size, S.small);
    flow.y += 14;
  };
}

/** «Страница N из M» at the foot of each page of a multi-page document. */
export function drawPageNumbers(flow: Flow): void {
  const total = flow.pages.length;
  if (total < 2) return;
  flow.pages.forEach((page, i) => {
    page.textRight(`Страница ${i + 1} из ${total}`, flow.frame.right, A4.height - 8 * MM, S.small);
  });
}
