/**
 * The record engine behind deals, companies, contacts and smart invoices: reading client input in
 * either dialect, the entity rules (pipelines and stages, contact bindings, defaults), storing, the
 * stage-change hook, and writing the classic and crm.item views.
 */
import { SandboxRestError, type SandboxHooks } from '../types.js';
import { classicValue, itemValue, parseValue, type FieldSpec } from './fieldSpec.js';
import { COMPANY_FIELDS, CONTACT_FIELDS, DEAL_FIELDS, INVOICE_FIELDS } from './entityFields.js';
import { addDays, asArray, asObject, err, portalDate, toInt, ufToCamel } from './format.js';
import type { Accessor, Resolve } from './query.js';
import { DEAL, SMART_INVOICE, defaultCategory, findCategory, findStage, stageSemanticId } from './stages.js';
import type { CrmEntityRecord, CrmState, Multifield } from './state.js';
import { classicUfValue, itemUfValue, parseUfValue, ufKind, userFieldsOf } from './userFields.js';

export type Dialect = 'classic' | 'item';

export const FM_TYPES: Multifield['TYPE_ID'][] = ['PHONE', 'EMAIL', 'WEB', 'IM'];

interface Rules {
  state: CrmState;
  rec: CrmEntityRecord;
  prev: CrmEntityRecord | null;
  input: Record<string, unknown>;
  userId: number;
  now: number;
  dialect: Dialect;
}

export interface EntityDef {
  entityTypeId: number;
  /** crm.item / timeline names: `DEAL`, `deal`. */
  typeName: string;
  ufEntityId: string | null;
  fields: FieldSpec[];
  hasFm: boolean;
  sequence: string;
  created: { time: string; by: string };
  modified: { time: string; by: string };
  table(state: CrmState): Map<number, CrmEntityRecord>;
  defaults(state: CrmState, userId: number): Record<string, unknown>;
  /** Entity rules once the input is applied (may throw; nothing is stored then). */
  rules?(r: Rules): void;
  /** Runs after the record is stored. */
  saved?(state: CrmState, rec: CrmEntityRecord, prev: CrmEntityRecord | null, hooks: SandboxHooks): void;
}

function invalidField(dialect: Dialect, title: string, detail: string): SandboxRestError {
  return dialect === 'item'
    ? new SandboxRestError('CRM_FIELD_ERROR_VALUE_NOT_VALID', `Неверное значение поля "${title}"`)
    : err.core(detail);
}

/** Stage/pipeline rules shared by deals and smart invoices. */
function applyPipeline(r: Rules, entityTypeId: number, movedTime: string, movedBy: string): void {
  const { state, rec, prev, input } = r;
  const categoryId = toInt(rec.CATEGORY_ID) ?? defaultCategory(state, entityTypeId)?.id ?? 0;
  if (!findCategory(state, entityTypeId, categoryId)) {
    throw invalidField(r.dialect, 'Воронка', `Category with ID ${categoryId} is not found.`);
  }
  rec.CATEGORY_ID = categoryId;
  const categoryChanged = prev !== null && prev.CATEGORY_ID !== categoryId;
  const stageGiven = typeof input.STAGE_ID === 'string' && input.STAGE_ID !== '';
  if (!stageGiven && (prev === null || categoryChanged)) {
    rec.STAGE_ID = state.stagesOf(entityTypeId, categoryId)[0]?.STATUS_ID ?? null;
  } else if (!stageGiven) {
    rec.STAGE_ID = prev?.STAGE_ID ?? null;
  }
  const stage = findStage(state, entityTypeId, String(rec.STAGE_ID));
  if (!stage || stage.categoryId !== categoryId) {
    throw invalidField(
      r.dialect,
      'Стадия',
      `Stage "${String(rec.STAGE_ID)}" does not belong to the pipeline with ID ${categoryId}.`,
    );
  }
  if (prev === null || prev.STAGE_ID !== rec.STAGE_ID) {
    rec[movedTime] = r.now;
    rec[movedBy] = r.userId;
  }
}

