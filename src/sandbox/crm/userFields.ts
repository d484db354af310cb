/**
 * Deal user fields (`UF_CRM_*`): definitions managed by crm.deal.userfield.*, values stored on the
 * record and written in each dialect the way the platform does.
 */
import type { MethodContext } from '../types.js';
import type { Kind } from './fieldSpec.js';
import type { CrmState, UserFieldDef, UserFieldEnumItem } from './state.js';
import {
  asArray,
  asObject,
  decodeFileParam,
  err,
  isoDate,
  isoDateTime,
  parseDate,
  parseDateTime,
  requireId,
  toInt,
  toNumber,
  toYN,
} from './format.js';
import { filterRecords, orderRecords, type Resolve } from './query.js';

export const UF_TYPES = [
  'string',
  'integer',
  'double',
  'boolean',
  'datetime',
  'date',
  'money',
  'url',
  'address',
  'enumeration',
  'file',
  'employee',
  'crm_status',
  'iblock_section',
  'iblock_element',
  'crm',
];

const UF_PREFIX = 'UF_CRM_';
const MAX_NAME = 50;

export function userFieldsOf(state: CrmState, entityId: string): UserFieldDef[] {
  return state.userFields.filter((d) => d.ENTITY_ID === entityId);
}

/** How a user field compares in filters. */
export function ufKind(def: UserFieldDef): Kind {
  switch (def.USER_TYPE_ID) {
    case 'integer':
    case 'enumeration':
    case 'employee':
    case 'boolean':
    case 'file':
      return 'int';
    case 'double':
      return 'double';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}

function parseScalar(state: CrmState, def: UserFieldDef, v: unknown, userId: number): unknown {
  if (v === null || v === undefined || v === '') return null;
  switch (def.USER_TYPE_ID) {
    case 'integer':
    case 'enumeration':
    case 'employee':
      return toInt(v);
    case 'double':
      return toNumber(v);
    case 'boolean':
      return toYN(v) === 'Y' ? 1 : 0;
    case 'date':
      return parseDate(v);
    case 'datetime':
      return parseDateTime(v);
    case 'file': {
      const decoded = decodeFileParam(v);
      if (decoded) return storeLooseFile(state, decoded.name, decoded.content, userId);
      const id = toInt(typeof v === 'object' ? (v as { id?: unknown }).id : v);
      return id;
    }
    default:
      return typeof v === 'object' ? v : String(v);
  }
}

/** Reads a value as sent by a client; multiple fields keep arrays, single ones a scalar. */
export function parseUfValue(state: CrmState, def: UserFieldDef, v: unknown, userId: number): unknown {
  if (def.MULTIPLE === 'Y') {
    // A single `[name, base64]` pair for a multiple file field is one file, not two values.
    const list = def.USER_TYPE_ID === 'file' && decodeFileParam(v) ? [v] : asArray(v);
    return list.map((x) => parseScalar(state, def, x, userId)).filter((x) => x !== null);
  }
  const single = Array.isArray(v) && !(def.USER_TYPE_ID === 'file' && decodeFileParam(v)) ? v[0] : v;
  return parseScalar(state, def, single, userId);
}

/** Files of user fields, comments and activities live on the drive without a folder. */
export function storeLooseFile(state: CrmState, name: string, content: Buffer, userId: number): number {
  const id = state.nextId('diskObject');
  state.disk.files.set(id, {
    id,
    name,
    content,
    folderId: null,
    storageId: null,
    createdBy: userId,
    createdAt: state.clock.now().getTime(),
  });
  return id;
}

function classicScalar(def: UserFieldDef, v: unknown, baseUrl: string): unknown {
  if (v === null || v === undefined) return null;
  switch (def.USER_TYPE_ID) {
    case 'boolean':
      return v ? '1' : '0';
    case 'date':
      return isoDate(v as string);
    case 'datetime':
      return isoDateTime(v as number);
    case 'file':
      return { id: v, showUrl: `${baseUrl}/disk/${v}`, downloadUrl: `${baseUrl}/disk/${v}` };
    default:
      return typeof v === 'object' ? v : String(v);
  }
}

function itemScalar(def: UserFieldDef, v: unknown, baseUrl: string): unknown {
  if (v === null || v === undefined) return null;
  switch (def.USER_TYPE_ID) {
    case 'boolean':
      return v ? 'Y' : 'N';
    case 'date':
      return isoDate(v as string);
    case 'datetime':
      return isoDateTime(v as number);
    case 'file':
      return { id: v, url: `${baseUrl}/disk/${v}`, urlMachine: `${baseUrl}/disk/${v}` };
    case 'integer':
    case 'double':
    case 'enumeration':
    case 'employee':
      return Number(v);
    default:
      return v;
  }
}

export function classicUfValue(def: UserFieldDef, v: unknown, baseUrl: string): unknown {
  if (def.MULTIPLE === 'Y') return asArray(v).map((x) => classicScalar(def, x, baseUrl));
  return classicScalar(def, v, baseUrl);
}

export function itemUfValue(def: UserFieldDef, v: unknown, baseUrl: string): unknown {
  if (def.MULTIPLE === 'Y') return asArray(v).map((x) => itemScalar(def, x, baseUrl));
  return itemScalar(def, v, baseUrl);
}

/** A `crm.deal.fields` descriptor of a user field. */
export function describeUserField(def: UserFieldDef): Record<string, unknown> {
  return {
    type: def.USER_TYPE_ID,
    isRequired: def.MANDATORY === 'Y',
    isReadOnly: false,
    isImmutable: false,
    isMultiple: def.MULTIPLE === 'Y',
    isDynamic: true,
    title: def.FIELD_NAME,
    listLabel: def.LIST_COLUMN_LABEL ?? def.FIELD_NAME,
    formLabel: def.EDIT_FORM_LABEL ?? def.FIELD_NAME,
    filterLabel: def.LIST_FILTER_LABEL ?? def.FIELD_NAME,
    settings: def.SETTINGS,
    ...(def.LIST ? { items: def.LIST.map((i) => ({ ID: String(i.ID), VALUE: i.VALUE })) } : {}),
  };
}

/** Labels may be a string or a `lang_map` (`{ru: …, en: …}`); the sandbox portal speaks Russian. */
function label(v: unknown, fallback: string | null): string | null {
  if (typeof v === 'string' && v !== '') return v;
  const map = asObject(v);
  const pick = map.ru ?? map.en ?? Object.values(map)[0];
  return typeof pick === 'string' && pick !== '' ? pick : fallback;
}

function readEnumList(state: CrmState, raw: unknown): UserFieldEnumItem[] {
  const items: UserFieldEnumItem[] = [];
  for (const entry of asArray(raw)) {
    const e = asObject(entry);
    if (e.VALUE === undefined || e.VALUE === null || String(e.VALUE) === '') continue;
    const xmlId = e.XML_ID ? String(e.XML_ID) : `${state.nextId('ufEnumXml')}`;
    if (items.some((i) => i.XML_ID === xmlId)) {
      throw err.core(`List item with value XML_ID='${xmlId}' already exists`);
    }
    items.push({ ID: state.nextId('ufEnum'), VALUE: String(e.VALUE), SORT: toInt(e.SORT) ?? 0, DEF: toYN(e.DEF), XML_ID: xmlId });
  }
  return items;
}

export function addUserField(state: CrmState, entityId: string, fields: Record<string, any>): UserFieldDef {
  const type = fields.USER_TYPE_ID;
  if (type === undefined || type === null || String(type) === '') throw err.core("The 'USER_TYPE_ID' field is not found.");
  if (!UF_TYPES.includes(String(type))) throw err.core('Invalid custom type specified.');
  const rawName = fields.FIELD_NAME;
  if (rawName === undefined || rawName === null || String(rawName) === '') {
    throw err.core("The 'FIELD_NAME' field is not found.");
  }
  const name = String(rawName).startsWith(UF_PREFIX) ? String(rawName) : UF_PREFIX + String(rawName);
  if (name.length > MAX_NAME) throw err.core(`Field name is too long (more than ${MAX_NAME} characters).`);
  if (!/^[A-Z0-9_]+$/.test(name)) {
    throw err.core('Field name contains invalid characters. Allowed characters are: A-Z, 0-9, and _.');
  }
  if (state.userFields.some((d) => d.ENTITY_ID === entityId && d.FIELD_NAME === name)) {
    throw err.core(`A user field named ${name} already exists for ${entityId}.`);
  }
  const base = label(fields.LABEL, null);
  const def: UserFieldDef = {
    ID: state.nextId('userField'),
    ENTITY_ID: entityId,
    FIELD_NAME: name,
    USER_TYPE_ID: String(type),
    XML_ID: fields.XML_ID ? String(fields.XML_ID) : null,
    SORT: toInt(fields.SORT) ?? 100,
    MULTIPLE: String(type) === 'boolean' ? 'N' : toYN(fields.MULTIPLE),
    MANDATORY: toYN(fields.MANDATORY),
    SHOW_FILTER: toYN(fields.SHOW_FILTER) === 'Y' ? 'E' : 'N',
    SHOW_IN_LIST: toYN(fields.SHOW_IN_LIST),
    EDIT_IN_LIST: toYN(fields.EDIT_IN_LIST, 'Y'),
    IS_SEARCHABLE: toYN(fields.IS_SEARCHABLE),
    SETTINGS: asObject(fields.SETTINGS),
    EDIT_FORM_LABEL: label(fields.EDIT_FORM_LABEL, base),
    LIST_COLUMN_LABEL: label(fields.LIST_COLUMN_LABEL, base),
    LIST_FILTER_LABEL: label(fields.LIST_FILTER_LABEL, base),
    ERROR_MESSAGE: label(fields.ERROR_MESSAGE, null),
    HELP_MESSAGE: label(fields.HELP_MESSAGE, null),
    ...(String(type) === 'enumeration' ? { LIST: readEnumList(state, fields.LIST) } : {}),
  };
  state.userFields.push(def);
  return def;
}

function defView(def: UserFieldDef): Record<string, unknown> {
  return {
    ID: String(def.ID),
    ENTITY_ID: def.ENTITY_ID,
    FIELD_NAME: def.FIELD_NAME,
    USER_TYPE_ID: def.USER_TYPE_ID,
    XML_ID: def.XML_ID,
    SORT: String(def.SORT),
    MULTIPLE: def.MULTIPLE,
    MANDATORY: def.MANDATORY,
    SHOW_FILTER: def.SHOW_FILTER,
    SHOW_IN_LIST: def.SHOW_IN_LIST,
    EDIT_IN_LIST: def.EDIT_IN_LIST,
    IS_SEARCHABLE: def.IS_SEARCHABLE,
    SETTINGS: def.SETTINGS,
    EDIT_FORM_LABEL: def.EDIT_FORM_LABEL,
    LIST_COLUMN_LABEL: def.LIST_COLUMN_LABEL,
    LIST_FILTER_LABEL: def.LIST_FILTER_LABEL,
    ERROR_MESSAGE: def.ERROR_MESSAGE,
    HELP_MESSAGE: def.HELP_MESSAGE,
    ...(def.LIST
      ? {
          LIST: def.LIST.map((i) => ({ ID: String(i.ID), SORT: String(i.SORT), VALUE: i.VALUE, DEF: i.DEF, XML_ID: i.XML_ID })),
        }
      : {}),
  };
}

const DEF_KINDS: Record<string, Kind> = {
  ID: 'int',
  FIELD_NAME: 'string',
  USER_TYPE_ID: 'string',
  XML_ID: 'string',
  SORT: 'int',
  MULTIPLE: 'char',
  MANDATORY: 'char',
  SHOW_FILTER: 'string',
  SHOW_IN_LIST: 'char',
  EDIT_IN_LIST: 'char',
  IS_SEARCHABLE: 'char',
};

const resolveDef: Resolve = (field) => {
  const kind = DEF_KINDS[field];
  return kind ? { kind, get: (d: UserFieldDef) => (d as unknown as Record<string, unknown>)[field] } : undefined;
};

function requireAdmin(state: CrmState, ctx: MethodContext): void {
  if (!state.users.get(ctx.userId)?.IS_ADMIN) throw err.accessDenied();
}

/** crm.<entity>.userfield.{add,list,get,update,delete}; defining fields takes a CRM administrator. */
export function createUserFieldMethods(
  state: CrmState,
  prefix: string,
  entityId: string,
  dropValues: (fieldName: string) => void,
): Record<string, (p: Record<string, any>, ctx: MethodContext) => unknown> {
  const find = (params: Record<string, any>): UserFieldDef => {
    const id = requireId(params.id ?? params.ID);
    const def = state.userFields.find((d) => d.ID === id && d.ENTITY_ID === entityId);
    if (!def) throw err.notFound('The entity with ID ' + id + ' is not found.');
    return def;
  };
  return {
    [`${prefix}.add`]: (params, ctx) => {
      requireAdmin(state, ctx);
      return addUserField(state, entityId, asObject(params.fields ?? params.FIELDS)).ID;
    },
    [`${prefix}.list`]: (params, ctx) => {
      requireAdmin(state, ctx);
      const filter = { ...asObject(params.filter ?? params.FILTER) };
      delete filter.LANG;
      const defs = orderRecords(
        filterRecords(userFieldsOf(state, entityId), filter, resolveDef),
        Object.keys(asObject(params.order ?? params.ORDER)).length ? params.order ?? params.ORDER : { SORT: 'ASC', ID: 'ASC' },
        resolveDef,
        (d) => d.ID,
      );
      return defs.map(defView);
    },
    [`${prefix}.get`]: (params, ctx) => {
      requireAdmin(state, ctx);
      return defView(find(params));
    },
    [`${prefix}.update`]: (params, ctx) => {
      requireAdmin(state, ctx);
      const def = find(params);
      const fields = asObject(params.fields ?? params.FIELDS);
      // Name, type and multiplicity cannot change once a field exists.
      if (fields.SORT !== undefined) def.SORT = toInt(fields.SORT) ?? def.SORT;
      if (fields.MANDATORY !== undefined) def.MANDATORY = toYN(fields.MANDATORY);
      if (fields.SETTINGS !== undefined) def.SETTINGS = asObject(fields.SETTINGS);
      if (fields.XML_ID !== undefined) def.XML_ID = fields.XML_ID ? String(fields.XML_ID) : null;
      const base = label(fields.LABEL, null);
      def.EDIT_FORM_LABEL = label(fields.EDIT_FORM_LABEL, base ?? def.EDIT_FORM_LABEL);
      def.LIST_COLUMN_LABEL = label(fields.LIST_COLUMN_LABEL, base ?? def.LIST_COLUMN_LABEL);
      def.LIST_FILTER_LABEL = label(fields.LIST_FILTER_LABEL, base ?? def.LIST_FILTER_LABEL);
      if (def.LIST && fields.LIST !== undefined) def.LIST = readEnumList(state, fields.LIST);
      return true;
    },
    [`${prefix}.delete`]: (params, ctx) => {
      requireAdmin(state, ctx);
      const def = find(params);
      state.userFields.splice(state.userFields.indexOf(def), 1);
      dropValues(def.FIELD_NAME);
      return true;
    },
  };
}
