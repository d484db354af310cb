/**
 * Rendering speed of a one-page QR-invoice: our pdf-lib renderer against the same invoice as HTML printed
 * to PDF by a warm headless Chromium (one browser, one page reused). Prints medians, the ratio and sizes.
 * Targets (read by people, not asserted): ≤ 10 ms median (stretch ≤ 5 ms), ≥ 5× faster than Chromium,
 * ≤ 80 KB per one-page invoice.
 *
 *   npx tsx bench/render.ts            BENCH_ITERATIONS=200  BENCH_CHROMIUM_ITERATIONS=50
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DocumentModel } from '../src/documents/model.js';
import { renderDocument } from '../src/documents/pdf/render.js';
import { parseDocumentModel } from '../src/documents/schema.js';
import { invoiceHtml } from './invoiceHtml.js';

const CHROMIUM = '/usr/bin/chromium';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(iterations: number, warmup: number, fn: () => Promise<Uint8Array>): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < warmup; i++) bytes = (await fn()).length;
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    bytes = (await fn()).length;
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), bytes };
}

function sampleInvoice(): DocumentModel {
  const url = new URL('../test/fixtures/documents/ooo-vat22-qr.json', import.meta.url);
  return parseDocumentModel(JSON.parse(readFileSync(url, 'utf8')));
}

async function chromiumBench(html: string, iterations: number): Promise<{ ms: number; bytes: number } | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    return await measure(iterations, 10, async () => {
      await page.setContent(html, { waitUntil: 'load' });
      return page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    });
  } finally {
    await browser.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export async function renderBench(): Promise<void> {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
  const chromiumIterations = Number(process.env.BENCH_CHROMIUM_ITERATIONS ?? 50);
  const model = sampleInvoice();

  const ours = await measure(iterations, 30, () => renderDocument(model));
  console.log(`pdf-lib renderer : median ${ours.ms.toFixed(2)} ms over ${iterations} renders, ${kb(ours.bytes)} per one-page QR-invoice`);

  const chrome = await chromiumBench(invoiceHtml(model), chromiumIterations);
  if (typeof chrome === 'string') {
    console.log(`warm Chromium    : skipped (${chrome})`);
    return;
  }
  console.log(`warm Chromium    : median ${chrome.ms.toFixed(2)} ms over ${chromiumIterations} prints, ${kb(chrome.bytes)}`);
  console.log(`ratio            : ${(chrome.ms / ours.ms).toFixed(1)}× faster than warm Chromium`);
  console.log(
    `targets          : ≤ 10 ms ${ours.ms <= 10 ? 'met' : 'MISSED'} (stretch ≤ 5 ms ${ours.ms <= 5 ? 'met' : 'missed'}), ` +
      `≥ 5× ${chrome.ms / ours.ms >= 5 ? 'met' : 'MISSED'}, ≤ 80 KB ${ours.bytes <= 80 * 1024 ? 'met' : 'MISSED'}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await renderBench();
}