/** Keeps the primary binding (`CONTACT_ID`) and the list (`CONTACT_IDS`) consistent. */
function syncBindings(r: Rules, one: string, many: string): void {
  const { rec, input, prev } = r;
  if (input[many] !== undefined) {
    const ids = asArray(rec[many]).map(Number);
    rec[one] = ids[0] ?? null;
  } else if (input[one] !== undefined) {
    const id = toInt(rec[one]);
    const before = asArray(prev?.[many]).map(Number);
    if (id && id > 0) rec[many] = [id, ...before.filter((x) => x !== id)];
    else {
      rec[one] = null;
      rec[many] = [];
    }
  }
}

function fmFlags(rec: CrmEntityRecord): void {
  rec.HAS_EMAIL = rec.FM.some((m) => m.TYPE_ID === 'EMAIL') ? 'Y' : 'N';
  rec.HAS_PHONE = rec.FM.some((m) => m.TYPE_ID === 'PHONE') ? 'Y' : 'N';
}

function firstMyCompany(state: CrmState): number {
  for (const c of state.companies.values()) if (c.IS_MY_COMPANY === 'Y') return c.ID;
  return 0;
}

export const DEAL_DEF: EntityDef = {
  entityTypeId: DEAL,
  typeName: 'deal',
  ufEntityId: 'CRM_DEAL',
  fields: DEAL_FIELDS,
  hasFm: false,
  sequence: 'deal',
  created: { time: 'DATE_CREATE', by: 'CREATED_BY_ID' },
  modified: { time: 'DATE_MODIFY', by: 'MODIFY_BY_ID' },
  table: (s) => s.deals as Map<number, CrmEntityRecord>,
  defaults: (state, userId) => {
    const today = portalDate(state.clock.now().getTime());
    return {
      TITLE: null,
      TYPE_ID: 'SALE',
      CATEGORY_ID: 0,
      STAGE_ID: null,
      IS_NEW: 'Y',
      IS_RECURRING: 'N',
      IS_RETURN_CUSTOMER: 'N',
      IS_REPEATED_APPROACH: 'N',
      PROBABILITY: null,
      CURRENCY_ID: 'RUB',
      OPPORTUNITY: 0,
      IS_MANUAL_OPPORTUNITY: 'N',
      TAX_VALUE: 0,
      COMPANY_ID: 0,
      CONTACT_ID: null,
      CONTACT_IDS: [],
      QUOTE_ID: null,
      BEGINDATE: today,
      CLOSEDATE: addDays(today, 7),
      OPENED: 'Y',
      CLOSED: 'N',
      COMMENTS: null,
      ASSIGNED_BY_ID: userId,
      SOURCE_ID: null,
      SOURCE_DESCRIPTION: null,
      LEAD_ID: null,
      ADDITIONAL_INFO: null,
      ORIGINATOR_ID: null,
      ORIGIN_ID: null,
    };
  },
  rules: (r) => {
    applyPipeline(r, DEAL, 'MOVED_TIME', 'MOVED_BY_ID');
    const stage = findStage(r.state, DEAL, String(r.rec.STAGE_ID));
    r.rec.STAGE_SEMANTIC_ID = stageSemanticId(stage);
    r.rec.CLOSED = r.rec.STAGE_SEMANTIC_ID === 'P' ? 'N' : 'Y';
    r.rec.IS_NEW = r.state.stagesOf(DEAL, Number(r.rec.CATEGORY_ID))[0]?.STATUS_ID === r.rec.STAGE_ID ? 'Y' : 'N';
    syncBindings(r, 'CONTACT_ID', 'CONTACT_IDS');
    r.rec.COMPANY_ID = toInt(r.rec.COMPANY_ID) ?? 0;
    if (!r.rec.TITLE) r.rec.TITLE = `Сделка #${r.rec.ID}`;
  },
  saved: (_state, rec, prev, hooks) => {
    if (prev === null || prev.STAGE_ID !== rec.STAGE_ID) {
      hooks.dealStageChanged(
        { ID: String(rec.ID), STAGE_ID: String(rec.STAGE_ID), CATEGORY_ID: String(rec.CATEGORY_ID) },
        prev === null ? null : String(prev.STAGE_ID),
      );
    }
  },
};

