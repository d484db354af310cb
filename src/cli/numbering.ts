/**
 * `qrbill numbering <member_id>` lists a portal's numbering sequences;
 * `qrbill numbering <member_id> seller_inn=… [seller_kpp=…] kind=invoice|act year=YYYY next=N` makes N the next
 * number, e.g. to continue the numbers 1C issued before the landlord switched mid-year.
 */
import { listSequences } from '../storage/numbering.js';
import { parseNumberingChange } from '../settings/rules.js';
import { applyNumberingChange } from '../settings/numberingChange.js';
import { withDatabase, knownPortal } from './admin.js';
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
    if (!(await knownPortal(db, memberId, io))) return EXIT_INPUT;
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
    const parsed = parseNumberingChange(args);
    if ('issues' in parsed) {
      io.stderr(`Numbering not changed:\n${parsed.issues.map((p) => `  ${p.path}: ${p.messageEn ?? p.message}`).join('\n')}`);
      return EXIT_INPUT;
    }
    const { change } = parsed;
    const outcome = await applyNumberingChange(db, memberId, change);
    if ('issue' in outcome) {
      io.stderr(`Numbering not changed:\n  ${outcome.issue.path}: ${outcome.issue.messageEn ?? outcome.issue.message}`);
      return EXIT_INPUT;
    }
    const { kind, year, next } = change;
    const res = outcome.result;
    const what = `${kind} numbers of ${outcome.sellerKey} in ${year}`;
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
