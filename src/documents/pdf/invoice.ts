/**
 * «Счет на оплату» in the 1C layout (reference §5.1); a QR-invoice is the same page with the QR block
 * after the amount in words.
 */
import { formatDateLong, formatDateShort } from '../dates.js';
import { formatMoney } from '../money.js';
import type { DocumentModel } from '../model.js';
import { vatLineLabel, type Totals } from '../vat.js';
import { MM } from './canvas.js';
import { drawBankGrid } from './bankGrid.js';
import {
  continuationHeader,
  drawItems,
  drawLogo,
  drawParties,
  drawSignatureImage,
  drawSignatureRow,
  drawStamp,
  drawSummary,
  drawTitle,
  drawTotals,
  isSoleProprietor,
  partyLine,
  S,
  sellerSignatoryTitle,
  SIGNATURE_BASELINE,
  signatureImageSizes,
  signatureLine,
  summaryHeight,
  sumColumnWidth,
  t,
  totalsHeight,
  totalsRows,
} from './blocks.js';
import type { EmbeddedImages } from './images.js';
import type { Flow } from './layout.js';
import { qrBlock, type QrContent } from './qrBlock.js';

export function invoiceTitle(model: DocumentModel): string {
  return `Счет на оплату № ${model.number.trim()} от ${formatDateLong(model.date, 'date')}`;
}

export function drawInvoice(
  flow: Flow,
  model: DocumentModel,
  totals: Totals,
  images: EmbeddedImages,
  qr: QrContent | null,
): void {
  const title = invoiceTitle(model);
  drawLogo(flow, images);
  drawBankGrid(flow, model.seller);
  drawTitle(flow, title);
  flow.onNewPage = continuationHeader(title);

  const parties = [
    { label: 'Поставщик (Исполнитель):', value: partyLine(model.seller) },
    { label: 'Покупатель (Заказчик):', value: partyLine(model.buyer) },
  ];
  if (model.basis) parties.push({ label: 'Основание:', value: model.basis });
  drawParties(flow, parties);

  const rows = totalsRows(totals, vatLineLabel(model.vat), 'Всего к оплате:');
  const summary = `Всего наименований ${model.lines.length}, на сумму ${formatMoney(totals.total)} руб.`;
  const due = model.dueDate ? `Оплатить не позднее ${formatDateShort(model.dueDate, 'dueDate')}` : undefined;
  const dueH = due ? 16 : 0;
  const block = qr ? qrBlock(flow, model, totals, qr) : undefined;
  const blockH = block ? block.height + 6 : 0;
  const signatures = invoiceSignatures(flow, model, images);
  // Everything under the table travels with its last row, so the signatures never stand alone on a page;
  // a lone row keeps only the totals, or the table would leave the first page with the heading alone.
  const totalsH = totalsHeight(rows.length) + summaryHeight(flow, summary, totals.total) + dueH;
  drawItems(flow, model, totals, 'Товары (работы, услуги)', totalsH + blockH + signatures.height, totalsH);
  drawTotals(flow, rows, sumColumnWidth(totals));
  drawSummary(flow, summary, totals.total);
  if (due) {
    flow.paragraph(t(due), flow.frame.left, flow.width, S.body);
    flow.y += 16 - 11;
  }

  if (block) {
    // Should the QR have to move to a new page after all, the signatures go with it.
    flow.ensure(blockH + signatures.height);
    block.draw(flow);
    flow.y += 4;
  }

  signatures.draw(flow);
}

/** The signature row with the stamp and signature images; `height` is what it takes below the cursor. */
function invoiceSignatures(
  flow: Flow,
  model: DocumentModel,
  images: EmbeddedImages,
): { height: number; draw(flow: Flow): void } {
  const { seller } = model;
  const sole = isSoleProprietor(seller);
  const half = flow.width / 2;
  const director = {
    caption: sellerSignatoryTitle(seller),
    name: seller.director ?? '',
    x: flow.frame.left,
    width: sole ? flow.width * 0.75 : half - 12,
  };
  const slots = [director];
  if (!sole) slots.push({ caption: 'Бухгалтер', name: seller.accountant ?? '', x: flow.frame.left + half + 12, width: half - 12 });

  // The stamp is centred on the director's line; keep it clear of the QR above and inside the page.
  const { stamp, signature } = signatureImageSizes(images);
  const above = Math.max(0, (stamp?.height ?? 0) / 2 - SIGNATURE_BASELINE, (signature?.height ?? 0) - 3 * MM - SIGNATURE_BASELINE);
  const below = Math.max(0, (stamp?.height ?? 0) / 2 - 14);
  const height = 40 + above + below;
  return {
    height,
    draw(f: Flow) {
      f.ensure(height);
      f.y += above;
      f.canvas.line(f.frame.left, f.y, f.frame.right, f.y, 1.5);
      const line = signatureLine(director);
      const center = (line.start + line.end) / 2;
      const lineY = f.y + SIGNATURE_BASELINE;
      // Images first, so that opaque ones cannot hide the texts.
      drawStamp(f, images, center, lineY);
      drawSignatureImage(f, images, center, lineY);
      drawSignatureRow(f, slots);
      f.y += below;
    },
  };
}
