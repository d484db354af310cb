import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { QR_MIN_PNG_PX, QR_QUIET_ZONE, qrDarkRuns, qrMatrix, qrPng, qrSvg } from '../../src/qr/image.js';
import { buildGostPayload, parseGostPayload, type GostFields } from '../../src/qr/payload.js';

const FIELDS: GostFields = {
  Name: 'ИП Иванов Иван Иванович',
  PersonalAcc: '40802810900000002851',
  BankName: 'ПАО Сбербанк',
  BIC: '044030827',
  CorrespAcc: '30101810200000000827',
  Sum: 3_050_000,
  Purpose: 'Оплата по счёту № 15 от 01.12.2026 за аренду помещения за декабрь 2026 г., НДС (22%) 5\u00A0500,00 руб.',
  PayeeINN: '773370857141',
  DocNo: '15',
  DocDate: '01.12.2026',
};

const dir = mkdtempSync(join(tmpdir(), 'qr-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pngWidth(png: Buffer): number {
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return png.readUInt32BE(16);
}

function scan(png: Buffer, name: string): Buffer {
  const file = join(dir, name);
  writeFileSync(file, png);
  // -Sbinary keeps the exact payload bytes (no charset guessing by zbar).
  return execFileSync('zbarimg', ['--raw', '-q', '-Sbinary', file], { stdio: ['ignore', 'pipe', 'ignore'] });
}

describe('qrPng', () => {
  it.each(['utf8', 'win1251'] as const)('scans back to the same fields with zbarimg (%s)', async (encoding) => {
    const payload = buildGostPayload(FIELDS, { encoding });
    const png = await qrPng(payload.bytes);
    expect(pngWidth(png)).toBeGreaterThanOrEqual(QR_MIN_PNG_PX);
    const scanned = scan(png, `${encoding}.png`);
    expect(Buffer.compare(scanned, Buffer.from(payload.bytes))).toBe(0);
    const parsed = parseGostPayload(new Uint8Array(scanned));
    expect(parsed.encoding).toBe(encoding);
    expect(parsed.fields.Name).toBe('ИП Иванов Иван Иванович');
    expect(parsed.fields.Purpose).toBe(FIELDS.Purpose);
    expect(parsed.fields.Sum).toBe('3050000');
  });

  it('keeps a small payload at least 3 cm at 300 dpi and honours an explicit scale', async () => {
    const small = new TextEncoder().encode('ST00012|Name=A');
    expect(pngWidth(await qrPng(small))).toBeGreaterThanOrEqual(QR_MIN_PNG_PX);
    const m = qrMatrix(small);
    expect(pngWidth(await qrPng(small, { scale: 2 }))).toBe((m.size + 2 * QR_QUIET_ZONE) * 2);
  });
});

describe('qrMatrix / qrDarkRuns', () => {
  it('uses error correction M in byte mode (version as the reference table says)', () => {
    // §1.8: the standard's example string, 359 bytes UTF-8 → version 14 at M; 283 bytes win1251 → version 12.
    const example =
      'ST00012|Name=ООО «Три кита»|PersonalAcc=40702810138250123017|BankName=ОАО "БАНК"|BIC=044525225|' +
      'CorrespAcc=30101810400000000225|PayeeINN=6200098765|LastName=Иванов|FirstName=Иван|MiddleName=Иванович|' +
      'Purpose=Оплата членского взноса|PayerAddress=г.Рязань ул.Ленина д.10 кв.15|Sum=100000';
    const utf8 = new TextEncoder().encode(example);
    expect(utf8.length).toBe(359);
    expect(qrMatrix(utf8).version).toBe(14);
    expect(qrMatrix(utf8).size).toBe(17 + 4 * 14);
  });

  it('runs cover exactly the dark modules, merged per row', () => {
    const m = qrMatrix(buildGostPayload(FIELDS).bytes);
    const runs = qrDarkRuns(m);
    const painted = new Set<string>();
    for (const r of runs) for (let c = r.col; c < r.col + r.length; c++) painted.add(`${r.row}:${c}`);
    let dark = 0;
    for (let row = 0; row < m.size; row++) {
      for (let col = 0; col < m.size; col++) {
        if (m.isDark(row, col)) dark++;
        expect(painted.has(`${row}:${col}`)).toBe(m.isDark(row, col));
      }
    }
    expect(painted.size).toBe(dark);
    // merged: no run ends where the next one in the same row starts
    for (let i = 1; i < runs.length; i++) {
      const a = runs[i - 1]!;
      const b = runs[i]!;
      if (a.row === b.row) expect(b.col).toBeGreaterThan(a.col + a.length);
    }
    expect(runs.length).toBeLessThan(dark);
  });

  it('refuses a payload too large for any QR version', () => {
    expect(() => qrMatrix(new Uint8Array(3000).fill(0x41))).toThrow(AppError);
  });
});

describe('qrSvg', () => {
  it('draws every run inside the quiet zone', () => {
    const bytes = buildGostPayload(FIELDS).bytes;
    const m = qrMatrix(bytes);
    const svg = qrSvg(bytes);
    const side = m.size + 2 * QR_QUIET_ZONE;
    expect(svg).toContain(`viewBox="0 0 ${side} ${side}"`);
    const moves = [...svg.matchAll(/M(\d+) (\d+)h(\d+)/g)].map((x) => ({
      col: Number(x[1]) - QR_QUIET_ZONE,
      row: Number(x[2]) - QR_QUIET_ZONE,
      length: Number(x[3]),
    }));
    expect(moves).toEqual(qrDarkRuns(m));
  });
});
