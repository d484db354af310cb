/**
 * Debian's Chromium driven by playwright-core (nothing downloaded: `executablePath` is the system browser, which
 * `.ci/run` installs). Screenshots go to test-results/ on every run, for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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
