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
  SIGNATURE_BASELINE,
  signatureImageSizes,
  signatureLine,
  summaryHeight,
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
  const tail = totalsHeight(rows.length) + summaryHeight(flow, summary, totals.total) + dueH;

  drawItems(flow, model, totals, 'Товары (работы, услуги)', tail);
  drawTotals(flow, rows);
  drawSummary(flow, summary, totals.total);
  if (due) {
    flow.paragraph(t(due), flow.frame.left, flow.width, S.body);
    flow.y += 16 - 11;
  }

  if (qr) {
    const block = qrBlock(flow, model, totals, qr);
    flow.ensure(block.height);
    block.draw(flow);
    flow.y += 4;
  }

  drawInvoiceSignatures(flow, model, images);
}

function drawInvoiceSignatures(flow: Flow, model: DocumentModel, images: EmbeddedImages): void {
  const { seller } = model;
  const sole = isSoleProprietor(seller);
  const half = flow.width / 2;
  const director = {
    caption: seller.directorTitle ?? (sole ? 'Индивидуальный предприниматель' : 'Руководитель'),
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
  flow.ensure(40 + above + below);
  flow.y += above;
  flow.canvas.line(flow.frame.left, flow.y, flow.frame.right, flow.y, 1.5);
  const line = signatureLine(director);
  const center = (line.start + line.end) / 2;
  const lineY = flow.y + SIGNATURE_BASELINE;
  // Images first, so that opaque ones cannot hide the texts.
  drawStamp(flow, images, center, lineY);
  drawSignatureImage(flow, images, center, lineY);
  drawSignatureRow(flow, slots);
  flow.y += below;
}