export const INVOICE_DEF: EntityDef = {
  entityTypeId: SMART_INVOICE,
  typeName: 'smart_invoice',
  ufEntityId: null,
  fields: INVOICE_FIELDS,
  hasFm: false,
  sequence: 'invoice',
  created: { time: 'CREATED_TIME', by: 'CREATED_BY' },
  modified: { time: 'UPDATED_TIME', by: 'UPDATED_BY' },
  table: (s) => s.invoices as Map<number, CrmEntityRecord>,
  defaults: (state, userId) => ({
    XML_ID: null,
    TITLE: null,
    ACCOUNT_NUMBER: null,
    CATEGORY_ID: null,
    STAGE_ID: null,
    PREVIOUS_STAGE_ID: null,
    BEGINDATE: null,
    CLOSEDATE: null,
    COMPANY_ID: 0,
    CONTACT_ID: null,
    CONTACT_IDS: [],
    MYCOMPANY_ID: firstMyCompany(state),
    OPPORTUNITY: 0,
    IS_MANUAL_OPPORTUNITY: 'N',
    TAX_VALUE: 0,
    CURRENCY_ID: 'RUB',
    OPENED: 'Y',
    COMMENTS: null,
    SOURCE_ID: null,
    SOURCE_DESCRIPTION: null,
    PARENT_ID_2: null,
    ASSIGNED_BY_ID: userId,
  }),
  rules: (r) => {
    const before = r.prev?.STAGE_ID ?? null;
    applyPipeline(r, SMART_INVOICE, 'MOVED_TIME', 'MOVED_BY');
    if (r.prev !== null && before !== r.rec.STAGE_ID) r.rec.PREVIOUS_STAGE_ID = before;
    syncBindings(r, 'CONTACT_ID', 'CONTACT_IDS');
    r.rec.COMPANY_ID = toInt(r.rec.COMPANY_ID) ?? 0;
    if (!r.rec.TITLE) r.rec.TITLE = `Счёт #${r.rec.ID}`;
    if (!r.rec.ACCOUNT_NUMBER) r.rec.ACCOUNT_NUMBER = String(r.rec.ID);
    if (!r.rec.BEGINDATE) r.rec.BEGINDATE = portalDate(r.now);
    // The platform gives a new invoice a week to be paid unless told otherwise.
    if (!r.rec.CLOSEDATE) r.rec.CLOSEDATE = addDays(String(r.rec.BEGINDATE), 7);
  },
};

export const COMPANY_DEF: EntityDef = {
  entityTypeId: 4,
  typeName: 'company',
  ufEntityId: null,
  fields: COMPANY_FIELDS,
  hasFm: true,
  sequence: 'company',
  created: { time: 'DATE_CREATE', by: 'CREATED_BY_ID' },
  modified: { time: 'DATE_MODIFY', by: 'MODIFY_BY_ID' },
  table: (s) => s.companies as Map<number, CrmEntityRecord>,
  defaults: (_state, userId) => ({
    TITLE: '',
    COMPANY_TYPE: 'CUSTOMER',
    INDUSTRY: null,
    EMPLOYEES: null,
    CURRENCY_ID: 'RUB',
    REVENUE: null,
    IS_MY_COMPANY: 'N',
    BANKING_DETAILS: null,
    OPENED: 'Y',
    COMMENTS: null,
    HAS_PHONE: 'N',
    HAS_EMAIL: 'N',
    ASSIGNED_BY_ID: userId,
    LEAD_ID: null,
    ORIGINATOR_ID: null,
    ORIGIN_ID: null,
  }),
  rules: (r) => fmFlags(r.rec),
};

