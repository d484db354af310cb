/**
 * The bank-details grid at the top of a 1C «Счет на оплату» (reference §5.1):
 *
 *   | bank name / «Банк получателя»   | БИК   | bic          |
 *   |                                 | Сч. № | corr account |
 *   | ИНН …        | КПП …            | Сч. № | account      |
 *   | payee name / «Получатель»       |       |              |
 *
 * Accountants copy requisites from this grid into payment orders, so every value is on one line.
 */
import type { SellerParty } from '../model.js';
import { S, t } from './blocks.js';
import { lineHeight, wrapText, type Flow } from './layout.js';

const LABEL_W = 44;
const VALUE_W = 150;
const PAD = 3;
const ROW = 14;

export function drawBankGrid(flow: Flow, seller: SellerParty): void {
  const c = flow.canvas;
  const x0 = flow.frame.left;
  const x3 = flow.frame.right;
  const x2 = x3 - VALUE_W; // label | value
  const x1 = x2 - LABEL_W; // left part | label
  const xKpp = x0 + (x1 - x0) / 2;
  const leftW = x1 - x0 - 2 * PAD;
  const lh = lineHeight(S.body.size);
  const captionH = S.small.size + 2;

  const bankLines = wrapText(t(seller.bank.name), S.body, leftW);
  const nameLines = wrapText(t(seller.name), S.body, leftW);
  const h1 = Math.max(2 * ROW, PAD + bankLines.length * lh + captionH + PAD);
  const h3 = Math.max(ROW + 6, PAD + nameLines.length * lh + captionH + PAD);
  const height = h1 + ROW + h3;
  flow.ensure(height);

  const top = flow.y;
  const y1 = top + h1; // bank | ИНН row
  const y2 = y1 + ROW; // ИНН row | payee

  const base = (y: number) => y + PAD + S.body.size * 0.9;
  // Left part: bank name, INN/KPP, payee name, each with its caption.
  bankLines.forEach((line, i) => c.text(line, x0 + PAD, base(top) + i * lh, S.body));
  c.text('Банк получателя', x0 + PAD, y1 - PAD - 1, S.small);
  c.text(t(`ИНН ${seller.inn}`), x0 + PAD, base(y1), S.body);
  c.text(t(`КПП ${seller.kpp ?? ''}`.trim()), xKpp + PAD, base(y1), S.body);
  nameLines.forEach((line, i) => c.text(line, x0 + PAD, base(y2) + i * lh, S.body));
  c.text('Получатель', x0 + PAD, top + height - PAD - 1, S.small);

  // Right part: labels and the three numbers.
  c.text('БИК', x1 + PAD, base(top), S.body);
  c.text(t(seller.bank.bic), x2 + PAD, base(top), S.body);
  c.text('Сч. №', x1 + PAD, base(top + ROW), S.body);
  c.text(t(seller.bank.corrAccount), x2 + PAD, base(top + ROW), S.body);
  c.text('Сч. №', x1 + PAD, base(y1), S.body);
  c.text(t(seller.bank.account), x2 + PAD, base(y1), S.body);

  const w = 0.5;
  c.rect(x0, top, x3 - x0, height, { stroke: w });
  c.line(x1, top, x1, top + height, w);
  c.line(x2, top, x2, top + height, w);
  c.line(x0, y1, x3, y1, w);
  c.line(x0, y2, x1, y2, w);
  c.line(xKpp, y1, xKpp, y2, w);
  c.line(x1, top + ROW, x3, top + ROW, w);
  flow.y = top + height + 4;
}
