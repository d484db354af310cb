/**
 * Classic (UPPER_CASE) CRM methods: crm.deal.*, crm.company.*, crm.contact.*, deal product rows and
 * deal user fields. Deprecated on the platform but still what many integrations call.
 */
import { listPage, param, type MethodContext, type MethodHandler } from '../types.js';
import { describeField } from './fieldSpec.js';
import {
  COMPANY_DEF,
  CONTACT_DEF,
  DEAL_DEF,
  FM_TYPES,
  classicResolver,
  classicView,
  createEntity,
  readInput,
  updateEntity,
  type EntityDef,
} from './entities.js';
import { asArray, err, requireId } from './format.js';
import { classicRowView, readClassicRow, replaceRows } from './productRows.js';
import { classicSelect, filterRecords, orderRecords } from './query.js';
import { dropRequisite } from './requisites.js';
import type { CrmState } from './state.js';
import { createUserFieldMethods, describeUserField, userFieldsOf } from './userFields.js';

type Table = Record<string, MethodHandler>;

function entityMethods(state: CrmState, def: EntityDef, prefix: string, onDelete: (id: number) => void): Table {
  const table = () => def.table(state);
  const find = (params: Record<string, any>) => {
    const id = requireId(param(params, 'id'));
    const rec = table().get(id);
    if (!rec) throw err.notFound();
    return rec;
  };
  return {
    [`${prefix}.fields`]: () => {
      const out: Record<string, unknown> = {};
      for (const spec of def.fields) out[spec.name] = describeField(spec);
      if (def.hasFm) {
        for (const t of FM_TYPES) {
          out[t] = { type: 'crm_multifield', isRequired: false, isReadOnly: false, isImmutable: false, isMultiple: true, isDynamic: false, title: t };
        }
      }
      if (def.ufEntityId) for (const d of userFieldsOf(state, def.ufEntityId)) out[d.FIELD_NAME] = describeUserField(d);
      return out;
    },
    [`${prefix}.get`]: (params, ctx) => classicView(state, def, find(params), ctx.baseUrl),
    [`${prefix}.add`]: (params, ctx) => {
      const fields = param(params, 'fields');
      if (fields !== undefined && (typeof fields !== 'object' || fields === null)) {
        throw err.argument("Parameter 'fields' must be array.");
      }
      const input = readInput(state, def, fields, 'classic', ctx.userId);
      return createEntity(state, def, input, ctx, 'classic').ID;
    },
    [`${prefix}.update`]: (params, ctx) => {
      const rec = find(params);
      const fields = param(params, 'fields');
      if (typeof fields !== 'object' || fields === null) throw err.argument("Parameter 'fields' must be array.");
      updateEntity(state, def, rec, readInput(state, def, fields, 'classic', ctx.userId), ctx, 'classic');
      return true;
    },
    [`${prefix}.delete`]: (params) => {
      const rec = find(params);
      table().delete(rec.ID);
      onDelete(rec.ID);
      return true;
    },
    [`${prefix}.list`]: (params, ctx: MethodContext) => {
      const resolve = classicResolver(state, def);
      const filter = param(params, 'filter');
      if (filter !== undefined && (typeof filter !== 'object' || filter === null)) {
        throw err.argument("Parameter 'filter' must be array.");
      }
      const ordered = orderRecords(
        filterRecords([...table().values()], filter, resolve),
        param(params, 'order'),
        resolve,
        (r) => r.ID,
      );
      const star = def.fields.filter((s) => !s.classicHidden).map((s) => s.name);
      const uf = def.ufEntityId ? userFieldsOf(state, def.ufEntityId).map((d) => d.FIELD_NAME) : [];
      const known = new Set([...star, ...uf, ...(def.hasFm ? FM_TYPES : [])]);
      const keys = classicSelect(param(params, 'select'), star, uf, known);
      return listPage(
        ordered.map((r) => classicView(state, def, r, ctx.baseUrl, keys)),
        param(params, 'start'),
      );
    },
  };
}

function dropRequisitesOf(state: CrmState, entityTypeId: number, entityId: number): void {
  for (const rq of [...state.requisites.values()]) {
    if (rq.ENTITY_TYPE_ID !== entityTypeId || rq.ENTITY_ID !== entityId) continue;
    dropRequisite(state, rq.ID);
  }
}

export function createClassicMethods(state: CrmState): Table {
  const dropDealRows = (dealId: number) => {
    for (let i = state.productRows.length - 1; i >= 0; i--) {
      const r = state.productRows[i];
      if (r && r.ownerType === 'D' && r.ownerId === dealId) state.productRows.splice(i, 1);
    }
    state.requisiteLinks.delete(`2:${dealId}`);
  };
  const deal = (params: Record<string, any>) => {
    const id = requireId(param(params, 'id'));
    const rec = state.deals.get(id);
    if (!rec) throw err.notFound();
    return rec;
  };
  return {
    ...entityMethods(state, DEAL_DEF, 'crm.deal', dropDealRows),
    ...entityMethods(state, COMPANY_DEF, 'crm.company', (id) => dropRequisitesOf(state, 4, id)),
    ...entityMethods(state, CONTACT_DEF, 'crm.contact', (id) => dropRequisitesOf(state, 3, id)),
    'crm.deal.productrows.get': (params) => state.productRowsOf('D', deal(params).ID).map(classicRowView),
    'crm.deal.productrows.set': (params) => {
      const rec = deal(params);
      const rows = param(params, 'rows');
      replaceRows(state, 'D', rec.ID, asArray(rows).map(readClassicRow));
      return true;
    },
    ...createUserFieldMethods(state, 'crm.deal.userfield', 'CRM_DEAL', (name) => {
      for (const d of state.deals.values()) delete d.UF[name];
    }),
  };
}