export const CONTACT_DEF: EntityDef = {
  entityTypeId: 3,
  typeName: 'contact',
  ufEntityId: null,
  fields: CONTACT_FIELDS,
  hasFm: true,
  sequence: 'contact',
  created: { time: 'DATE_CREATE', by: 'CREATED_BY_ID' },
  modified: { time: 'DATE_MODIFY', by: 'MODIFY_BY_ID' },
  table: (s) => s.contacts as Map<number, CrmEntityRecord>,
  defaults: (_state, userId) => ({
    HONORIFIC: null,
    NAME: null,
    SECOND_NAME: null,
    LAST_NAME: null,
    POST: null,
    TYPE_ID: 'CLIENT',
    SOURCE_ID: null,
    BIRTHDATE: null,
    COMPANY_ID: null,
    COMPANY_IDS: [],
    OPENED: 'Y',
    EXPORT: 'Y',
    COMMENTS: null,
    HAS_PHONE: 'N',
    HAS_EMAIL: 'N',
    ASSIGNED_BY_ID: userId,
    LEAD_ID: null,
    ORIGINATOR_ID: null,
    ORIGIN_ID: null,
  }),
  rules: (r) => {
    syncBindings(r, 'COMPANY_ID', 'COMPANY_IDS');
    fmFlags(r.rec);
  },
};

export const ENTITY_DEFS: Record<number, EntityDef> = {
  [DEAL]: DEAL_DEF,
  3: CONTACT_DEF,
  4: COMPANY_DEF,
  [SMART_INVOICE]: INVOICE_DEF,
};

interface FmChange {
  id?: number;
  typeId: Multifield['TYPE_ID'];
  valueType?: string;
  value?: string;
  remove?: boolean;
}

export interface ParsedInput {
  std: Record<string, unknown>;
  uf: Record<string, unknown>;
  fm: FmChange[];
}

function specFor(def: EntityDef, key: string, dialect: Dialect): FieldSpec | undefined {
  if (dialect === 'item') return def.fields.find((s) => s.camel === key) ?? def.fields.find((s) => s.name === key);
  return def.fields.find((s) => s.name === key);
}

/** Client input → typed values; read-only and unknown fields are dropped, as the platform does. */
export function readInput(state: CrmState, def: EntityDef, raw: unknown, dialect: Dialect, userId: number): ParsedInput {
  const parsed: ParsedInput = { std: {}, uf: {}, fm: [] };
  const ufDefs = def.ufEntityId ? userFieldsOf(state, def.ufEntityId) : [];
  for (const [key, value] of Object.entries(asObject(raw))) {
    const spec = specFor(def, key, dialect);
    if (spec) {
      if (!spec.readOnly) parsed.std[spec.name] = parseValue(spec.kind, value);
      continue;
    }
    const ufDef = ufDefs.find((d) => d.FIELD_NAME === key || (dialect === 'item' && ufToCamel(d.FIELD_NAME) === key));
    if (ufDef) {
      parsed.uf[ufDef.FIELD_NAME] = parseUfValue(state, ufDef, value, userId);
      continue;
    }
    if (!def.hasFm) continue;
    if (dialect === 'classic' && (FM_TYPES as string[]).includes(key)) {
      for (const entry of asArray(value)) {
        const e = asObject(entry);
        parsed.fm.push({
          id: toInt(e.ID) ?? undefined,
          typeId: key as Multifield['TYPE_ID'],
          valueType: e.VALUE_TYPE ? String(e.VALUE_TYPE) : undefined,
          value: e.VALUE === undefined || e.VALUE === null ? undefined : String(e.VALUE),
          remove: String(e.DELETE ?? '').toUpperCase() === 'Y',
        });
      }
    } else if (dialect === 'item' && key === 'fm') {
      for (const entry of asArray(value)) {
        const e = asObject(entry);
        const typeId = String(e.typeId ?? '').toUpperCase();
        if (!(FM_TYPES as string[]).includes(typeId)) continue;
        parsed.fm.push({
          id: toInt(e.id) ?? undefined,
          typeId: typeId as Multifield['TYPE_ID'],
          valueType: e.valueType ? String(e.valueType) : undefined,
          value: e.value === undefined || e.value === null ? undefined : String(e.value),
        });
      }
    }
  }
  return parsed;
}

