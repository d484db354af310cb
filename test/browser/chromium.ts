/**
 * Debian's Chromium driven by playwright-core (nothing downloaded: `executablePath` is the system browser, which
 * `.ci/run` installs). Screenshots go to test-results/ on every run, for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { databaseEngines } from '../helpers/databases.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.resolve('test-results');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--lang=ru-RU'],
  });
}

/** A page sized as the Bitrix24 frame the issue targets (1280×800), Russian locale. */
export async function newPortalPage(browser: Browser, locale = 'ru-RU'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  return context.newPage();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The portal page's app iframe once loaded (and showing a heading with `heading`, when given). */
export async function appFrame(p: Page, heading?: string): Promise<Frame> {
  const frame = p.frame({ name: 'app' }) ?? (await (await p.waitForSelector('iframe[name="app"]')).contentFrame())!;
  if (heading) await frame.waitForSelector(`h1:has-text("${heading}")`);
  else await frame.waitForLoadState('load');
  return frame;
}

export interface BrowserSuite {
  /** The product (sandbox portal + service) on SQLite for one test; stopped after it. */
  start(opts?: HarnessOptions): Promise<Harness>;
  /** A new 1280×800 page of the file's Chromium. */
  page(locale?: string): Promise<Page>;
}

/** One Chromium per test file and a harness per test: call inside `describe`. */
export function browserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  let current: Harness | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  const sqlite = databaseEngines().find((e) => e.name === 'sqlite')!;
  return {
    async start(opts = {}) {
      current = await startHarness(sqlite, opts);
      return current;
    },
    page: (locale) => newPortalPage(browser!, locale),
  };
}
