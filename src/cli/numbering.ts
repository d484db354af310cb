/**
 * `qrbill numbering <member_id>` lists a portal's numbering sequences;
 * `qrbill numbering <member_id> seller_inn=… [seller_kpp=…] kind=invoice|act year=YYYY next=N` makes N the next
 * number, e.g. to continue the numbers 1C issued before the landlord switched mid-year.
 */
import { getPortal } from '../storage/portals.js';
import { listSequences, sellerKeysOfInn, setNextNumber } from '../storage/numbering.js';
import { isValidInn, isValidKpp } from '../requisites/checks.js';
import { withDatabase } from './admin.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';

const USAGE = `Usage: qrbill numbering <member_id> [--json]
       qrbill numbering <member_id> seller_inn=<INN> [seller_kpp=<KPP>] kind=invoice|act year=<YYYY> next=<N>`;

const KEYS = new Set(['seller_inn', 'seller_kpp', 'kind', 'year', 'next']);

export async function numberingCommand(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  const [memberId, ...assignments] = argv.filter((a) => a !== '--json');
  if (!memberId || memberId.includes('=')) {
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  const args: Record<string, string> = {};
  for (const a of assignments) {
    const i = a.indexOf('=');
    const key = i > 0 ? a.slice(0, i) : '';
    if (!KEYS.has(key)) {
      io.stderr(`Unknown argument "${a}".\n${USAGE}`);
      return EXIT_USAGE;
    }
    args[key] = a.slice(i + 1).trim();
  }
  return withDatabase(async ({ db }) => {
    if (!(await getPortal(db, memberId))) {
      io.stderr(`No portal ${memberId} (see qrbill portals)`);
      return EXIT_INPUT;
    }
    if (assignments.length === 0) {
      const rows = await listSequences(db, memberId);
      if (json) io.stdout(JSON.stringify(rows.map((r) => ({ ...splitKey(r.sellerKey), kind: r.kind, year: r.year, lastSeq: r.lastSeq, lastNumber: r.lastNumber, nextSeq: r.lastSeq + 1 })), null, 2));
      else if (!rows.length) io.stdout('No documents numbered yet.');
      else {
        io.stdout('seller INN/KPP          kind     year  last  last number      next');
        for (const r of rows) {
          io.stdout(`${r.sellerKey.padEnd(23)} ${r.kind.padEnd(8)} ${r.year}  ${String(r.lastSeq).padStart(4)}  ${(r.lastNumber ?? '—').padEnd(15)}  ${r.lastSeq + 1}`);
        }
      }
      return EXIT_OK;
    }
    const problems: string[] = [];
    const inn = args.seller_inn ?? '';
    if (!isValidInn(inn)) problems.push(`seller_inn: "${inn}" is not a valid INN (10 or 12 digits with a correct checksum)`);
    const kind = args.kind;
    if (kind !== 'invoice' && kind !== 'act') problems.push(`kind: expected invoice or act, got "${kind ?? ''}"`);
    const year = Number(args.year);
    if (!/^\d{4}$/.test(args.year ?? '') || year < 2000 || year > 2100) problems.push(`year: expected a year such as 2026, got "${args.year ?? ''}"`);
    const next = Number(args.next);
    if (!/^\d{1,9}$/.test(args.next ?? '') || next < 1) problems.push(`next: expected a whole number from 1, got "${args.next ?? ''}"`);
    const kpp = args.seller_kpp;
    if (kpp !== undefined && kpp !== '' && !isValidKpp(kpp)) problems.push(`seller_kpp: "${kpp}" is not a KPP (9 characters)`);
    if (problems.length) {
      io.stderr(`Numbering not changed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      return EXIT_INPUT;
    }
    const sellerKey = await resolveSellerKey(db, memberId, inn, kpp);
    if ('error' in sellerKey) {
      io.stderr(`Numbering not changed:\n  ${sellerKey.error}`);
      return EXIT_INPUT;
    }
    const res = await setNextNumber(db, { memberId, sellerKey: sellerKey.key, kind: kind as 'invoice' | 'act', year }, next);
    const what = `${kind} numbers of ${sellerKey.key} in ${year}`;
    if (res.kind === 'refused') {
      io.stderr(`Numbering not changed: number ${res.lastSeq} is already issued for ${what}; the next number must be above it (${res.lastSeq + 1} or more), so numbers never repeat.`);
      return EXIT_INPUT;
    }
    io.stdout(res.kind === 'unchanged' ? `The next ${what} already is ${next}.` : `The next ${what} is now ${next} (it was ${res.previousLastSeq + 1}).`);
    return EXIT_OK;
  });
}

function splitKey(key: string): { sellerInn: string; sellerKpp: string } {
  const [sellerInn = '', sellerKpp = ''] = key.split('/');
  return { sellerInn, sellerKpp };
}

/**
 * Sequences are kept per seller INN/KPP (a company's branches number on their own). A KPP left out is taken from
 * the sequences already there for the INN; an individual entrepreneur (12-digit INN) has none.
 */
async function resolveSellerKey(
  db: Parameters<typeof sellerKeysOfInn>[0],
  memberId: string,
  inn: string,
  kpp: string | undefined,
): Promise<{ key: string } | { error: string }> {
  if (kpp !== undefined) return { key: `${inn}/${kpp}` };
  if (inn.length === 12) return { key: `${inn}/` };
  const known = await sellerKeysOfInn(db, memberId, inn);
  if (known.length === 1) return { key: known[0]! };
  if (known.length === 0) return { error: `seller_kpp: no documents numbered for INN ${inn} yet, so give its KPP too (seller_kpp=…)` };
  return { error: `seller_kpp: INN ${inn} numbers with several KPPs (${known.map((k) => k.split('/')[1]).join(', ')}); say which with seller_kpp=…` };
}
