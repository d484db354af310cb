/**
 * The app as a portal user meets it: the sandbox's portal page submits the frame POST into an iframe, the app's
 * page loads inside it (allowed by frame-ancestors), reads in Russian, and works from the keyboard.
 */
import { describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import { appFrame, browserSuite, screenshot } from './chromium.js';


describe('the app in Chromium', () => {
  const suite = browserSuite();
  let h: Harness;


  it('opens the dashboard inside the portal page', async () => {
    h = await suite.start({ worker: false });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    const p = await suite.page();
    const errors: string[] = [];
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await p.goto(`${h.sandbox.baseUrl}/portal/app?user=${h.seed.users.admin}`);
    const frame = await appFrame(p);
    await frame.waitForSelector('h1');
    expect(await frame.textContent('h1')).toMatch(/Итоги за/);
    expect(await frame.textContent('header.top')).toContain('Иван Иванов');
    // Keyboard: the first Tab lands on the skip link, then the navigation.
    await frame.focus('body');
    await p.keyboard.press('Tab');
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toContain('К содержимому');
    await screenshot(p, 'app-dashboard');
    await p.context().close();
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('is refused a frame by any other site', async () => {
    h = await suite.start({ worker: false });
    await h.install();
    const p = await suite.page();
    const post = h.sandbox.framePost({});
    const opened = await fetch(`${h.url}/bitrix/app`, { method: 'POST', body: new URLSearchParams(post.body), redirect: 'manual' });
    await opened.arrayBuffer();
    const pageUrl = `${h.url}${opened.headers.get('location')}`;
    // Another origin (the service's own host under another name) tries to frame the page.
    const other = pageUrl.replace('127.0.0.1', 'localhost');
    await p.setContent(`<iframe name="x" src="${other}" style="width:800px;height:400px"></iframe>`);
    await p.waitForTimeout(500);
    const frame = p.frame({ name: 'x' });
    const text = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(text).not.toContain('Итоги за');
    await screenshot(p, 'app-refused-frame');
    await p.context().close();
  });
});