function applyFm(state: CrmState, rec: CrmEntityRecord, changes: FmChange[]): void {
  for (const c of changes) {
    if (c.id !== undefined) {
      const i = rec.FM.findIndex((m) => m.ID === c.id);
      const existing = rec.FM[i];
      if (!existing) continue;
      if (c.remove || c.value === '') rec.FM.splice(i, 1);
      else {
        if (c.value !== undefined) existing.VALUE = c.value;
        if (c.valueType) existing.VALUE_TYPE = c.valueType;
      }
    } else if (c.value) {
      rec.FM.push({ ID: state.nextId('multifield'), TYPE_ID: c.typeId, VALUE_TYPE: c.valueType ?? 'WORK', VALUE: c.value });
    }
  }
}

function copyRecord(rec: CrmEntityRecord): CrmEntityRecord {
  const out: CrmEntityRecord = { ...rec, UF: { ...rec.UF }, FM: rec.FM.map((m) => ({ ...m })) };
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v) && k !== 'FM') out[k] = v.slice();
  return out;
}

export interface WriteContext {
  userId: number;
  hooks: SandboxHooks;
}

export function createEntity(
  state: CrmState,
  def: EntityDef,
  input: ParsedInput,
  ctx: WriteContext,
  dialect: Dialect,
): CrmEntityRecord {
  const now = state.clock.now().getTime();
  const id = state.nextId(def.sequence);
  const rec: CrmEntityRecord = { ID: id, UF: {}, FM: [], ...def.defaults(state, ctx.userId) };
  for (const [k, v] of Object.entries(input.std)) if (v !== undefined) rec[k] = v;
  Object.assign(rec.UF, input.uf);
  applyFm(state, rec, input.fm);
  rec[def.created.time] = now;
  rec[def.created.by] = ctx.userId;
  rec[def.modified.time] = now;
  rec[def.modified.by] = ctx.userId;
  def.rules?.({ state, rec, prev: null, input: input.std, userId: ctx.userId, now, dialect });
  def.table(state).set(id, rec);
  def.saved?.(state, rec, null, ctx.hooks);
  return rec;
}

/** Applies an update in place; returns false when nothing changed (nothing is saved then). */
export function updateEntity(
  state: CrmState,
  def: EntityDef,
  rec: CrmEntityRecord,
  input: ParsedInput,
  ctx: WriteContext,
  dialect: Dialect,
): boolean {
  const now = state.clock.now().getTime();
  const prev = copyRecord(rec);
  const next = copyRecord(rec);
  for (const [k, v] of Object.entries(input.std)) {
    if (v === undefined) continue;
    // Classic update cannot move a deal to another pipeline; crm.item.update can.
    if (dialect === 'classic' && def.fields.find((s) => s.name === k)?.immutable) continue;
    next[k] = v;
  }
  Object.assign(next.UF, input.uf);
  applyFm(state, next, input.fm);
  const std = { ...input.std };
  if (dialect === 'classic') for (const s of def.fields) if (s.immutable) delete std[s.name];
  def.rules?.({ state, rec: next, prev, input: std, userId: ctx.userId, now, dialect });
  if (JSON.stringify(next) === JSON.stringify(prev)) return false;
  next[def.modified.time] = now;
  next[def.modified.by] = ctx.userId;
  for (const k of Object.keys(rec)) if (!(k in next)) delete rec[k];
  Object.assign(rec, next);
  def.saved?.(state, rec, prev, ctx.hooks);
  return true;
}

