import { describe, expect, it } from 'vitest';
import { SessionSigner, SESSION_TTL_SEC } from '../../src/web/session.js';

const now = Date.parse('2026-12-07T10:00:00Z');
const who = { memberId: 'm1', userId: 7, admin: false, lang: 'ru' as const, name: 'Пётр Петров' };

describe('the pages session token', () => {
  const signer = new SessionSigner('secret-one');

  it('proves who opened the frame until it expires', () => {
    const token = signer.issue(who, now);
    expect(signer.verify(token, now + 1000)).toMatchObject(who);
    expect(signer.verify(token, now + SESSION_TTL_SEC * 1000)).toBeUndefined();
  });

  it('cannot be edited or made with another secret', () => {
    const token = signer.issue(who, now);
    const [body, mac] = token.split('.');
    const raised = Buffer.from(JSON.stringify(['m1', 7, 1, 'ru', now / 1000 + 3600, ''])).toString('base64url');
    expect(signer.verify(`${raised}.${mac}`, now)).toBeUndefined();
    expect(new SessionSigner('secret-two').verify(token, now)).toBeUndefined();
    expect(signer.verify(`${body}.`, now)).toBeUndefined();
    expect(signer.verify(undefined, now)).toBeUndefined();
    expect(signer.verify('x'.repeat(5000), now)).toBeUndefined();
  });

  it('is renewed only in the second half of its life', () => {
    const s = signer.verify(signer.issue(who, now), now)!;
    expect(signer.renewIfOld(s, now + 10 * 60_000)).toBeUndefined();
    const fresh = signer.renewIfOld(s, now + 40 * 60_000)!;
    expect(signer.verify(fresh, now + 80 * 60_000)).toMatchObject(who);
  });
});
