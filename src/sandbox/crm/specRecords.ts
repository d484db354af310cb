/**
 * Plain records described by a FieldSpec list (requisites, bank details, addresses): no user fields,
 * no multifields, every field stored under its classic name. Reading input, writing the classic wire
 * shape and answering `*.list` are the same for all of them.
 */
import { listPage, param, type ListPage } from '../types.js';
import { classicValue, parseValue, type FieldSpec } from './fieldSpec.js';
import { asObject } from './format.js';
import { classicSelect, filterRecords, orderRecords, type Resolve } from './query.js';

export type SpecRecord = Record<string, unknown>;

export function specResolver(fields: FieldSpec[]): Resolve {
  return (field) => {
    const spec = fields.find((x) => x.name === field);
    return spec ? { kind: spec.kind, get: (r: SpecRecord) => r[spec.name] } : undefined;
  };
}

/** The classic view: every scalar a string, unset values null. */
export function specView(fields: FieldSpec[], rec: SpecRecord, keys?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of fields) if (!keys || keys.has(spec.name)) out[spec.name] = classicValue(spec.kind, rec[spec.name] ?? null);
  return out;
}

/** Known, writable fields of `fields` input; unknown ones are dropped silently, as the platform does. */
export function readSpecFields(fields: FieldSpec[], raw: unknown, update: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(asObject(raw))) {
    const spec = fields.find((x) => x.name === k);
    if (!spec || spec.readOnly || (update && spec.immutable)) continue;
    out[k] = parseValue(spec.kind, v);
  }
  return out;
}

/**
 * `filter` (with operator prefixes), `order`, `select` and `start` over records. Ties in the order
 * fall back to `idOf` ascending; records without an id keep the order they are given in.
 */
export function specList(
  fields: FieldSpec[],
  records: SpecRecord[],
  params: Record<string, any>,
  idOf: (r: SpecRecord) => number = (r) => Number(r.ID ?? 0),
): ListPage {
  const resolve = specResolver(fields);
  const rows = orderRecords(filterRecords(records, param(params, 'filter'), resolve), param(params, 'order'), resolve, idOf);
  const names = fields.map((x) => x.name);
  const keys = classicSelect(param(params, 'select'), names, [], new Set(names));
  return listPage(
    rows.map((r) => specView(fields, r, keys)),
    param(params, 'start'),
  );
}
