/**
 * Real PDF/image readers for the document tests (poppler-utils, qpdf, zbar-tools), run with execFile.
 * Each call works in its own temporary directory, removed afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import type { DocumentModel } from '../../src/documents/model.js';

const run = promisify(execFile);

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'qrbill-pdf-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function loadFixture(name: string): DocumentModel {
  return JSON.parse(readFileSync(new URL(`../fixtures/documents/${name}.json`, import.meta.url), 'utf8')) as DocumentModel;
}

/** `pdftotext -layout`, pages separated by form feeds; no-break spaces turned into plain ones. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 32 << 20 });
    return stdout.replace(/\u00a0/g, ' ');
  });
}

/** Text with all runs of whitespace collapsed, for sentences that wrap over lines. */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

export async function qpdfCheck(pdf: Uint8Array): Promise<string> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const { stdout } = await run('qpdf', ['--check', file]);
    return stdout;
  });
}

export async function pdfInfo(pdf: Uint8Array): Promise<Record<string, string>> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const { stdout } = await run('pdfinfo', [file]);
    return Object.fromEntries(
      stdout
        .split('\n')
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    );
  });
}

export async function pdfFonts(pdf: Uint8Array): Promise<string> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    return (await run('pdffonts', [file])).stdout;
  });
}

export async function pdfImagesList(pdf: Uint8Array): Promise<string> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    return (await run('pdfimages', ['-list', file])).stdout;
  });
}

/** Rasterises one page (`pdftoppm`) as PNG or JPEG bytes. */
export async function rasterize(pdf: Uint8Array, opts: { dpi: number; page?: number; format?: 'png' | 'jpeg' }): Promise<Buffer> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const page = String(opts.page ?? 1);
    const format = opts.format ?? 'png';
    await run('pdftoppm', ['-r', String(opts.dpi), `-${format}`, '-f', page, '-l', page, '-singlefile', file, join(dir, 'page')]);
    const out = (await readdir(dir)).find((f) => f.startsWith('page.'));
    if (!out) throw new Error('pdftoppm wrote no image');
    return readFile(join(dir, out));
  });
}

/** Decodes every barcode in an image with zbarimg; returns the raw payload bytes of the first one. */
export async function scanQr(image: Uint8Array): Promise<Buffer> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'page.png');
    await writeFile(file, image);
    const { stdout } = await run('zbarimg', ['--raw', '-q', '-Sbinary', file], { encoding: 'buffer', maxBuffer: 1 << 20 });
    // --raw ends the symbol with a newline
    return stdout.at(-1) === 0x0a ? stdout.subarray(0, -1) : stdout;
  });
}

/** Renders a page of `pdf` at 200 dpi and reads its QR code. */
export async function scanPdfQr(pdf: Uint8Array, page = 1): Promise<Buffer> {
  return scanQr(await rasterize(pdf, { dpi: 200, page }));
}
