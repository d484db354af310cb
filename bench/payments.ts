/**
 * Statement import without the database: a generated Windows-1251 statement of N incoming payments (plus a
 * twentieth as many outgoing payments and bank fees) against N open invoices — parse, classify, match.
 * Payments use every form the matcher knows: «по счету № 15 от …», «АР-2026-15», partial payments, no
 * number (amount only), third-party payers, several invoices in one payment.
 * Prints the time of each step at 10k and 100k and the ratio (goal ≤ 3 s at 100k, growing about linearly).
 *
 *   npx tsx bench/payments.ts            BENCH_PAYMENTS_SIZES=10000,100000
 *   BENCH_PAYMENTS_PROFILE=/tmp/p.cpuprofile npm run bench payments   CPU profile of the timed part of the last size
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { decideTransactions } from '../src/payments/decide.js';
import { Matcher } from '../src/payments/match/matcher.js';
import type { MatchResult } from '../src/payments/match/types.js';
import { LANDLORD, PREFIX, documents, invoices } from './paymentsData.js';
import { createClassifier } from '../src/payments/statement/classify.js';
import { parseStatement } from '../src/payments/statement/parse.js';
import { encodeStatement, writeStatement } from '../src/payments/statement/write.js';

// Collect the generator's garbage before timing, so the figures are the import's own.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Run {
  n: number;
  documents: number;
  megabytes: number;
  parseMs: number;
  indexMs: number;
  matchMs: number;
  /** CPU time of the process over the three steps (GC threads included): on a busy machine wall time says less. */
  cpuMs: number;
  results: Record<MatchResult, number>;
}

/** Profiles `fn` alone (the generator before it stays out of the profile) when `file` is given. */
async function profiled<T>(file: string | undefined, fn: () => T): Promise<T> {
  if (!file) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const result = fn();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  return result;
}

async function once(n: number, profile?: string): Promise<Run> {
  const list = invoices(n);
  // The generator's documents are not kept: only the bytes go into the timed part, as with a real upload.
  const bytes = encodeStatement(writeStatement({ account: LANDLORD.account, dateFrom: '2026-01-01', dateTo: '2026-12-31', documents: documents(list) }), 'windows-1251');

  gc();
  const { statement, decisions, t0, t1, t2, t3, cpu } = await profiled(profile, () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const statement = parseStatement(bytes);
    const t1 = performance.now();
    const matcher = new Matcher(list, { prefixes: [PREFIX] });
    const classify = createClassifier([{ inn: LANDLORD.inn, account: LANDLORD.account }]);
    const t2 = performance.now();
    const decisions = decideTransactions(statement.transactions, classify, matcher);
    const t3 = performance.now();
    return { statement, decisions, t0, t1, t2, t3, cpu: process.cpuUsage(cpu0) };
  });

  const results = { paid: 0, partially_paid: 0, overpaid: 0, manual: 0, duplicate: 0, skipped: 0 } as Record<MatchResult, number>;
  for (const d of decisions) results[d.decision.result] += 1;
  return { n, documents: statement.transactions.length, megabytes: bytes.length / 1e6, parseMs: t1 - t0, indexMs: t2 - t1, matchMs: t3 - t2, cpuMs: (cpu.user + cpu.system) / 1000, results };
}

const total = (r: Run) => r.parseMs + r.indexMs + r.matchMs;

export async function paymentsBench(): Promise<void> {
  const sizes = (process.env.BENCH_PAYMENTS_SIZES ?? '10000,100000').split(',').map(Number);
  // Wall time on a shared machine says more about the neighbours than about the code: show how busy it was.
  console.log(`machine          : ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await once(2_000); // warm-up: JIT, regexes
  const runs: Run[] = [];
  for (const [i, n] of sizes.entries()) runs.push(await once(n, i === sizes.length - 1 ? process.env.BENCH_PAYMENTS_PROFILE : undefined));
  for (const r of runs) {
    console.log(
      `${String(r.n).padStart(7)} invoices, ${r.documents} documents (${r.megabytes.toFixed(1)} MB cp1251): ` +
        `parse ${r.parseMs.toFixed(0)} ms, index ${r.indexMs.toFixed(0)} ms, classify+match ${r.matchMs.toFixed(0)} ms, total ${total(r).toFixed(0)} ms (cpu ${r.cpuMs.toFixed(0)} ms)`,
    );
    console.log(`         ${Object.entries(r.results).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const [small, large] = [runs[0], runs[runs.length - 1]];
  if (small && large && small !== large) {
    const ratio = total(large) / total(small);
    const cpuRatio = large.cpuMs / small.cpuMs;
    console.log(`ratio            : ${ratio.toFixed(1)}× the time (cpu ${cpuRatio.toFixed(1)}×) for ${(large.n / small.n).toFixed(0)}× the payments (linear would be ${(large.n / small.n).toFixed(0)}×)`);
    console.log(`target           : ≤ 3 s at ${large.n} ${total(large) <= 3000 ? 'met' : 'MISSED'} (${(total(large) / 1000).toFixed(1)} s)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await paymentsBench();
