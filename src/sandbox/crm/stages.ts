/**
 * Pipelines (categories) and their stages. Deal stages of the default pipeline (id 0) have bare ids
 * (`NEW`, `WON`), other deal pipelines prefix `C<id>:`; smart-invoice stages are `DT31_<id>:<code>`.
 * crm.status.list exposes them under ENTITY_ID `DEAL_STAGE`, `DEAL_STAGE_<id>`, `SMART_INVOICE_STAGE_<id>`.
 */
import { SandboxRestError } from '../types.js';
import type { Category, CrmState, StageSemantics, StatusRecord } from './state.js';
import { asObject, requireId, toInt } from './format.js';
import { classicValue, f, type FieldSpec } from './fieldSpec.js';
import { filterRecords, orderRecords, wrappedListPage, type Resolve } from './query.js';
import { listPage } from '../types.js';
import { specResolver } from './specRecords.js';

export const DEAL = 2;
export const SMART_INVOICE = 31;

export interface StageSeed {
  code: string;
  name: string;
  semantics?: StageSemantics;
  color?: string;
}

export const DEFAULT_DEAL_STAGES: StageSeed[] = [
  { code: 'NEW', name: 'Новая', color: '#39A8EF' },
  { code: 'PREPARATION', name: 'Подготовка документов', color: '#2FC6F6' },
  { code: 'PREPAYMENT_INVOICE', name: 'Счёт на предоплату', color: '#55D0E0' },
  { code: 'EXECUTING', name: 'В работе', color: '#47E4C2' },
  { code: 'FINAL_INVOICE', name: 'Финальный счёт', color: '#FFA900' },
  { code: 'WON', name: 'Сделка успешна', semantics: 'success', color: '#7BD500' },
  { code: 'LOSE', name: 'Сделка провалена', semantics: 'failure', color: '#FF5752' },
  { code: 'APOLOGY', name: 'Анализ причины провала', semantics: 'apology', color: '#FF5752' },
];

export const DEFAULT_INVOICE_STAGES: StageSeed[] = [
  { code: 'N', name: 'Новый', color: '#22B9FF' },
  { code: 'S', name: 'Отправлен клиенту', color: '#FFA900' },
  { code: 'P', name: 'Оплачен', semantics: 'success', color: '#7BD500' },
  { code: 'D', name: 'Не оплачен', semantics: 'failure', color: '#FF5752' },
];

