import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { DocumentModel } from '../documents/model.js';
import { verifyLink, type LinkFile } from '../documents/links.js';
import { getDocument } from '../storage/documents.js';
import { getPortal } from '../storage/portals.js';
import { renderDocument, renderQrPng } from '../documents/render.js';
import { documentFileName } from '../documents/fileNames.js';

/**
 * GET /d/:token — a public signed document link (given to clients in e-mails and to managers in
 * deal fields). Anything but a genuine, current link gets the same bare 404, so a probe learns
 * nothing. Documents render from their immutable snapshot: the same link always gives the same bytes.
 */
export const documentRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const schema = { params: { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] } } as const;
  app.get<{ Params: { token: string } }>('/d/:token', { schema }, async (req, reply) => {
    const target = verifyLink(deps.linkSecret, req.params.token);
    const notFound = () => reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    if (!target) return notFound();
    const { db } = deps.database;
    const [doc, portal] = await Promise.all([getDocument(db, target.memberId, target.documentId), getPortal(db, target.memberId)]);
    if (!doc || !portal || doc.link_version !== target.version || doc.state === 'cancelled') return notFound();
    const snapshot = doc.snapshot;
    const kind = fileKind(target.file, doc.kind);
    if (!kind) return notFound();
    reply.header('Cache-Control', 'private, no-store');
    reply.header('X-Robots-Tag', 'noindex');
    reply.header('Content-Disposition', contentDisposition(documentFileName(snapshot, target.file)));
    if (kind === 'qr_png') {
      const png = await renderQrPng({ ...snapshot, kind: 'qr_invoice', qr: snapshot.qr ?? { mode: 'gost' } });
      if (!png) return notFound();
      return reply.type('image/png').send(png);
    }
    const pdf = await renderDocument({ ...snapshot, kind, ...(kind === 'qr_invoice' ? { qr: snapshot.qr ?? { mode: 'gost' } } : {}) });
    return reply.type('application/pdf').send(Buffer.from(pdf));
  });
};

function fileKind(file: LinkFile, stored: 'invoice' | 'act'): DocumentModel['kind'] | 'qr_png' | undefined {
  if (stored === 'act') return file === 'act' ? 'act' : undefined;
  return file === 'act' ? undefined : file;
}

/** RFC 6266/5987: an ASCII fallback plus the exact UTF-8 name («Счет №15 от 01.12.2026.pdf»). */
export function contentDisposition(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
