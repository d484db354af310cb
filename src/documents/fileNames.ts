import type { DocumentModel } from './model.js';
import type { LinkFile } from './links.js';
import { formatDateShort } from './dates.js';

/** The names people see when they save a document: «Счет №15 от 01.12.2026.pdf». */
export function documentFileName(model: DocumentModel, file: LinkFile): string {
  const no = model.number.replace(/[\\/:*?"<>|]/g, '-');
  const date = formatDateShort(model.date);
  switch (file) {
    case 'invoice':
      return `Счет №${no} от ${date}.pdf`;
    case 'qr_invoice':
      return `Счет №${no} от ${date} (с QR-кодом).pdf`;
    case 'act':
      return `Акт №${no} от ${date}.pdf`;
    case 'qr_png':
      return `QR-код для оплаты счета №${no}.png`;
  }
}
