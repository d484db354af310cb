/**
 * Rendering, as the rest of the service calls it. The PDF toolchain (pdf-lib, fontkit, the embedded fonts and the
 * QR encoder: about 30 MB resident) is loaded on the first document rendered, not at start: an instance that only
 * accepts robot calls or serves pages never pays for it, and the accept path keeps its memory for load.
 */
import type { DocumentModel } from './model.js';
import type * as Pdf from './pdf/render.js';

export type { RenderOptions } from './pdf/render.js';

let toolchain: Promise<typeof Pdf> | undefined;
const pdf = (): Promise<typeof Pdf> => (toolchain ??= import('./pdf/render.js'));

/** The document's PDF (see pdf/render.ts: the same model renders to the same bytes). */
export async function renderDocument(model: DocumentModel, opts?: Pdf.RenderOptions): Promise<Uint8Array> {
  return (await pdf()).renderDocument(model, opts);
}

/** The payment QR of a QR-invoice as a PNG, or null for a document without one. */
export async function renderQrPng(model: DocumentModel, opts?: Pdf.RenderOptions): Promise<Buffer | null> {
  return (await pdf()).renderQrPng(model, opts);
}
