/**
 * Entry point of PDF rendering. Output is a pure function of the model: fixed metadata (dates from the
 * document itself, fixed producer, an ID derived from the input) and no clock or randomness, so the stored
 * snapshot of an issued document renders to the same bytes on any instance, any day.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFHexString } from 'pdf-lib';
import { qrPng } from '../../qr/image.js';
import type { QrEncodingChoice } from '../../qr/payload.js';
import { ValidationError } from '../../errors.js';
import type { DocumentModel } from '../model.js';
import { documentRuleIssues } from '../rules.js';
import { actTitle, drawAct } from './act.js';
import { documentTotals } from '../purpose.js';
import { drawPageNumbers, FRAME } from './blocks.js';
import { A4 } from './canvas.js';
import { embedFonts } from './fonts.js';
import { embedImages } from './images.js';
import { drawInvoice, invoiceTitle } from './invoice.js';
import { Flow } from './layout.js';
import { qrContentFor, type QrContent } from './qrBlock.js';

export interface RenderOptions {
  /**
   * Charset of the GOST payload: `auto` (default) is UTF-8 (`ST00012`) when the payee and bank block fits
   * in 300 bytes, else Windows-1251 (`ST00011`); `utf8` / `win1251` force one.
   */
  qrEncoding?: QrEncodingChoice;
}

export const PDF_PRODUCER = 'b24-qr-billing';

const SUBJECT: Record<DocumentModel['kind'], string> = {
  invoice: 'Счет на оплату',
  qr_invoice: 'Счет на оплату с QR-кодом',
  act: 'Акт об оказании услуг',
};

/** pdf-lib compresses fonts and images with pako; node's zlib gives the same format several times faster. */
function useNativeDeflate(doc: PDFDocument): void {
  const ctx = doc.context;
  ctx.flateStream = (contents, dict = {}) =>
    ctx.stream(deflateSync(typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents), {
      ...dict,
      Filter: 'FlateDecode',
    });
}

/** From the model and the charset actually used, so `auto` and the charset it picked give the same bytes. */
function documentId(model: DocumentModel, qr: QrContent | null, opts: RenderOptions): string {
  const forced = opts.qrEncoding === 'win1251' ? 'win1251' : 'utf8';
  return createHash('sha256')
    .update(JSON.stringify({ model, qrEncoding: qr?.mode === 'gost' ? qr.encoding : forced }))
    .digest('hex')
    .slice(0, 32);
}

/** Six capital letters for the font subset names, taken from the document id. */
function subsetTag(id: string): string {
  return [...id.slice(0, 6)].map((h) => String.fromCharCode(65 + parseInt(h, 16))).join('');
}

function setMetadata(doc: PDFDocument, model: DocumentModel, title: string, id: string): void {
  const date = new Date(`${model.date}T00:00:00Z`);
  doc.setTitle(title);
  doc.setSubject(SUBJECT[model.kind]);
  doc.setAuthor(model.seller.name);
  doc.setCreator(PDF_PRODUCER);
  doc.setProducer(PDF_PRODUCER);
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  doc.setLanguage('ru-RU');
  const hex = PDFHexString.of(id);
  doc.context.trailerInfo.ID = doc.context.obj([hex, hex]);
}

export async function renderDocument(model: DocumentModel, opts: RenderOptions = {}): Promise<Uint8Array> {
  const totals = documentTotals(model);
  // Also here, not only in the schema: whatever draws a document must not print a zero invoice, an act
  // before its period ends, or «?» where the QR carries a character the font lacks.
  const issues = documentRuleIssues(model, totals);
  if (issues.length > 0) throw new ValidationError(issues);
  const qr = qrContentFor(model, totals, opts.qrEncoding ?? 'auto');
  const id = documentId(model, qr, opts);
  const doc = await PDFDocument.create({ updateMetadata: false });
  useNativeDeflate(doc);
  const fonts = await embedFonts(doc, subsetTag(id));
  const images = await embedImages(doc, model.images);

  const flow = new Flow(fonts, FRAME, A4);
  if (model.kind === 'act') drawAct(flow, model, totals, images);
  else drawInvoice(flow, model, totals, images, qr);
  drawPageNumbers(flow);
  for (const page of flow.pages) page.writeTo(doc);

  setMetadata(doc, model, model.kind === 'act' ? actTitle(model) : invoiceTitle(model), id);
  // Classic cross-reference table: readable by every consumer, and skips a pako pass over the object streams.
  return doc.save({ useObjectStreams: false });
}

/** The QR of a QR-invoice as a PNG (for the CRM deal and e-mails); null when the document has no QR. */
export async function renderQrPng(model: DocumentModel, opts: RenderOptions = {}): Promise<Buffer | null> {
  const qr = qrContentFor(model, documentTotals(model), opts.qrEncoding ?? 'auto');
  return qr ? qrPng(qr.bytes) : null;
}