/** Classic view: UPPER_CASE keys, every scalar a string; multifields only when present (and selected). */
export function classicView(
  state: CrmState,
  def: EntityDef,
  rec: CrmEntityRecord,
  baseUrl: string,
  keys?: Set<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of def.fields) {
    if (spec.classicHidden || (keys && !keys.has(spec.name))) continue;
    out[spec.name] = classicValue(spec.kind, rec[spec.name]);
  }
  if (def.ufEntityId) {
    for (const d of userFieldsOf(state, def.ufEntityId)) {
      if (keys && !keys.has(d.FIELD_NAME)) continue;
      out[d.FIELD_NAME] = classicUfValue(d, rec.UF[d.FIELD_NAME] ?? null, baseUrl);
    }
  }
  if (def.hasFm) {
    for (const t of FM_TYPES) {
      if (keys && !keys.has(t)) continue;
      const list = rec.FM.filter((m) => m.TYPE_ID === t);
      if (list.length > 0) {
        out[t] = list.map((m) => ({ ID: String(m.ID), VALUE_TYPE: m.VALUE_TYPE, VALUE: m.VALUE, TYPE_ID: m.TYPE_ID }));
      }
    }
  }
  return out;
}

/** crm.item view: camelCase keys, typed values; `select` narrows it (`*` = everything). */
export function itemView(
  state: CrmState,
  def: EntityDef,
  rec: CrmEntityRecord,
  baseUrl: string,
  select?: unknown,
  originalUfNames = false,
): Record<string, unknown> {
  const selected = asArray(select).map(String);
  const all = selected.length === 0 || selected.includes('*');
  const allUf = all || selected.includes('UF_*') || selected.includes('uf*') || selected.includes('ufCrm*');
  const out: Record<string, unknown> = {};
  for (const spec of def.fields) {
    if (spec.itemHidden || !(all || spec.camel === 'id' || selected.includes(spec.camel))) continue;
    out[spec.camel] = itemValue(spec.kind, rec[spec.name]);
  }
  if (def.ufEntityId) {
    for (const d of userFieldsOf(state, def.ufEntityId)) {
      const key = originalUfNames ? d.FIELD_NAME : ufToCamel(d.FIELD_NAME);
      if (!(allUf || selected.includes(key) || selected.includes(d.FIELD_NAME))) continue;
      out[key] = itemUfValue(d, rec.UF[d.FIELD_NAME] ?? null, baseUrl);
    }
  }
  if (def.hasFm && (all || selected.includes('fm'))) {
    out.fm = rec.FM.map((m) => ({ id: m.ID, valueType: m.VALUE_TYPE, value: m.VALUE, typeId: m.TYPE_ID }));
    out.email = rec.FM.find((m) => m.TYPE_ID === 'EMAIL')?.VALUE ?? '';
    out.phone = rec.FM.find((m) => m.TYPE_ID === 'PHONE')?.VALUE ?? '';
  }
  out.entityTypeId = def.entityTypeId;
  return out;
}

function fieldAccessor(spec: FieldSpec): Accessor {
  return { kind: spec.kind, get: (r: CrmEntityRecord) => r[spec.name] };
}

/** Filter/order names of the classic dialect (CONTACT_IDS is not filterable there, as on the platform). */
export function classicResolver(state: CrmState, def: EntityDef): Resolve {
  return (field) => {
    const spec = def.fields.find((s) => s.name === field && !s.classicHidden);
    if (spec) return fieldAccessor(spec);
    const d = def.ufEntityId ? userFieldsOf(state, def.ufEntityId).find((u) => u.FIELD_NAME === field) : undefined;
    if (d) return { kind: ufKind(d), get: (r: CrmEntityRecord) => r.UF[d.FIELD_NAME] };
    if (def.hasFm && (FM_TYPES as string[]).includes(field)) {
      return { kind: 'string', get: (r: CrmEntityRecord) => r.FM.filter((m) => m.TYPE_ID === field).map((m) => m.VALUE) };
    }
    return undefined;
  };
}

export function itemResolver(state: CrmState, def: EntityDef): Resolve {
  return (field) => {
    const spec = def.fields.find((s) => s.camel === field) ?? def.fields.find((s) => s.name === field);
    if (spec) return fieldAccessor(spec);
    const d = def.ufEntityId
      ? userFieldsOf(state, def.ufEntityId).find((u) => u.FIELD_NAME === field || ufToCamel(u.FIELD_NAME) === field)
      : undefined;
    if (d) return { kind: ufKind(d), get: (r: CrmEntityRecord) => r.UF[d.FIELD_NAME] };
    return undefined;
  };
}
