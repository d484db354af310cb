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
  isPrivatePerson,
  partyLine,
  S,
  sellerSignatoryTitle,
  signatureImageSizes,
  summaryHeight,
  sumColumnWidth,
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

/** Position of the customer's signatory: the given one, a manager of an organisation, an ИП, or none for a person. */
function buyerSignatoryTitle(buyer: BuyerParty): string {
  if (buyer.directorTitle) return buyer.directorTitle;
  if (buyer.kpp || (buyer.inn && /^\d{10}$/.test(buyer.inn.trim()))) return 'Руководитель';
  if (!isPrivatePerson(buyer)) return 'Индивидуальный предприниматель';
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
  const closing = wrapText(t(ACT_CLOSING), S.body, flow.width);
  const closingH = closing.length * lineHeight(S.body.size) + 8 + 12;
  const signatures = actSignatures(flow, model, images);
  // The closing sentence and the signatures travel with the last row: a page of bare signatures proves nothing.
  // A lone row keeps only the totals, or the table would leave the first page with the heading alone.
  const totalsH = totalsHeight(rows.length) + summaryHeight(flow, summary, totals.total);
  drawItems(flow, model, totals, 'Наименование работ, услуг', totalsH + closingH + signatures.height, totalsH);
  drawTotals(flow, rows, sumColumnWidth(totals));
  drawSummary(flow, summary, totals.total);

  flow.ensure(closingH + signatures.height);
  flow.paragraph(t(ACT_CLOSING), flow.frame.left, flow.width, S.body);
  flow.y += 8;
  flow.canvas.line(flow.frame.left, flow.y, flow.frame.right, flow.y, 1.5);
  flow.y += 12;
  signatures.draw(flow);
}

/** Both signature columns; `height` is what they take below the cursor. */
function actSignatures(
  flow: Flow,
  model: DocumentModel,
  images: EmbeddedImages,
): { height: number; draw(flow: Flow): void } {
  const { seller, buyer } = model;
  const colW = flow.width / 2 - 10;
  const person = isPrivatePerson(buyer);
  const columns = [
    {
      heading: 'ИСПОЛНИТЕЛЬ',
      party: seller.name,
      position: sellerSignatoryTitle(seller),
      name: seller.director ?? '',
      x: flow.frame.left,
      nameUnder: false,
      seal: true,
    },
    {
      heading: 'ЗАКАЗЧИК',
      party: buyer.name,
      position: buyerSignatoryTitle(buyer),
      name: person ? (buyer.director ?? buyer.name) : (buyer.director ?? ''),
      x: flow.frame.left + flow.width / 2 + 10,
      // A private person signs for himself: his name goes under the line, and he has no seal.
      nameUnder: person,
      seal: !person,
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
  const under = columns.map((col) => (col.nameUnder ? wrapText(t(col.name), S.body, colW * 0.8) : []));
  const underH = Math.max(0, ...under.map((u) => u.length * lineHeight(S.body.size) - 10));
  const mpOffset = headH + gap + 16;
  const height = mpOffset + Math.max(6, (stamp?.height ?? 0) / 2 + 3, underH);

  return {
    height: height + S.bold.size,
    draw(f: Flow) {
      f.ensure(height + S.bold.size);
      const top = f.y;
      const lineY = top + S.bold.size + headH + gap;
      const mpY = lineY + 16;
      const c = f.canvas;
      const sealX = f.frame.left;
      // «М.П.» is where the stamp goes. Images go first, so an opaque one cannot hide the texts.
      if (stamp) drawStamp(f, images, sealX + stamp.width / 2, mpY - 3);
      if (signature) drawSignatureImage(f, images, f.frame.left + colW * 0.21, lineY);
      columns.forEach((col, i) => {
        let y = top + S.bold.size;
        c.text(col.heading, col.x, y, S.bold);
        y += lineHeight(S.bold.size) + 2;
        for (const line of heads[i] ?? []) {
          c.text(line, col.x, y, S.body);
          y += lineHeight(S.body.size);
        }
        if (col.nameUnder) {
          // «________________» with «Кузнецов Олег Петрович» under it.
          c.line(col.x, lineY + 1.5, col.x + colW * 0.8, lineY + 1.5, 0.5);
          (under[i] ?? []).forEach((line, n) => c.text(line, col.x, lineY + 12 + n * lineHeight(S.body.size), S.body));
          return;
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
        if (col.seal) c.text('М.П.', col.x, mpY, S.body);
      });
      f.y = top + S.bold.size + height;
    },
  };
}
