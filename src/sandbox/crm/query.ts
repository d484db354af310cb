/**
 * List semantics of the platform: filter keys with operator prefixes (`>=DATE`, `@ID`, `%TITLE`, `!STAGE_ID`),
 * order objects and select masks. Records are filtered on typed values so that `>OPPORTUNITY: "900"` compares
 * numbers and `<=CLOSEDATE` compares dates, the way SQL does on the platform's side.
 */
import { listPage, type ListPage } from '../types.js';
import type { Kind } from './fieldSpec.js';
import { asArray, asObject, parseDate, parseDateTime, toNumber, toYN } from './format.js';

export interface Accessor {
  kind: Kind;
  get(rec: any): unknown;
}

/** Finds a field by the name used in the filter/order (UPPER_CASE or camelCase, depending on the method). */
export type Resolve = (field: string) => Accessor | undefined;

// Longest prefixes first so that `>=` is not read as `>` and a field named `=X`.
const OPS = ['!=%', '!%=', '>=', '<=', '!@', '!%', '!=', '=%', '%=', '>', '<', '@', '%', '=', '!'];

export function parseFilterKey(key: string): { op: string; field: string } {
  for (const op of OPS) if (key.startsWith(op)) return { op, field: key.slice(op.length) };
  return { op: '=', field: key };
}

type Norm = string | number | null;

function norm(kind: Kind, v: unknown): Norm {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    case 'int':
    case 'ids':
    case 'money':
    case 'double':
      return toNumber(v);
    case 'date':
      return parseDate(v);
    case 'datetime':
      return parseDateTime(v);
    case 'char':
      return toYN(v);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v).toLowerCase();
  }
}

function recordValues(acc: Accessor, rec: unknown): Norm[] {
  const raw = acc.get(rec);
  const kind: Kind = acc.kind === 'ids' ? 'int' : acc.kind;
  if (Array.isArray(raw)) return raw.map((x) => norm(kind, x));
  return [norm(kind, raw)];
}

function cmp(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split('%')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function isEmptyFilterValue(kind: Kind, v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  return v === false && kind !== 'char';
}

function matchCondition(acc: Accessor, rec: unknown, op: string, fv: unknown): boolean {
  const kind: Kind = acc.kind === 'ids' ? 'int' : acc.kind;
  const values = recordValues(acc, rec);
  const present = values.filter((x): x is string | number => x !== null);
  const inSet = (list: unknown[]): boolean => {
    const set = new Set(list.map((x) => norm(kind, x)));
    return present.some((x) => set.has(x));
  };
  const equals = (): boolean => {
    if (Array.isArray(fv) || (fv !== null && typeof fv === 'object')) return inSet(asArray(fv));
    if (isEmptyFilterValue(acc.kind, fv)) return present.length === 0;
    const n = norm(kind, fv);
    return present.some((x) => x === n);
  };
  const text = (): string[] => present.map((x) => String(x).toLowerCase());
  switch (op) {
    case '=':
      return equals();
    case '!':
    case '!=':
      return !equals();
    case '@':
      return inSet(asArray(fv));
    case '!@':
      return !inSet(asArray(fv));
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const n = norm(kind, fv);
      if (n === null) return false;
      return present.some((x) => {
        const c = cmp(x, n);
        return op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0;
      });
    }
    case '%':
      return text().some((x) => x.includes(String(fv).toLowerCase()));
    case '!%':
      return !text().some((x) => x.includes(String(fv).toLowerCase()));
    case '=%':
    case '%=':
      return text().some((x) => likeRegex(String(fv)).test(x));
    case '!=%':
    case '!%=':
      return !text().some((x) => likeRegex(String(fv)).test(x));
    default:
      return false;
  }
}

/** Applies a platform filter; conditions on unknown fields are ignored, as the classic methods do. */
export function filterRecords<T>(records: T[], filter: unknown, resolve: Resolve): T[] {
  const conditions: Array<{ acc: Accessor; op: string; value: unknown }> = [];
  for (const [key, value] of Object.entries(asObject(filter))) {
    const { op, field } = parseFilterKey(key);
    const acc = resolve(field);
    if (acc) conditions.push({ acc, op, value });
  }
  if (conditions.length === 0) return records.slice();
  return records.filter((rec) => conditions.every((c) => matchCondition(c.acc, rec, c.op, c.value)));
}

/** `{FIELD: 'ASC'|'DESC'}`; nulls sort first ascending (as in SQL), ties fall back to ascending id. */
export function orderRecords<T>(records: T[], order: unknown, resolve: Resolve, idOf: (r: T) => number): T[] {
  const keys: Array<{ acc: Accessor; desc: boolean }> = [];
  for (const [field, dir] of Object.entries(asObject(order))) {
    const acc = resolve(field);
    if (acc) keys.push({ acc, desc: String(dir).toUpperCase() === 'DESC' });
  }
  return records.slice().sort((a, b) => {
    for (const k of keys) {
      const va = recordValues(k.acc, a)[0] ?? null;
      const vb = recordValues(k.acc, b)[0] ?? null;
      let c = 0;
      if (va === null && vb !== null) c = -1;
      else if (va !== null && vb === null) c = 1;
      else if (va !== null && vb !== null) c = cmp(va, vb);
      if (c !== 0) return k.desc ? -c : c;
    }
    return idOf(a) - idOf(b);
  });
}

/**
 * Classic select: empty → the standard fields, `*` → standard fields (without multifields and user
 * fields), `UF_*` → all user fields, other entries → those fields. `ID` is always present.
 */
export function classicSelect(select: unknown, star: string[], uf: string[], all: Set<string>): Set<string> {
  const list = asArray(select).map(String);
  const out = new Set<string>(['ID']);
  if (list.length === 0) {
    for (const k of star) out.add(k);
    return out;
  }
  for (const s of list) {
    if (s === '*') for (const k of star) out.add(k);
    else if (s === 'UF_*') for (const k of uf) out.add(k);
    else if (all.has(s)) out.add(s);
  }
  return out;
}

/**
 * A page whose `result` is an object wrapping the rows (`{items: [...]}`, `{categories: [...]}`,
 * `{productRows: [...]}`), as crm.item.list and friends answer. The core writes `items` as `result`
 * untouched and `total`/`next` beside it.
 */
export function wrappedListPage(key: string, all: unknown[], start: unknown): ListPage {
  const page = listPage(all, start);
  return { ...page, items: { [key]: page.items } as unknown as unknown[] };
}
