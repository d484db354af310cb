import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderCommand } from '../../src/cli/render.js';
import { qrCommand } from '../../src/cli/qr.js';
import { wordsCommand } from '../../src/cli/words.js';
import { parseGostPayload } from '../../src/qr/payload.js';
import iconv from 'iconv-lite';
import { flat, loadFixture, pdfText, scanPdfQr, scanQr } from '../helpers/pdfTools.js';

let dir: string;
let out: string[];
let err: string[];
const io = () => ({ stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd: dir });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qrbill-cli-'));
  out = [];
  err = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeDoc(name: string, doc: unknown): Promise<string> {
  await writeFile(join(dir, name), JSON.stringify(doc));
  return name;
}

describe('qrbill render', () => {
  it('writes the PDF and the QR PNG for a QR-invoice', async () => {
    const input = await writeDoc('doc.json', loadFixture('ooo-vat22-qr'));
    const code = await renderCommand(['--input', input, '--out', 'doc.pdf', '--qr-png', 'qr.png'], io());
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const pdf = await readFile(join(dir, 'doc.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(flat(await pdfText(pdf))).toContain('Счет на оплату № 15 от 1 декабря 2026 г.');
    const fields = parseGostPayload(await scanQr(await readFile(join(dir, 'qr.png')))).fields;
    expect(fields.Sum).toBe('2500000');
    expect(out.join('\n')).toContain('doc.pdf');
    // no temporary files left behind
    expect((await readdir(dir)).sort()).toEqual(['doc.json', 'doc.pdf', 'qr.png']);
  });

  it('refuses invalid seller requisites naming the field, and writes nothing', async () => {
    const doc = loadFixture('ooo-vat22-qr');
    doc.seller.bank.account = '40702810138250123018';
    const input = await writeDoc('doc.json', doc);
    const code = await renderCommand(['--input', input, '--out', 'doc.pdf'], io());
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('seller.bank.account');
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('lists every schema problem by path', async () => {
    const doc = loadFixture('ooo-vat22-qr') as unknown as Record<string, any>;
    doc.lines[0].price = '25000.001';
    doc.date = '2026-02-30';
    doc.extra = true;
    const input = await writeDoc('doc.json', doc);
    expect(await renderCommand(['-i', input, '-o', 'doc.pdf'], io())).toBe(1);
    const message = err.join('\n');
    expect(message).toContain('lines[0].price');
    expect(message).toContain('date');
    expect(message).toContain('extra');
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('keeps an existing output untouched when the new document is bad', async () => {
    await writeFile(join(dir, 'doc.pdf'), 'previous');
    const input = await writeDoc('doc.json', { ...loadFixture('ooo-vat22-qr'), vat: { mode: 'included' } });
    expect(await renderCommand(['--input', input, '--out', 'doc.pdf'], io())).toBe(1);
    expect(err.join('\n')).toContain('vat.rate');
    expect(await readFile(join(dir, 'doc.pdf'), 'utf8')).toBe('previous');
  });

  it('reports unreadable files and broken JSON with exit code 1', async () => {
    expect(await renderCommand(['--input', 'missing.json', '--out', 'doc.pdf'], io())).toBe(1);
    expect(err.join('\n')).toContain('missing.json');
    await writeFile(join(dir, 'broken.json'), '{"kind": ');
    expect(await renderCommand(['--input', 'broken.json', '--out', 'doc.pdf'], io())).toBe(1);
    expect(err.join('\n')).toContain('JSON');
    expect((await readdir(dir)).sort()).toEqual(['broken.json']);
  });

  it('refuses --qr-png for a document without a QR and writes nothing', async () => {
    const input = await writeDoc('act.json', loadFixture('act-ooo'));
    expect(await renderCommand(['--input', input, '--out', 'act.pdf', '--qr-png', 'qr.png'], io())).toBe(1);
    expect(await readdir(dir)).toEqual(['act.json']);
    expect(await renderCommand(['--input', input, '--out', 'act.pdf'], io())).toBe(0);
    expect(flat(await pdfText(await readFile(join(dir, 'act.pdf'))))).toContain('Акт № 42 от 30 апреля 2026 г.');
  });

  it('encodes a long legal name in Windows-1251 by itself; forced UTF-8 names the field and suggests Windows-1251', async () => {
    const doc = loadFixture('ooo-vat22-qr');
    // 160 Cyrillic characters: 320 bytes in UTF-8 alone, 160 in Windows-1251.
    doc.seller.name = `ООО «${'Б'.repeat(153)}»`;
    const input = await writeDoc('doc.json', doc);
    expect(await renderCommand(['--input', input, '--out', 'doc.pdf', '--qr-encoding', 'utf8'], io())).toBe(1);
    const message = err.join('\n');
    expect(message).toMatch(/^  seller\.name: QR-код: .*300/m);
    expect(message).toContain('Windows-1251');
    expect(await readdir(dir)).toEqual(['doc.json']);
    err = [];
    expect(await renderCommand(['--input', input, '--out', 'doc.pdf', '--qr-png', 'qr.png'], io())).toBe(0);
    expect(err).toEqual([]);
    const scanned = await scanPdfQr(await readFile(join(dir, 'doc.pdf')));
    expect(scanned.subarray(0, 8).toString('latin1')).toBe('ST00011|');
    expect(parseGostPayload(scanned).fields.Name).toBe(doc.seller.name);
    expect((await scanQr(await readFile(join(dir, 'qr.png')))).equals(scanned)).toBe(true);
  });

  it('refuses a document file that is not UTF-8, naming the file, and writes nothing', async () => {
    const json = JSON.stringify(loadFixture('ooo-vat22-qr'), null, 2);
    await writeFile(join(dir, 'cp1251.json'), iconv.encode(json, 'win1251'));
    expect(await renderCommand(['--input', 'cp1251.json', '--out', 'doc.pdf'], io())).toBe(1);
    expect(err.join('\n')).toMatch(/cp1251\.json не в кодировке UTF-8/);
    expect(await qrCommand(['--input', 'cp1251.json'], io())).toBe(1);
    expect(out).toEqual([]);
    expect(await readdir(dir)).toEqual(['cp1251.json']);
    // the same document in UTF-8 with a byte order mark and CRLF line ends is fine
    await writeFile(join(dir, 'bom.json'), `\uFEFF${json.replace(/\n/g, '\r\n')}`);
    expect(await renderCommand(['--input', 'bom.json', '--out', 'doc.pdf'], io())).toBe(0);
    expect(flat(await pdfText(await readFile(join(dir, 'doc.pdf'))))).toContain('ООО «Арендодатель»');
  });

  it('answers usage errors with exit code 2', async () => {
    expect(await renderCommand(['--input', 'doc.json'], io())).toBe(2);
    expect(await renderCommand(['--out', 'doc.pdf'], io())).toBe(2);
    expect(await renderCommand(['--input', 'a.json', '--out', 'a.pdf', '--colour', 'red'], io())).toBe(2);
    expect(await renderCommand(['--input', 'a.json', '--out', 'a.pdf', '--qr-encoding', 'koi8'], io())).toBe(2);
    expect(err.join('\n')).toContain('auto, utf8 или win1251');
    expect(err.join('\n')).toContain('qrbill render --input');
  });
});

describe('qrbill qr', () => {
  it('prints the GOST payload of an invoice in the chosen encoding', async () => {
    const input = await writeDoc('doc.json', loadFixture('ooo-ontop10'));
    expect(await qrCommand(['--input', input], io())).toBe(0);
    const payload = out.join('');
    expect(payload.startsWith('ST00012|Name=ООО «Северный склад»|')).toBe(true);
    expect(parseGostPayload(payload).fields.Sum).toBe('3520909');
    out = [];
    expect(await qrCommand(['--input', input, '--encoding', 'win1251'], io())).toBe(0);
    expect(out.join('').startsWith('ST00011|')).toBe(true);
  });

  it('writes the bytes of the encoding its header declares', async () => {
    const doc = loadFixture('ooo-ontop10');
    const bytes: Buffer[] = [];
    const binaryIo = () => ({ ...io(), stdoutBytes: (b: Uint8Array) => bytes.push(Buffer.from(b)) });
    const input = await writeDoc('doc.json', doc);
    expect(await qrCommand(['--input', input, '--qr-encoding', 'win1251'], binaryIo())).toBe(0);
    const win = Buffer.concat(bytes);
    expect(win.subarray(0, 8).toString('latin1')).toBe('ST00011|');
    expect(win.includes(iconv.encode('Name=ООО «Северный склад»', 'win1251'))).toBe(true);
    expect(win.at(-1)).toBe(0x0a);
    expect(parseGostPayload(win).fields.Name).toBe('ООО «Северный склад»');

    // auto: UTF-8 for a short name, Windows-1251 for a long legal name
    bytes.length = 0;
    expect(await qrCommand(['--input', input], binaryIo())).toBe(0);
    expect(Buffer.concat(bytes).toString('utf8').startsWith('ST00012|Name=ООО «Северный склад»|')).toBe(true);
    bytes.length = 0;
    doc.seller.name = `Общество с ограниченной ответственностью «${'Северный склад '.repeat(7).trim()}»`;
    const long = await writeDoc('long.json', doc);
    expect(await qrCommand(['--input', long, '--qr-encoding', 'auto'], binaryIo())).toBe(0);
    const auto = Buffer.concat(bytes);
    expect(auto.subarray(0, 8).toString('latin1')).toBe('ST00011|');
    expect(parseGostPayload(auto).fields.Name).toBe(doc.seller.name);
    expect(out).toEqual([]);
  });

  it('prints the bank link in link mode and refuses an act', async () => {
    const link = await writeDoc('link.json', loadFixture('link-qr'));
    expect(await qrCommand(['--input', link], io())).toBe(0);
    expect(out).toEqual([loadFixture('link-qr').qr?.link]);
    const act = await writeDoc('act.json', loadFixture('act-ooo'));
    expect(await qrCommand(['--input', act], io())).toBe(1);
    expect(await qrCommand([], io())).toBe(2);
  });
});

describe('qrbill words', () => {
  it('prints the amount in words', async () => {
    expect(await wordsCommand(['25000.00'], io())).toBe(0);
    expect(await wordsCommand(['25', '000,00'], io())).toBe(0);
    expect(await wordsCommand(['1001.21'], io())).toBe(0);
    expect(out).toEqual([
      'Двадцать пять тысяч рублей 00 копеек',
      'Двадцать пять тысяч рублей 00 копеек',
      'Одна тысяча один рубль 21 копейка',
    ]);
  });

  it('rejects a malformed amount with 1 and a missing one with 2', async () => {
    expect(await wordsCommand(['12.345'], io())).toBe(1);
    expect(await wordsCommand(['двадцать'], io())).toBe(1);
    expect(err.join('\n')).toContain('amount');
    expect(await wordsCommand([], io())).toBe(2);
    err = [];
    // a negative amount is a bad amount, not an unknown option
    expect(await wordsCommand(['-5'], io())).toBe(1);
    expect(err.join('\n')).toContain('отрицательной');
  });
});
