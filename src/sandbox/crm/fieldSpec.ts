/**
 * One description per CRM field, used to read client input, write both wire dialects (classic
 * UPPER_CASE strings and crm.item camelCase typed values), answer `*.fields` and run filters.
 */
import { isoDate, isoDateTime, money, parseDate, parseDateTime, toInt, toNumber, toYN, asArray } from './format.js';

/** Internal value kinds: ids/ints are numbers, money doubles, dates `YYYY-MM-DD`, datetimes epoch ms. */
export type Kind = 'int' | 'money' | 'double' | 'string' | 'char' | 'date' | 'datetime' | 'ids' | 'object';

export interface FieldSpec {
  /** Classic (UPPER_CASE) name, also the key in the stored record. */
  name: string;
  /** crm.item (camelCase) name. */
  camel: string;
  kind: Kind;
  /** Type reported by `crm.*.fields`. */
  bx: string;
  title: string;
  readOnly?: boolean;
  /** Reported as `isRequired` by `*.fields`. */
  required?: boolean;
  /** Accepted on add, ignored on classic update. */
  immutable?: boolean;
  /** Not written by classic get/list (still accepted on input and listed in `*.fields`). */
  classicHidden?: boolean;
  /** Not part of the crm.item view. */
  itemHidden?: boolean;
  statusType?: string;
  multiple?: boolean;
}

export function f(
  name: string,
  camel: string,
  kind: Kind,
  bx: string,
  title: string,
  extra: Partial<FieldSpec> = {},
): FieldSpec {
  return { name, camel, kind, bx, title, ...(kind === 'ids' ? { multiple: true } : {}), ...extra };
}

export function parseValue(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case 'int':
      return toInt(v);
    case 'money':
    case 'double':
      return toNumber(v);
    case 'string':
      return v === null || v === undefined ? null : String(v);
    case 'char':
      return toYN(v);
    case 'date':
      return parseDate(v);
    case 'datetime':
      return parseDateTime(v);
    case 'ids':
      return asArray(v)
        .map((x) => toInt(x))
        .filter((x): x is number => x !== null && x > 0);
    case 'object':
      return v;
  }
}

/** Classic methods write every scalar as a string (`"ID": "12"`, `"OPPORTUNITY": "25000.00"`). */
export function classicValue(kind: Kind, v: unknown): unknown {
  if (v === null || v === undefined) return kind === 'ids' ? [] : null;
  switch (kind) {
    case 'int':
    case 'double':
      return String(v);
    case 'money':
      return money(v as number);
    case 'date':
      return isoDate(v as string);
    case 'datetime':
      return isoDateTime(v as number);
    case 'ids':
      return (v as number[]).map(String);
    default:
      return v;
  }
}

/** crm.item writes typed JSON: numbers for ids and amounts, ATOM strings for dates. */
export function itemValue(kind: Kind, v: unknown): unknown {
  if (v === null || v === undefined) return kind === 'ids' ? [] : null;
  switch (kind) {
    case 'date':
      return isoDate(v as string);
    case 'datetime':
      return isoDateTime(v as number);
    case 'money':
    case 'double':
      return Number(v);
    default:
      return v;
  }
}

/** A `crm.*.fields` descriptor. */
export function describeField(spec: FieldSpec): Record<string, unknown> {
  return {
    type: spec.bx,
    isRequired: spec.required === true,
    isReadOnly: spec.readOnly === true,
    isImmutable: spec.immutable === true,
    isMultiple: spec.multiple === true,
    isDynamic: false,
    title: spec.title,
    ...(spec.statusType ? { statusType: spec.statusType } : {}),
  };
}
