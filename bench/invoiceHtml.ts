/**
 * The same QR-invoice as an HTML page, for comparing our renderer with printing HTML in headless Chromium.
 * Same content, same layout as pdf/invoice.ts (bank grid, title, parties, table, totals, words, QR as
 * inline SVG, signatures), same font (PT Sans, installed system-wide by fonts-paratype).
 */
import { formatDateLong, formatDateShort } from '../src/documents/dates.js';
import { formatMoney, formatQuantity, parseMoney } from '../src/documents/money.js';
import type { DocumentModel } from '../src/documents/model.js';
import { partyLine } from '../src/documents/pdf/blocks.js';
import { GOST_QR_CAPTION, qrContentFor } from '../src/documents/pdf/qrBlock.js';
import { documentTotals, paymentPurpose } from '../src/documents/purpose.js';
import { vatLineLabel } from '../src/documents/vat.js';
import { amountInWords } from '../src/documents/words.js';
import { qrSvg } from '../src/qr/image.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function invoiceHtml(model: DocumentModel): string {
  const totals = documentTotals(model);
  const qr = qrContentFor(model, totals);
  const s = model.seller;
  const rows = model.lines
    .map(
      (l, i) =>
        `<tr><td class="c">${i + 1}</td><td>${esc(l.name)}</td><td class="r">${formatQuantity(l.quantity)}</td>` +
        `<td class="c">${esc(l.unit)}</td><td class="r">${formatMoney(parseMoney(l.price))}</td>` +
        `<td class="r">${formatMoney(totals.lines[i]?.amount ?? 0)}</td></tr>`,
    )
    .join('');
  const vatValue = totals.vatMode === 'none' ? '-' : formatMoney(totals.vat);
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 12mm 10mm 14mm 20mm; }
body { font-family: 'PT Sans', sans-serif; font-size: 9pt; margin: 0; }
table { border-collapse: collapse; width: 100%; }
.grid td { border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top; }
.cap { font-size: 7.5pt; color: #595959; }
h1 { font-size: 14pt; margin: 8pt 0 0; padding-bottom: 2pt; border-bottom: 2pt solid #000; }
.parties td { padding: 2pt 0; vertical-align: top; } .parties td:first-child { width: 82pt; }
.parties td:last-child { font-weight: bold; }
.items { margin-top: 6pt; border: 1pt solid #000; } .items th { background: #ebebeb; font-weight: bold; }
.items th, .items td { border: 0.5pt solid #000; padding: 2.5pt 3pt; font-size: 8.5pt; }
.c { text-align: center; } .r { text-align: right; }
.totals { width: auto; margin-left: auto; font-weight: bold; } .totals td { text-align: right; padding: 1pt 3pt; }
.words { font-weight: bold; } .qr { display: flex; gap: 5mm; margin-top: 8pt; } .qr svg { width: 40mm; height: 40mm; }
.sign { border-top: 1.5pt solid #000; margin-top: 8pt; padding-top: 14pt; display: flex; gap: 24pt; }
.line { display: inline-block; width: 120pt; border-bottom: 0.5pt solid #000; margin: 0 5pt; }
</style></head><body>
<table class="grid">
<tr><td colspan="2" rowspan="2">${esc(s.bank.name)}<div class="cap">Банк получателя</div></td><td>БИК</td><td>${esc(s.bank.bic)}</td></tr>
<tr><td>Сч. №</td><td>${esc(s.bank.corrAccount)}</td></tr>
<tr><td>ИНН ${esc(s.inn)}</td><td>КПП ${esc(s.kpp ?? '')}</td><td rowspan="2">Сч. №</td><td rowspan="2">${esc(s.bank.account)}</td></tr>
<tr><td colspan="2">${esc(s.name)}<div class="cap">Получатель</div></td></tr>
</table>
<h1>Счет на оплату № ${esc(model.number)} от ${formatDateLong(model.date)}</h1>
<table class="parties">
<tr><td>Поставщик (Исполнитель):</td><td>${esc(partyLine(s))}</td></tr>
<tr><td>Покупатель (Заказчик):</td><td>${esc(partyLine(model.buyer))}</td></tr>
${model.basis ? `<tr><td>Основание:</td><td>${esc(model.basis)}</td></tr>` : ''}
</table>
<table class="items"><tr><th>№</th><th>Товары (работы, услуги)</th><th>Кол-во</th><th>Ед.</th><th>Цена</th><th>Сумма</th></tr>${rows}</table>
<table class="totals">
<tr><td>Итого:</td><td>${formatMoney(totals.subtotal)}</td></tr>
<tr><td>${esc(vatLineLabel(model.vat))}</td><td>${vatValue}</td></tr>
<tr><td>Всего к оплате:</td><td>${formatMoney(totals.total)}</td></tr>
</table>
<p>Всего наименований ${model.lines.length}, на сумму ${formatMoney(totals.total)} руб.<br>
<span class="words">${amountInWords(totals.total)}</span></p>
${model.dueDate ? `<p>Оплатить не позднее ${formatDateShort(model.dueDate)}</p>` : ''}
${
  qr
    ? `<div class="qr">${qrSvg(qr.bytes)}<div><b>${GOST_QR_CAPTION}</b><br>Получатель: ${esc(s.name)}, ИНН ${esc(s.inn)}<br>` +
      `Сумма: ${formatMoney(totals.total)} руб.<br>Назначение платежа: ${esc(paymentPurpose(model, totals))}</div></div>`
    : ''
}
<div class="sign"><div><b>Руководитель</b><span class="line"></span>${esc(s.director ?? '')}</div>
<div><b>Бухгалтер</b><span class="line"></span>${esc(s.accountant ?? '')}</div></div>
</body></html>`;
}
