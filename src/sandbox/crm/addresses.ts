/**
 * Addresses of requisites (`crm.address.*`). On the platform they are not fields of the requisite
 * (crm.requisite.fields has no RQ_ADDR) but records of their own, attached with ENTITY_TYPE_ID 8 and
 * ENTITY_ID = requisite id; ANCHOR_TYPE_ID/ANCHOR_ID name the company or contact owning the requisite,
 * so a client can fetch every address of a company in one call. A requisite holds one address per type.
 */
import { param, type MethodHandler } from '../types.js';
import { describeField, f, type FieldSpec } from './fieldSpec.js';
import { asObject, err, toInt } from './format.js';
import { readSpecFields, specList } from './specRecords.js';
import type { AddressRecord, CrmState } from './state.js';

/** `crm.enum.ownertype` id of requisites. */
export const REQUISITE_ENTITY_TYPE_ID = 8;

/** Address types of a Russian portal, in the order `crm.enum.addresstype` lists them. */
export const ADDRESS_TYPES = [
  { ID: 11, NAME: 'Адрес доставки' },
  { ID: 1, NAME: 'Фактический адрес' },
  { ID: 6, NAME: 'Юридический адрес' },
  { ID: 4, NAME: 'Адрес регистрации' },
  { ID: 8, NAME: 'Почтовый адрес' },
  { ID: 9, NAME: 'Адрес бенефициара' },
];

const key = { required: true, immutable: true };
const s = (name: string, title: string) => f(name, name, 'string', 'string', title);

export const ADDRESS_FIELDS: FieldSpec[] = [
  f('TYPE_ID', 'TYPE_ID', 'int', 'integer', 'Тип адреса', key),
  f('ENTITY_TYPE_ID', 'ENTITY_TYPE_ID', 'int', 'integer', 'Тип родительской сущности', key),
  f('ENTITY_ID', 'ENTITY_ID', 'int', 'integer', 'ID родительской сущности', key),
  s('ADDRESS_1', 'Улица, дом, корпус, строение'),
  s('ADDRESS_2', 'Квартира / офис'),
  s('CITY', 'Город'),
  s('POSTAL_CODE', 'Почтовый индекс'),
  s('REGION', 'Район'),
  s('PROVINCE', 'Область'),
  s('COUNTRY', 'Страна'),
  s('COUNTRY_CODE', 'Код страны'),
  f('LOC_ADDR_ID', 'LOC_ADDR_ID', 'int', 'integer', 'Идентификатор адреса местоположения'),
  f('ANCHOR_TYPE_ID', 'ANCHOR_TYPE_ID', 'int', 'integer', 'ANCHOR_TYPE_ID', { readOnly: true }),
  f('ANCHOR_ID', 'ANCHOR_ID', 'int', 'integer', 'ANCHOR_ID', { readOnly: true }),
];

const TEXT_FIELDS = ['ADDRESS_1', 'ADDRESS_2', 'CITY', 'POSTAL_CODE', 'REGION', 'PROVINCE', 'COUNTRY', 'COUNTRY_CODE'] as const;

interface AddressKey {
  TYPE_ID: number;
  ENTITY_TYPE_ID: number;
  ENTITY_ID: number;
}

const keyOf = (k: AddressKey) => `${k.ENTITY_TYPE_ID}:${k.ENTITY_ID}:${k.TYPE_ID}`;

/** The three identifying fields every crm.address.add/update/delete call carries, checked in the platform's order. */
function readKey(fields: Record<string, unknown>): AddressKey {
  const typeId = toInt(fields.TYPE_ID);
  if (typeId === null || !ADDRESS_TYPES.some((t) => t.ID === typeId)) throw err.invalidId('TYPE_ID');
  // Leads (1) can carry addresses too, but the sandbox has no leads; companies/contacts only on legacy portals.
  if (toInt(fields.ENTITY_TYPE_ID) !== REQUISITE_ENTITY_TYPE_ID) throw err.invalidId('ENTITY_TYPE_ID');
  const entityId = toInt(fields.ENTITY_ID);
  if (entityId === null || entityId <= 0) throw err.invalidId('ENTITY_ID');
  return { TYPE_ID: typeId, ENTITY_TYPE_ID: REQUISITE_ENTITY_TYPE_ID, ENTITY_ID: entityId };
}

/** crm.address.add: one address per type per requisite; the anchor is the requisite's owner. */
export function addAddress(state: CrmState, raw: unknown): AddressRecord {
  const fields = asObject(raw);
  const k = readKey(fields);
  const requisite = state.requisites.get(k.ENTITY_ID);
  if (!requisite) throw err.invalidId('ENTITY_ID');
  if (state.addresses.has(keyOf(k))) throw err.argument('TypeAddress exists.');
  // Read as an update: the identifying fields were taken above.
  const input = readSpecFields(ADDRESS_FIELDS, fields, true);
  const rec: AddressRecord = {
    ...k,
    ADDRESS_1: null,
    ADDRESS_2: null,
    CITY: null,
    POSTAL_CODE: null,
    REGION: null,
    PROVINCE: null,
    COUNTRY: null,
    COUNTRY_CODE: null,
    // Every CRM address gets a location-module address of its own, even when copied from another one.
    LOC_ADDR_ID: state.nextId('locationAddress'),
    ANCHOR_TYPE_ID: requisite.ENTITY_TYPE_ID,
    ANCHOR_ID: requisite.ENTITY_ID,
  };
  for (const name of TEXT_FIELDS) if (name in input) rec[name] = input[name] as string | null;
  state.addresses.set(keyOf(rec), rec);
  return rec;
}

/** Deletes every address of a requisite (entityTypeId 8), e.g. when the requisite goes. */
export function dropAddressesOf(state: CrmState, entityTypeId: number, entityId: number): void {
  for (const a of state.addressesOf(entityTypeId, entityId)) state.addresses.delete(keyOf(a));
}

export function createAddressMethods(state: CrmState): Record<string, MethodHandler> {
  const find = (fields: Record<string, unknown>): AddressRecord => {
    const rec = state.addresses.get(keyOf(readKey(fields)));
    if (!rec) throw err.argument('TypeAddress not found.');
    return rec;
  };
  return {
    'crm.address.fields': () => Object.fromEntries(ADDRESS_FIELDS.map((x) => [x.name, describeField(x)])),
    'crm.enum.addresstype': () => ADDRESS_TYPES.map((t) => ({ ...t, SYMBOL_CODE: null, SYMBOL_CODE_SHORT: null })),
    // No ids: ties in the order keep the order the addresses were added in.
    'crm.address.list': (params) => specList(ADDRESS_FIELDS, [...state.addresses.values()] as unknown as Record<string, unknown>[], params, () => 0),
    'crm.address.add': (params) => {
      addAddress(state, param(params, 'fields'));
      return true;
    },
    'crm.address.update': (params) => {
      const fields = asObject(param(params, 'fields'));
      const rec = find(fields);
      const input = readSpecFields(ADDRESS_FIELDS, fields, true);
      for (const name of TEXT_FIELDS) if (name in input) rec[name] = input[name] as string | null;
      return true;
    },
    'crm.address.delete': (params) => {
      state.addresses.delete(keyOf(find(asObject(param(params, 'fields')))));
      return true;
    },
  };
}
