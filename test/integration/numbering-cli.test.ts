/**
 * A landlord switching from 1C mid-year continues the numbers 1C issued: `qrbill numbering` sets the next
 * number of a sequence, the robots continue from it, and nothing can make a number repeat.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { runRobot } from './invoicing-kit.js';
import { updatePortalSettings } from '../../src/settings/portalSettings.js';

const run = promisify(execFile);
const cli = path.resolve('src/cli.ts');
const SELLER = ['seller_inn=7704123450', 'seller_kpp=770401001'];

describe.each(databaseEngines())('numbering continued from 1C on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const qrbill = (...args: string[]) =>
    run('npx', ['tsx', cli, ...args], {
      env: { ...process.env, DATA_DIR: h.database.dataDir, DATABASE_URL: h.database.databaseUrl ?? '' },
    }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );

  it('sets the next invoice number, the robot continues from it, and lowering it is refused', async () => {
    h = await startHarness(engine);
    await h.install();
    const m = h.sandbox.memberId;
    await updatePortalSettings(h.database.db, m, { invoiceNumberTemplate: 'АР-{yyyy}-{seq}' });
    expect((await qrbill('numbering', m)).out).toContain('No documents numbered yet.');

    const set = await qrbill('numbering', m, ...SELLER, 'kind=invoice', 'year=2026', 'next=1207');
    expect(set.code, set.err).toBe(0);
    expect(set.out).toContain('is now 1207');
    const first = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(first).toMatchObject({ status: 'ok', invoice_number: 'АР-2026-1207' });
    const second = (await runRobot(h, 'generate_invoice', h.seed.deals.soleTrader)).answer;
    expect(second).toMatchObject({ status: 'ok', invoice_number: 'АР-2026-1208' });

    const listed = JSON.parse((await qrbill('numbering', m, '--json')).out) as unknown[];
    expect(listed).toEqual([
      { sellerInn: '7704123450', sellerKpp: '770401001', kind: 'invoice', year: 2026, lastSeq: 1208, lastNumber: 'АР-2026-1208', nextSeq: 1209 },
    ]);
    // At or below a number already issued: refused, nothing changes.
    for (const next of ['1208', '5']) {
      const low = await qrbill('numbering', m, ...SELLER, 'kind=invoice', 'year=2026', `next=${next}`);
      expect(low.code).toBe(1);
      expect(low.err).toContain('number 1208 is already issued');
    }
    // The KPP can be left out once the INN has one sequence.
    expect((await qrbill('numbering', m, 'seller_inn=7704123450', 'kind=invoice', 'year=2026', 'next=1300')).code).toBe(0);
    const third = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant, { force_new: 'Y' })).answer;
    expect(third).toMatchObject({ status: 'ok', invoice_number: 'АР-2026-1300' });

    const bad = await qrbill('numbering', m, 'seller_inn=7704123451', 'kind=bill', 'year=26', 'next=0');
    expect(bad.code).toBe(1);
    for (const field of ['seller_inn', 'kind', 'year', 'next']) expect(bad.err).toContain(`${field}:`);
    expect((await qrbill('numbering', m, 'next')).code).toBe(2);
  }, 90_000);
});
