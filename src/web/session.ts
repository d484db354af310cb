import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Who is looking at the app's pages, proven by the portal's frame POST and carried afterwards in a signed,
 * short-lived token. The token travels in the page's own requests (header for changes, query for page links),
 * never only in a cookie: inside the portal's iframe the app is a third party and browsers block its cookies.
 * Changes need the header, which a cross-site form cannot set, so a forged request from another site carries no
 * session at all (CSRF).
 */
export interface WebSession {
  memberId: string;
  userId: number;
  admin: boolean;
  lang: 'ru' | 'en';
  /** The user's name as the portal's profile gave it (shown in the page header). */
  name: string;
  /** Epoch seconds after which the token is refused. */
  exp: number;
}

/** A working hour inside one frame; pages renew it (see `renewIfOld`) while the user keeps working. */
export const SESSION_TTL_SEC = 60 * 60;

export class SessionSigner {
  private readonly key: Buffer;

  /** The key is derived from the service's link secret, so every instance on one database accepts the same tokens. */
  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'qrbill', 'web-session-v1', 32));
  }

  issue(s: Omit<WebSession, 'exp'>, nowMs: number): string {
    const payload: WebSession = { ...s, exp: Math.floor(nowMs / 1000) + SESSION_TTL_SEC };
    const body = Buffer.from(JSON.stringify([payload.memberId, payload.userId, payload.admin ? 1 : 0, payload.lang, payload.exp, payload.name.slice(0, 80)])).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The session a token proves, or undefined when it is forged, malformed or expired. */
  verify(token: unknown, nowMs: number): WebSession | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || parsed.length !== 6) return undefined;
    const [memberId, userId, admin, lang, exp, name] = parsed as unknown[];
    if (typeof memberId !== 'string' || typeof userId !== 'number' || typeof exp !== 'number') return undefined;
    if (exp * 1000 <= nowMs) return undefined;
    return { memberId, userId, admin: admin === 1, lang: lang === 'en' ? 'en' : 'ru', name: typeof name === 'string' ? name : '', exp };
  }

  /** A fresh token when less than half of this one's life is left, so an open page never runs into the expiry. */
  renewIfOld(s: WebSession, nowMs: number): string | undefined {
    if (s.exp * 1000 - nowMs > (SESSION_TTL_SEC * 1000) / 2) return undefined;
    return this.issue({ memberId: s.memberId, userId: s.userId, admin: s.admin, lang: s.lang, name: s.name }, nowMs);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
