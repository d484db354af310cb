/**
 * The sandbox portal's CRM and the portal parts around it (users, departments, notifications, drive):
 * in-memory state, the REST method table the sandbox core serves, and a demo landlord portal.
 */
import type { Clock } from '../../clock.js';
import type { MethodTable } from '../types.js';
import { createAddressMethods } from './addresses.js';
import { createClassicMethods } from './classicMethods.js';
import { createItemMethods } from './items.js';
import { createPortalMethods } from './portal.js';
import { createRequisiteMethods } from './requisites.js';
import { DEAL, SMART_INVOICE, addCategory, createStageMethods } from './stages.js';
import { createEmptyState, type CrmState } from './state.js';
import { createTimelineMethods } from './timeline.js';

export type * from './state.js';
export { seedDemoPortal, type DemoSeed, type SeedDealIds, type SeedOptions } from './seed.js';
export { saveDiskFile } from './portal.js';
export { addCategory, type NewCategory, type StageSeed } from './stages.js';
export { MEASURES } from './productRows.js';
export { ADDRESS_TYPES, REQUISITE_ENTITY_TYPE_ID } from './addresses.js';

/** Id of the smart-invoice pipeline every portal has (stages `DT31_2:N`, `:S`, `:P` paid, `:D` unpaid). */
export const DEFAULT_INVOICE_CATEGORY_ID = 2;

/** An empty portal: the default deal pipeline (0) and the default smart-invoice pipeline. */
export function createCrmState(clock: Clock): CrmState {
  const state = createEmptyState(clock);
  addCategory(state, DEAL, { id: 0, name: 'Общая', isDefault: true });
  addCategory(state, SMART_INVOICE, { id: DEFAULT_INVOICE_CATEGORY_ID, name: 'Счета', isDefault: true });
  return state;
}

/** REST handlers keyed by lower-case method name. */
export function createCrmMethods(state: CrmState): MethodTable {
  const all: MethodTable = {
    ...createClassicMethods(state),
    ...createItemMethods(state),
    ...createStageMethods(state),
    ...createRequisiteMethods(state),
    ...createAddressMethods(state),
    ...createTimelineMethods(state),
    ...createPortalMethods(state),
  };
  return Object.fromEntries(Object.entries(all).map(([name, handler]) => [name.toLowerCase(), handler]));
}
