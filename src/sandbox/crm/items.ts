/**
 * Universal crm.item.* methods (camelCase, typed values) for deals (2), contacts (3), companies (4)
 * and smart invoices (31), plus crm.item.productrow.* for deal ('D') and invoice ('SI') rows.
 */
import { SandboxRestError, param, type MethodHandler } from '../types.js';
import { describeField } from './fieldSpec.js';
import {
  ENTITY_DEFS,
  createEntity,
  itemResolver,
  itemView,
  readInput,
  updateEntity,
  type EntityDef,
} from './entities.js';
import { asArray, asObject, requireId, toInt, toYN, ufToCamel } from './format.js';
import { addRow, itemRowView, readItemRow, recalcTotals, replaceRows } from './productRows.js';
import { filterRecords, orderRecords, parseFilterKey, wrappedListPage, type Resolve } from './query.js';
import type { CrmState, ProductRow } from './state.js';
import { describeUserField, userFieldsOf } from './userFields.js';

type Table = Record<string, MethodHandler>;

function entityDef(params: Record<string, any>): EntityDef {
  const entityTypeId = toInt(param(params, 'entityTypeId'));
  if (entityTypeId === 5) throw new SandboxRestError('ENTITY_TYPE_NOT_SUPPORTED', 'Entity type INVOICE is not supported');
  const def = entityTypeId === null ? undefined : ENTITY_DEFS[entityTypeId];
  if (!def) throw new SandboxRestError('NOT_FOUND', 'Smart process not found');
  return def;
}

function notFound(): SandboxRestError {
  return new SandboxRestError('NOT_FOUND', 'Element not found');
}

function ownerOf(state: CrmState, ownerType: unknown, ownerId: unknown): { type: 'D' | 'SI'; id: number } {
  const type = String(ownerType ?? '').toUpperCase();
  if (type !== 'D' && type !== 'SI') {
    throw new SandboxRestError('ENTITY_TYPE_NOT_SUPPORTED', `Entity type ${String(ownerType)} is not supported`);
  }
  const id = toInt(ownerId);
  const exists = id !== null && (type === 'D' ? state.deals.has(id) : state.invoices.has(id));
  if (!exists || id === null) throw new SandboxRestError('OWNER_NOT_FOUND', 'Owner was not found');
  return { type, id };
}

const ROW_KINDS: Record<string, 'int' | 'double' | 'string' | 'char'> = {
  id: 'int',
  ownerId: 'int',
  ownerType: 'string',
  productId: 'int',
  productName: 'string',
  price: 'double',
  quantity: 'double',
  taxRate: 'double',
  taxIncluded: 'char',
  measureCode: 'int',
  sort: 'int',
};

const resolveRow: Resolve = (field) => {
  const kind = ROW_KINDS[field];
  return kind ? { kind, get: (r: ProductRow) => (r as unknown as Record<string, unknown>)[field] } : undefined;
};

export function createItemMethods(state: CrmState): Table {
  const find = (def: EntityDef, params: Record<string, any>) => {
    const id = toInt(param(params, 'id'));
    const rec = id === null ? undefined : def.table(state).get(id);
    if (!rec) throw notFound();
    return rec;
  };
  const original = (params: Record<string, any>) => toYN(param(params, 'useOriginalUfNames')) === 'Y';
  return {
    'crm.item.fields': (params) => {
      const def = entityDef(params);
      const fields: Record<string, unknown> = {};
      for (const spec of def.fields) if (!spec.itemHidden) fields[spec.camel] = { ...describeField(spec), upperName: spec.name };
      if (def.ufEntityId) {
        for (const d of userFieldsOf(state, def.ufEntityId)) {
          fields[original(params) ? d.FIELD_NAME : ufToCamel(d.FIELD_NAME)] = { ...describeUserField(d), upperName: d.FIELD_NAME };
        }
      }
      return { fields };
    },
    'crm.item.get': (params, ctx) => {
      const def = entityDef(params);
      return { item: itemView(state, def, find(def, params), ctx.baseUrl, undefined, original(params)) };
    },
    'crm.item.add': (params, ctx) => {
      const def = entityDef(params);
      const input = readInput(state, def, param(params, 'fields'), 'item', ctx.userId);
      const rec = createEntity(state, def, input, ctx, 'item');
      return { item: itemView(state, def, rec, ctx.baseUrl, undefined, original(params)) };
    },
    'crm.item.update': (params, ctx) => {
      const def = entityDef(params);
      const rec = find(def, params);
      updateEntity(state, def, rec, readInput(state, def, param(params, 'fields'), 'item', ctx.userId), ctx, 'item');
      // With an automatic amount and products, the products decide the amount, not a sent opportunity.
      const ownerType = def.entityTypeId === 2 ? 'D' : def.entityTypeId === 31 ? 'SI' : null;
      if (ownerType && state.productRowsOf(ownerType, rec.ID).length > 0) recalcTotals(state, ownerType, rec.ID);
      return { item: itemView(state, def, rec, ctx.baseUrl, undefined, original(params)) };
    },
    'crm.item.delete': (params) => {
      const def = entityDef(params);
      const rec = find(def, params);
      def.table(state).delete(rec.ID);
      const ownerType = def.entityTypeId === 2 ? 'D' : def.entityTypeId === 31 ? 'SI' : null;
      if (ownerType) {
        for (let i = state.productRows.length - 1; i >= 0; i--) {
          const r = state.productRows[i];
          if (r && r.ownerType === ownerType && r.ownerId === rec.ID) state.productRows.splice(i, 1);
        }
        state.requisiteLinks.delete(`${def.entityTypeId}:${rec.ID}`);
      }
      return [];
    },
    'crm.item.list': (params, ctx) => {
      const def = entityDef(params);
      const resolve = itemResolver(state, def);
      const rows = orderRecords(
        filterRecords([...def.table(state).values()], param(params, 'filter'), resolve),
        param(params, 'order'),
        resolve,
        (r) => r.ID,
      );
      const select = param(params, 'select');
      return wrappedListPage(
        'items',
        rows.map((r) => itemView(state, def, r, ctx.baseUrl, select, original(params))),
        param(params, 'start'),
      );
    },
    'crm.item.productrow.list': (params) => {
      const filter = asObject(param(params, 'filter'));
      const keys = Object.keys(filter).map((k) => parseFilterKey(k).field);
      if (!keys.includes('ownerId') || !keys.includes('ownerType')) {
        throw new SandboxRestError('100', 'Required filter fields ownerId and ownerType are not set');
      }
      const rows = orderRecords(filterRecords(state.productRows, filter, resolveRow), param(params, 'order'), resolveRow, (r) => r.id);
      return wrappedListPage('productRows', rows.map(itemRowView), param(params, 'start'));
    },
    'crm.item.productrow.get': (params) => {
      const id = requireId(param(params, 'id'), 'id');
      const row = state.productRows.find((r) => r.id === id);
      if (!row) throw new SandboxRestError('NOT_FOUND', 'Product row not found');
      return { productRow: itemRowView(row) };
    },
    'crm.item.productrow.add': (params) => {
      const fields = asObject(param(params, 'fields'));
      const owner = ownerOf(state, fields.ownerType, fields.ownerId);
      return { productRow: itemRowView(addRow(state, owner.type, owner.id, readItemRow(fields))) };
    },
    'crm.item.productrow.set': (params) => {
      const owner = ownerOf(state, param(params, 'ownerType'), param(params, 'ownerId'));
      const rows = replaceRows(state, owner.type, owner.id, asArray(param(params, 'productRows')).map(readItemRow));
      return { productRows: rows.map(itemRowView) };
    },
  };
}
