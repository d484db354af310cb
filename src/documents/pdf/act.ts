/**
 * «Акт» in the 1C layout (reference §5.2). An act is a primary accounting document (402-ФЗ ст. 9), so it
 * carries the period, both parties, the services in money and units, and both signatures with names.
 */
import { formatDateLong, formatPeriodRu } from '../dates.js';
import { formatMoney } from '../money.js';
import type { BuyerParty, DocumentModel } from '../model.js';
import { vatLineLabel, type Totals } from '../vat.js';
import {
  continuationHeader,
  drawItems,
  drawLogo,
  drawParties,
  drawSignatureImage,
  drawStamp,
  drawTitle,
  drawTotals,
  drawSummary,
  isSoleProprietor,
  partyLine,
  S,
  signatureImageSizes,
  summaryHeight,
  t,
  totalsHeight,
  totalsRows,
} from './blocks.js';
import type { EmbeddedImages } from './images.js';
import { MM } from './canvas.js';
import { lineHeight, textWidth, wrapText, type Flow } from './layout.js';

export const ACT_CLOSING =
  'Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объему, качеству и срокам ' +
  'оказания услуг не имеет.';

export function actTitle(model: DocumentModel): string {
  return `Акт № ${model.number.trim()} от ${formatDateLong(model.date, 'date')}`;
}

/** Position of the customer's signatory: the given one, a manager of an organisation, or none for a person. */
function buyerSignatoryTitle(buyer: BuyerParty): string {
  if (buyer.directorTitle) return buyer.directorTitle;
  if (buyer.kpp || (buyer.inn && /^\d{10}$/.test(buyer.inn.trim()))) return 'Руководитель';
  if (buyer.inn && /^\d{12}$/.test(buyer.inn.trim()) && buyer.director) return 'Индивидуальный предприниматель';
  return '';
}

export function drawAct(flow: Flow, model: DocumentModel, totals: Totals, images: EmbeddedImages): void {
  const title = actTitle(model);
  drawLogo(flow, images);
  drawTitle(flow, title);
  flow.onNewPage = continuationHeader(title);

  const parties: { label: string; value: string; bold?: boolean }[] = [
    { label: 'Исполнитель:', value: partyLine(model.seller) },
    { label: 'Заказчик:', value: partyLine(model.buyer) },
  ];
  if (model.basis) parties.push({ label: 'Основание:', value: model.basis });
  if (model.period) {
    parties.push({ label: 'Период:', value: formatPeriodRu(model.period.from, model.period.to), bold: false });
  }
  drawParties(flow, parties);

  const grand = totals.vatMode === 'on_top' ? 'Всего:' : undefined;
  const rows = totalsRows(totals, vatLineLabel(model.vat), grand);
  const summary = `Всего оказано услуг ${model.lines.length}, на сумму ${formatMoney(totals.total)} руб.`;
  const tail = totalsHeight(rows.length) + summaryHeight(flow, summary, totals.total);

  drawItems(flow, model, totals, 'Наименование работ, услуг', tail);
  drawTotals(flow, rows);
  drawSummary(flow, summary, totals.total);

  const closing = wrapText(t(ACT_CLOSING), S.body, flow.width);
  flow.ensure(closing.length * lineHeight(S.body.size) + 90);
  flow.paragraph(t(ACT_CLOSING), flow.frame.left, flow.width, S.body);
  flow.y += 8;
  flow.canvas.line(flow.frame.left, flow.y, flow.frame.right, flow.y, 1.5);
  flow.y += 12;
  drawActSignatures(flow, model, images);
}

function drawActSignatures(flow: Flow, model: DocumentModel, images: EmbeddedImages): void {
  const { seller, buyer } = model;
  const colW = flow.width / 2 - 10;
  const columns = [
    {
      heading: 'ИСПОЛНИТЕЛЬ',
      party: seller.name,
      position: seller.directorTitle ?? (isSoleProprietor(seller) ? 'Индивидуальный предприниматель' : 'Руководитель'),
      name: seller.director ?? '',
      x: flow.frame.left,
    },
    {
      heading: 'ЗАКАЗЧИК',
      party: buyer.name,
      position: buyerSignatoryTitle(buyer),
      name: buyer.director ?? '',
      x: flow.frame.left + flow.width / 2 + 10,
    },
  ];
  // Both signature lines on one level, below the taller of the two column heads.
  const heads = columns.map((col) => [
    ...wrapText(t(col.party), S.body, colW),
    ...(col.position ? wrapText(t(col.position), S.body, colW) : []),
  ]);
  const headH = lineHeight(S.bold.size) + 2 + Math.max(...heads.map((h) => h.length)) * lineHeight(S.body.size);
  const { stamp, signature } = signatureImageSizes(images);
  // An opaque signature image must not cover the position printed above the line.
  const gap = signature ? Math.max(20, signature.height - 3 * MM + 4) : 20;
  const mpOffset = headH + gap + 16;
  const height = mpOffset + Math.max(6, (stamp?.height ?? 0) / 2 + 3);
  flow.ensure(height + S.bold.size);

  const top = flow.y;
  const lineY = top + S.bold.size + headH + gap;
  const mpY = lineY + 16;
  const c = flow.canvas;
  const sealX = flow.frame.left;
  // «М.П.» is where the stamp goes. Images go first, so an opaque one cannot hide the texts.
  if (stamp) drawStamp(flow, images, sealX + stamp.width / 2, mpY - 3);
  if (signature) drawSignatureImage(flow, images, flow.frame.left + colW * 0.21, lineY);
  columns.forEach((col, i) => {
    let y = top + S.bold.size;
    c.text(col.heading, col.x, y, S.bold);
    y += lineHeight(S.bold.size) + 2;
    for (const line of heads[i] ?? []) {
      c.text(line, col.x, y, S.body);
      y += lineHeight(S.body.size);
    }
    // «________ / Иванов И.И. /»; without a name the slashes frame a blank for writing it by hand.
    const name = t(col.name);
    const lineEnd = col.x + colW * 0.42;
    c.line(col.x, lineY + 1.5, lineEnd, lineY + 1.5, 0.5);
    c.text('/', lineEnd + 4, lineY, S.body);
    if (name) c.text(name, lineEnd + 11, lineY, S.body);
    else c.line(lineEnd + 11, lineY + 1.5, col.x + colW - 10, lineY + 1.5, 0.5);
    const closeX = name ? Math.min(lineEnd + 15 + textWidth(name, S.body), col.x + colW - 4) : col.x + colW - 4;
    c.text('/', closeX, lineY, S.body);
    c.text('М.П.', col.x, mpY, S.body);
  });
  flow.y = top + S.bold.size + height;
}
