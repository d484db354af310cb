/**
 * The app opened inside Bitrix24: the portal's frame POST is proven with the portal stored for member_id (never the
 * DOMAIN it names), the pages that follow carry a short-lived signed session, changes need it in a header, and only
 * the portal may frame the pages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { action, openFrame, page, textOf } from '../web/webKit.js';

describe.each(databaseEngines())('the app frame on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const start = async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
  };

  it('opens the dashboard for a portal user, framed only by that portal', async () => {
    await start();
    const opened = await openFrame(h, { userId: h.seed.users.manager });
    expect(opened.status).toBe(303);
    expect(opened.location).toMatch(/^\/bitrix\/app\/page\/dashboard\?s=/);
    const p = await page(h, opened.token, 'dashboard');
    expect(p.status).toBe(200);
    expect(textOf(p.html)).toContain('Выставлено');
    expect(textOf(p.html)).toContain('0,00 ₽');
    expect(textOf(p.html)).toContain('Пётр Петров');
    expect(textOf(p.html)).toContain('только просмотр');
    const csp = p.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors ${new URL(h.sandbox.baseUrl).origin}`);
    expect(csp).not.toContain('frame-ancestors *');
    expect(p.headers.get('x-frame-options')).toBeNull();
    expect(p.headers.get('cache-control')).toBe('no-store');
  });

  it('speaks English when the portal says LANG=en', async () => {
    await start();
    const opened = await openFrame(h, { lang: 'en' });
    const p = await page(h, opened.token, 'dashboard');
    expect(textOf(p.html)).toContain('Invoiced');
    expect(textOf(p.html)).toContain('administrator');
  });

  it('refuses forged frame POSTs with 403 and shows no data', async () => {
    await start();
    const wrongToken = await openFrame(h, {}, (p) => (p.body.AUTH_ID = 'f'.repeat(32)));
    const unknownPortal = await openFrame(h, {}, (p) => (p.body.member_id = 'a'.repeat(32)));
    // An attacker's own "portal" named in DOMAIN changes nothing: the token is checked where the portal really is.
    const otherDomain = await openFrame(h, {}, (p) => {
      p.query.DOMAIN = 'evil.example';
      p.body.AUTH_ID = 'attacker-token';
    });
    const noToken = await openFrame(h, {}, (p) => delete (p.body as Record<string, string | undefined>).AUTH_ID);
    for (const r of [wrongToken, unknownPortal, otherDomain, noToken]) {
      expect(r.status).toBe(403);
      expect(r.token).toBe('');
      expect(textOf(r.html)).toContain('Доступ запрещён');
      expect(r.html).not.toContain('Выставлено');
    }
  });

  it('takes no session from a forged or expired token, and no change without the header', async () => {
    await start();
    const { token } = await openFrame(h);
    const forged = `${token.slice(0, token.indexOf('.'))}.${'A'.repeat(43)}`;
    expect((await page(h, forged, 'dashboard')).status).toBe(401);
    expect((await page(h, 'garbage', 'dashboard')).status).toBe(401);
    // A page link carries the token, but a change needs it in the header: a cross-site form cannot send that.
    expect((await action(h, undefined, 'GET', '/session')).status).toBe(401);
    expect((await action(h, token, 'GET', '/session', undefined, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await action(h, token, 'GET', '/session')).status).toBe(200);
    h.clock.set(new Date(h.clock.now().getTime() + 61 * 60_000));
    expect((await page(h, token, 'dashboard')).status).toBe(401);
  });

  it('binds the deal tab on install', async () => {
    await start();
    expect(h.sandbox.frameHandler('CRM_DEAL_DETAIL_TAB')).toBe(`${h.url}/bitrix/placement/deal-tab`);
    // Installing again does not bind it twice.
    await h.install();
    const binds = h.sandbox.requests().filter((r) => r.method === 'placement.bind');
    expect(binds.length).toBe(1);
  });
});
