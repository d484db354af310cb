import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { encodeStatement, writeStatement } from '../../src/payments/statement/write.js';

const run = promisify(execFile);
const cli = path.resolve('src/cli.ts');
// run from a folder of the user's, so relative paths are the user's: npx would not find tsx there
const tsx = path.resolve('node_modules/.bin/tsx');
const fixtures = path.resolve('test/fixtures/1c');

describe('qrbill statement parse, as a user runs it', () => {
  let dir: string;
  const qrbill = (...args: string[]) =>
    run(tsx, [cli, ...args], { cwd: dir, env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' } }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qrbill-statement-'));
    const text = writeStatement({
      account: '40702810900000000009',
      dateFrom: '2026-12-01',
      dateTo: '2026-12-07',
      declaredEncoding: 'DOS',
      documents: [
        {
          number: '588',
          date: '2026-12-02',
          creditedOn: '2026-12-03',
          amountKopecks: 2_500_000,
          payer: { name: 'ООО "Ромашка"', inn: '7701234567', account: '40702810100000000001' },
          payee: { name: 'ООО "Арендодатель"', inn: '7709876543', account: '40702810900000000009' },
          purpose: 'Оплата по счету № 15 от 01.12.2026 за аренду',
        },
      ],
    });
    writeFileSync(path.join(dir, 'kl_to_1c_dos.txt'), encodeStatement(text, 'cp866'));
    writeFileSync(path.join(dir, 'broken.txt'), encodeStatement(text.replace('Сумма=25000.00', 'Сумма=двадцать пять тысяч'), 'windows-1251'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the transactions of the Windows-1251 sample as one JSON array with decimal amounts', async () => {
    const r = await qrbill('statement', 'parse', path.join(fixtures, 'kilylabs_one_day_cp1251_crlf.txt'), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Array<Record<string, any>>;
    expect(rows).toHaveLength(13);
    expect(rows.filter((t) => t.credited_on).map((t) => t.amount)).toEqual(['6000.00', '14000.00', '20000.00']);
    expect(rows[0]).toMatchObject({ kind: 'Банковский ордер', number: '697162', date: '2016-01-11', amount: '83.23', debited_on: '2016-01-11' });
    expect(rows[12]).toMatchObject({ number: '1', payer: { inn: '123123123123', bank: { bic: '044525225' } }, payee: { account: '40702810200000000001' } });
  });

  it('reads a CP866 file saying Кодировка=DOS from a relative path', async () => {
    const r = await qrbill('statement', 'parse', 'kl_to_1c_dos.txt', '--json');
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.out) as Array<Record<string, any>>;
    expect(row).toMatchObject({ number: '588', amount: '25000.00', credited_on: '2026-12-03', purpose: 'Оплата по счету № 15 от 01.12.2026 за аренду', payer: { name: 'ООО "Ромашка"', inn: '7701234567' } });
    expect(row?.payment_id).toBe('2026-12-02|588|2500000|40702810100000000001');
  });

  it('prints a readable table without --json', async () => {
    const r = await qrbill('statement', 'parse', path.join(fixtures, 'kilylabs_one_day_utf8_crlf.txt'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('кодировка utf-8 (в заголовке: Windows)');
    expect(r.out).toContain('Документов: 13');
    expect(r.out).toMatch(/392\s+11\.01\.2016\s+1\s+Платежное поручение\s+20\s000,00\s+поступило/);
  });

  it('refuses a file that is not a statement or has a bad amount, naming the line', async () => {
    const broken = await qrbill('statement', 'parse', 'broken.txt');
    expect(broken.code).toBe(1);
    expect(broken.out).toBe('');
    expect(broken.err).toMatch(/строка 23: Сумма: сумма «двадцать пять тысяч»/);
    const readme = await qrbill('statement', 'parse', path.resolve('package.json'), '--json');
    expect(readme.code).toBe(1);
    expect(readme.err).toContain('строка 1');
    const missing = await qrbill('statement', 'parse', 'nope.txt');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.txt');
  });

  it('answers a wrong command line with its usage', async () => {
    expect((await qrbill('statement')).code).toBe(2);
    const unknown = await qrbill('statement', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('qrbill statement parse');
    expect((await qrbill('statement', 'parse')).code).toBe(2);
  });
});