export function stageEntityId(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === DEAL) return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  if (entityTypeId === SMART_INVOICE) return `SMART_INVOICE_STAGE_${categoryId}`;
  return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`;
}

export function stagePrefix(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === DEAL) return categoryId === 0 ? '' : `C${categoryId}:`;
  return `DT${entityTypeId}_${categoryId}:`;
}

export interface NewCategory {
  name: string;
  /** Explicit id (the default deal pipeline is 0); otherwise the next free one. */
  id?: number;
  sort?: number;
  isDefault?: boolean;
  /** Stage codes without the pipeline prefix; defaults to the platform's default set. */
  stages?: StageSeed[];
}

export function addCategory(state: CrmState, entityTypeId: number, spec: NewCategory): Category {
  let id = spec.id;
  if (id === undefined) {
    id = state.nextId('category');
    while (state.categories.some((c) => c.id === id)) id = state.nextId('category');
  } else if (id > 0) {
    state.reserveId('category', id);
  }
  // Category ids are unique across entity types; only the deal's default pipeline is 0.
  if (state.categories.some((c) => c.id === id && (id !== 0 || c.entityTypeId === entityTypeId))) {
    throw new SandboxRestError('ERROR_CORE', `Category ${id} already exists`);
  }
  const category: Category = {
    id,
    entityTypeId,
    name: spec.name,
    sort: spec.sort ?? (spec.isDefault ? 300 : 200),
    isDefault: spec.isDefault ? 'Y' : 'N',
  };
  state.categories.push(category);
  const seeds = spec.stages ?? (entityTypeId === DEAL ? DEFAULT_DEAL_STAGES : DEFAULT_INVOICE_STAGES);
  seeds.forEach((s, i) => {
    const semantics = s.semantics ?? 'process';
    const color = s.color ?? '#39A8EF';
    const statusId = stagePrefix(entityTypeId, id) + s.code;
    const status: StatusRecord = {
      ID: state.nextId('status'),
      ENTITY_ID: stageEntityId(entityTypeId, id),
      STATUS_ID: statusId,
      NAME: s.name,
      NAME_INIT: s.semantics === 'success' || s.semantics === 'failure' || i === 0 ? s.name : '',
      SORT: (i + 1) * 10,
      SYSTEM: s.semantics === 'success' || s.semantics === 'failure' || i === 0 ? 'Y' : 'N',
      CATEGORY_ID: entityTypeId === DEAL && id === 0 ? null : id,
      COLOR: color,
      SEMANTICS: semantics === 'success' ? 'S' : semantics === 'failure' || semantics === 'apology' ? 'F' : null,
      EXTRA: { SEMANTICS: semantics, COLOR: color },
      entityTypeId,
      categoryId: id,
    };
    state.statuses.push(status);
  });
  return category;
}

export function findCategory(state: CrmState, entityTypeId: number, categoryId: number): Category | undefined {
  return state.categories.find((c) => c.entityTypeId === entityTypeId && c.id === categoryId);
}

export function defaultCategory(state: CrmState, entityTypeId: number): Category | undefined {
  return state.categories.find((c) => c.entityTypeId === entityTypeId && c.isDefault === 'Y');
}

export function findStage(state: CrmState, entityTypeId: number, stageId: string): StatusRecord | undefined {
  return state.statuses.find((s) => s.entityTypeId === entityTypeId && s.STATUS_ID === stageId);
}

/** `P` in progress, `S` success, `F` failure — the deal's STAGE_SEMANTIC_ID. */
export function stageSemanticId(stage: StatusRecord | undefined): 'P' | 'S' | 'F' {
  return stage?.SEMANTICS ?? 'P';
}

function categoryView(c: Category): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    sort: c.sort,
    entityTypeId: c.entityTypeId,
    isDefault: c.isDefault,
    ...(c.isDefault === 'Y' ? {} : { originId: '', originatorId: '' }),
  };
}

function requireEntityType(params: Record<string, any>): number {
  const entityTypeId = toInt(params.entityTypeId ?? params.ENTITY_TYPE_ID);
  if (entityTypeId !== DEAL && entityTypeId !== SMART_INVOICE) {
    throw new SandboxRestError('NOT_FOUND', 'Smart process not found');
  }
  return entityTypeId;
}

const STATUS_FIELDS: FieldSpec[] = [
  f('ID', 'id', 'int', 'integer', 'ID'),
  f('ENTITY_ID', 'entityId', 'string', 'string', 'Entity'),
  f('STATUS_ID', 'statusId', 'string', 'string', 'Status'),
  f('NAME', 'name', 'string', 'string', 'Name'),
  f('NAME_INIT', 'nameInit', 'string', 'string', 'Initial name'),
  f('SORT', 'sort', 'int', 'integer', 'Sort'),
  f('SYSTEM', 'system', 'char', 'char', 'System'),
  f('CATEGORY_ID', 'categoryId', 'int', 'integer', 'Category'),
  f('COLOR', 'color', 'string', 'string', 'Color'),
  f('SEMANTICS', 'semantics', 'string', 'string', 'Semantics'),
  f('EXTRA', 'extra', 'object', 'object', 'Extra'),
];

const resolveStatus: Resolve = specResolver(STATUS_FIELDS);

function statusView(s: StatusRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of STATUS_FIELDS) out[spec.name] = classicValue(spec.kind, (s as unknown as Record<string, unknown>)[spec.name]);
  return out;
}

export function createStageMethods(state: CrmState): Record<string, (p: Record<string, any>) => unknown> {
  return {
    'crm.category.list': (params) => {
      const entityTypeId = requireEntityType(params);
      const all = state.categories
        .filter((c) => c.entityTypeId === entityTypeId)
        .sort((a, b) => a.sort - b.sort || a.id - b.id)
        .map(categoryView);
      return wrappedListPage('categories', all, params.start);
    },
    'crm.category.get': (params) => {
      const entityTypeId = requireEntityType(params);
      const id = toInt(params.id);
      const c = id === null ? undefined : findCategory(state, entityTypeId, id);
      if (!c) throw new SandboxRestError('NOT_FOUND', 'Category not found');
      return { category: categoryView(c) };
    },
    'crm.status.list': (params) => {
      const rows = orderRecords(
        filterRecords(state.statuses, params.filter ?? params.FILTER, resolveStatus),
        Object.keys(asObject(params.order ?? params.ORDER)).length ? params.order ?? params.ORDER : { SORT: 'ASC' },
        resolveStatus,
        (s) => s.ID,
      );
      return listPage(rows.map(statusView), params.start);
    },
    'crm.status.get': (params) => {
      const id = requireId(params.id ?? params.ID);
      const s = state.statuses.find((x) => x.ID === id);
      if (!s) throw new SandboxRestError('NOT_FOUND', 'Not found');
      return statusView(s);
    },
  };
}
