import { describe, expect, it } from 'vitest';
import { signLink, verifyLink, documentUrl } from '../../src/documents/links.js';

const secret = 'x'.repeat(40);
const target = { memberId: 'm1', documentId: 15, version: 1, file: 'qr_invoice' as const };

describe('signed document links', () => {
  it('round-trips and is unguessable', () => {
    const token = signLink(secret, target);
    expect(verifyLink(secret, token)).toEqual(target);
    expect(token).not.toContain('15.');
    expect(documentUrl('https://b.example.ru/', secret, target)).toBe(`https://b.example.ru/d/${token}`);
  });

  it('rejects tampering, another secret and garbage', () => {
    const token = signLink(secret, target);
    const [payload, sig] = token.split('.') as [string, string];
    const other = signLink(secret, { ...target, documentId: 16 }).split('.')[0];
    expect(verifyLink(secret, `${other}.${sig}`)).toBeUndefined();
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    expect(verifyLink(secret, `${payload}.${flipped}`)).toBeUndefined();
    expect(verifyLink('y'.repeat(40), token)).toBeUndefined();
    expect(verifyLink(secret, '')).toBeUndefined();
    expect(verifyLink(secret, '../../etc/passwd')).toBeUndefined();
    expect(verifyLink(secret, token.slice(0, -2))).toBeUndefined();
  });
});
