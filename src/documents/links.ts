import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Public document links: `/d/<payload>.<mac>`. The payload names the document, the file and the
 * document's link version; the MAC (HMAC-SHA256 with the link secret, truncated to 128 bits) makes
 * links unguessable and untamperable. Bumping a document's link version revokes every old link.
 */
export type LinkFile = 'invoice' | 'qr_invoice' | 'act' | 'qr_png';

export interface LinkTarget {
  memberId: string;
  documentId: number;
  version: number;
  file: LinkFile;
}

const FILES: readonly LinkFile[] = ['invoice', 'qr_invoice', 'act', 'qr_png'];

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`qrbill-link:${payload}`).digest().subarray(0, 16);
}

export function signLink(secret: string, t: LinkTarget): string {
  const payload = Buffer.from(JSON.stringify([t.memberId, t.documentId, t.version, t.file])).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The target of a genuine link, or undefined for anything forged, truncated or malformed. */
export function verifyLink(secret: string, token: string): LinkTarget | undefined {
  const m = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return undefined;
  const [, payload, sig] = m as unknown as [string, string, string];
  // Compare the canonical text, not decoded bytes: base64 ignores the unused low bits of the last
  // character, so a decoded comparison would accept several spellings of one MAC.
  const given = Buffer.from(sig, 'latin1');
  const expected = Buffer.from(mac(secret, payload).toString('base64url'), 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [memberId, documentId, version, file] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (typeof memberId !== 'string' || !Number.isInteger(documentId) || !Number.isInteger(version)) return undefined;
    if (!FILES.includes(file as LinkFile)) return undefined;
    return { memberId, documentId: documentId as number, version: version as number, file: file as LinkFile };
  } catch {
    return undefined;
  }
}

export function documentUrl(publicUrl: string, secret: string, t: LinkTarget): string {
  return `${publicUrl.replace(/\/+$/, '')}/d/${signLink(secret, t)}`;
}
