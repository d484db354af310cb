import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import type { InvoiceListRow } from '../../storage/invoiceList.js';
import { translate, type WebLang } from '../i18n/index.js';

/**
 * The invoice list as Excel with Russian regional settings opens it on a double click: UTF-8 with a BOM (else it
 * reads ANSI/1251), `;` between fields (the list separator there; `,` is the decimal mark), CRLF, amounts as plain
 * numbers with a decimal comma and no thousands separator (so they stay numbers), dates as dd.mm.yyyy.
 */
export function invoiceCsv(rows: InvoiceListRow[], lang: WebLang, pdfUrl: (row: InvoiceListRow) => string): Buffer {
  const t = (key: string) => translate(lang, key);
  const header = ['inv.number', 'inv.date', 'inv.due', 'inv.period', 'inv.client', 'inv.inn', 'inv.responsible', 'inv.amount', 'inv.paid', 'inv.state', 'inv.pdf'].map(t);
  const records = rows.map((r) => [
    textCell(r.number),
    csvDate(r.date),
    csvDate(r.dueDate),
    r.periodFrom && r.periodTo ? `${csvDate(r.periodFrom)}–${csvDate(r.periodTo)}` : '',
    textCell(r.buyerName),
    r.buyerInn,
    textCell(r.responsibleName ?? ''),
    csvAmount(r.amountKopecks),
    csvAmount(r.paidKopecks),
    t(`inv.st.${r.state}`),
    pdfUrl(r),
  ]);
  const text = stringify([header, ...records], { delimiter: ';', record_delimiter: '\r\n' });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** Text from the CRM that Excel would run as a formula («=HYPERLINK(…)») is kept as text by a leading apostrophe. */
const textCell = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** 2500000 → «25000,00». */
export function csvAmount(kopecks: number): string {
  const abs = Math.abs(kopecks);
  return `${kopecks < 0 ? '-' : ''}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

export const csvDate = (iso: string | null): string => (iso ? DateTime.fromISO(iso.slice(0, 10)).toFormat('dd.MM.yyyy') : '');
