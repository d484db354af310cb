/**
 * The settings page in Chromium, opened as a portal user meets it: the portal page, then the «Настройки» tab. An
 * admin types a bad value, sees the error next to the field, fixes it and sees it saved; a manager sees the same
 * page read-only. Screenshots go to test-results/.
 */
import { describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import type { Harness } from '../helpers/harness.js';
import { runRobot } from '../integration/invoicing-kit.js';
import { getPortalSettings } from '../../src/settings/portalSettings.js';
import { appFrame, browserSuite, screenshot } from './chromium.js';


describe('the settings page in Chromium', () => {
  const suite = browserSuite();
  let h: Harness;


  /** The portal page, then the «Настройки» tab, as a user clicks it. */
  const openSettings = async (userId: number): Promise<{ p: Page; frame: Frame; errors: string[] }> => {
    const p = await suite.page();
    const errors: string[] = [];
    // A refused value answers 400 by design; Chromium logs that as a failed resource, which is no script error.
    p.on('console', (m) => m.type() === 'error' && !/status of 400/.test(m.text()) && errors.push(m.text()));
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${h.sandbox.baseUrl}/portal/app?user=${userId}`);
    let frame = await appFrame(p);
    await frame.waitForSelector('header.top nav');
    await frame.click('header.top nav >> text=Настройки');
    await frame.waitForURL(/\/page\/settings/);
    frame = await appFrame(p);
    await frame.waitForSelector('h1:has-text("Настройки")');
    // The sellers arrive from the CRM after the page shows.
    await frame.waitForSelector('#sellers-list[aria-busy="false"]', { timeout: 10_000 }).catch(async (err: Error) => {
      await screenshot(p, 'settings-stuck');
      throw new Error(`${err.message}\n${errors.join('\n')}`);
    });
    return { p, frame, errors };
  };

  const start = async () => {
    h = await suite.start({ worker: true, now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    // A real invoice for the letter preview.
    const { answer } = await runRobot(h, 'generate_invoice', h.seed.deals.tenant!);
    expect(answer.status).toBe('ok');
  };

  it('an admin sees a bad value named next to its field, fixes it and it is saved', async () => {
    await start();
    const { p, frame, errors } = await openSettings(h.seed.users.admin);
    expect(await frame.textContent('#sellers-list')).toContain('ООО «Арендодатель»');
    expect(await frame.textContent('#sellers-list')).toContain('Реквизиты в порядке');
    await frame.waitForSelector('#p-subject:has-text("Счёт на оплату № 1")');
    await screenshot(p, 'settings-admin');
    // No sideways scrolling at the frame's width.
    const wide = await frame.evaluate(() =>
      [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}#${e.id}.${e.className}`),
    );
    expect(wide).toEqual([]);

    // A due period of −5 days: refused, the message sits right after the field and nothing is saved.
    const due = frame.locator('input[name="dueDays"]');
    await due.fill('-5');
    await frame.locator('#docs button[type="submit"]').click();
    const error = frame.locator('input[name="dueDays"] + .field-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/от 0 до 365/);
    expect(await due.getAttribute('aria-invalid')).toBe('true');
    // The error takes the focus to the field, so the keyboard user is where the fix goes.
    expect(await frame.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('dueDays');
    expect((await getPortalSettings(h.database.db, h.sandbox.memberId)).dueDays).toBe(5);
    await frame.locator('#docs').scrollIntoViewIfNeeded();
    await screenshot(p, 'settings-field-error');

    // Fixed from the keyboard: type over it and press Enter.
    await due.fill('14');
    await due.press('Enter');
    await frame.waitForSelector('#flash:has-text("Сохранено")');
    expect(await frame.locator('.field-error').count()).toBe(0);
    expect((await getPortalSettings(h.database.db, h.sandbox.memberId)).dueDays).toBe(14);

    // The letter preview follows the text as it is typed.
    await frame.fill('#m-subject', 'Счёт {{invoice.number}} для {{client.name}}');
    await frame.waitForSelector('#p-subject:has-text("Счёт 1 для ООО «Арендатор»")');
    await frame.locator('#mail').scrollIntoViewIfNeeded();
    await screenshot(p, 'settings-mail-preview');

    // An API key is shown once.
    await frame.fill('#k-label', '1С Бухгалтерия');
    await frame.click('#key-form button[type="submit"]');
    await frame.waitForSelector('#key-shown:not([hidden])');
    expect(await frame.textContent('#key-value')).toMatch(/^qrb_/);
    await screenshot(p, 'settings-api-key');
    await p.context().close();
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('a manager sees the settings read-only', async () => {
    await start();
    const { p, frame, errors } = await openSettings(h.seed.users.manager);
    expect(await frame.textContent('.set-readonly')).toContain('только для чтения');
    expect(await frame.locator('button[type="submit"]').count()).toBe(0);
    expect(await frame.locator('input[name="dueDays"]').isDisabled()).toBe(true);
    expect(await frame.locator('#m-body').isDisabled()).toBe(true);
    expect(await frame.locator('#key-form').count()).toBe(0);
    await screenshot(p, 'settings-readonly');
    await p.context().close();
    expect(errors, errors.join('\n')).toEqual([]);
  });
});
