/**
 * The QR block of a QR-invoice (reference §2.9): a GOST R 56042 code labelled as a plain bank transfer —
 * never «СБП»/«УПК», which only a bank can issue — or a bank-issued payment link printed as a QR and as text.
 * The symbol is drawn as vector rectangles, so it stays sharp at any print resolution and costs no image.
 */
import { qrDarkRuns, qrMatrix, QR_QUIET_ZONE } from '../../qr/image.js';
import { buildGostPayload, type QrEncoding, type QrEncodingChoice } from '../../qr/payload.js';
import { formatMoney } from '../money.js';
import type { DocumentModel } from '../model.js';
import { gostFieldsFor, paymentPurpose } from '../purpose.js';
import type { Totals } from '../vat.js';
import { MM } from './canvas.js';
import { S, t } from './blocks.js';
import { lineHeight, wrapText, type Flow } from './layout.js';

export const GOST_QR_CAPTION = 'QR для оплаты по реквизитам (банковский перевод)';
export const LINK_QR_CAPTION = 'Ссылка на оплату от банка';

export interface QrContent {
  mode: 'gost' | 'link';
  /** Bytes encoded in the symbol (GOST payload in its declared charset, or the link in UTF-8). */
  bytes: Uint8Array;
  /** The same as text: the GOST payload or the link. */
  text: string;
  /** Charset of `bytes` (a link is ASCII, reported as UTF-8). */
  encoding: QrEncoding;
}

/** What the QR of a document encodes; null when the document has no QR block. */
export function qrContentFor(model: DocumentModel, totals: Totals, encoding: QrEncodingChoice = 'auto'): QrContent | null {
  if (model.kind !== 'qr_invoice') return null;
  const mode = model.qr?.mode ?? 'gost';
  if (mode === 'none') return null;
  if (mode === 'link') {
    const link = model.qr?.link ?? '';
    return { mode, bytes: new TextEncoder().encode(link), text: link, encoding: 'utf8' };
  }
  const payload = buildGostPayload(gostFieldsFor(model, totals), { encoding });
  return { mode, bytes: payload.bytes, text: payload.text, encoding: payload.encoding };
}

/**
 * The payload keeps plain spaces for the banks; on paper «В т.ч. НДС (22%) 4 508,20» must not break inside
 * an amount or between the rate and its amount, so those spaces become no-break ones for printing.
 */
function unbreakableVat(purpose: string): string {
  return purpose
    .replace(/(\d) (?=\d{3}(?!\d))/g, '$1\u00A0')
    .replace(/(^|\s)([Вв]) (?=т\.ч\.)/g, '$1$2\u00A0')
    .replace(/(т\.ч\.|НДС) (?=НДС|\()/g, '$1\u00A0')
    .replace(/%\) (?=\d)/g, '%)\u00A0');
}

const TEXT = { size: 8 } as const;
const GAP = 5 * MM;

/** Module size: the symbol is 30–40 mm wide, modules no smaller than 0.4 mm unless the payload is huge. */
function moduleSize(size: number): number {
  const symbol = Math.min(40 * MM, Math.max(30 * MM, size * 0.5 * MM));
  return symbol / size;
}

export interface QrBlock {
  height: number;
  draw(flow: Flow): void;
}

export function qrBlock(flow: Flow, model: DocumentModel, totals: Totals, content: QrContent): QrBlock {
  const matrix = qrMatrix(content.bytes);
  const runs = qrDarkRuns(matrix);
  const module = moduleSize(matrix.size);
  const quiet = QR_QUIET_ZONE * module;
  const side = matrix.size * module + 2 * quiet;
  const textX = flow.frame.left + side + GAP;
  const textW = flow.frame.right - textX;

  const lines: { text: string; style: { size: number; font?: 'bold'; gray?: number } }[] = [];
  const add = (text: string, style: { size: number; font?: 'bold'; gray?: number }) => {
    for (const line of wrapText(t(text), style, textW)) lines.push({ text: line, style });
  };
  if (content.mode === 'gost') {
    add(GOST_QR_CAPTION, S.bold);
    add('Отсканируйте код в приложении банка: получатель, сумма и назначение платежа заполнятся сами. ' +
      'Реквизиты для перевода указаны в начале счета.', { ...TEXT, gray: 0.35 });
    add(`Получатель: ${model.seller.name}, ИНН ${model.seller.inn}`, TEXT);
    add(`Сумма: ${formatMoney(totals.total)} руб.`, TEXT);
    add(`Назначение платежа: ${unbreakableVat(paymentPurpose(model, totals))}`, TEXT);
  } else {
    add(LINK_QR_CAPTION, S.bold);
    add('Отсканируйте код или откройте ссылку — платеж проводит банк получателя:', { ...TEXT, gray: 0.35 });
    add(content.text, TEXT);
  }
  const textH = lines.reduce((h, l) => h + lineHeight(l.style.size) + 1, 0);
  const height = Math.max(side, textH + quiet);

  return {
    height,
    draw(f: Flow) {
      f.ensure(height);
      const top = f.y;
      f.canvas.modules(f.frame.left + quiet, top + quiet, module, runs);
      let y = top + quiet;
      for (const line of lines) {
        f.canvas.text(line.text, textX, y + line.style.size * 0.9, line.style);
        y += lineHeight(line.style.size) + 1;
      }
      f.y = top + height + 2;
    },
  };
}
