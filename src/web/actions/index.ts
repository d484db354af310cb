import type { ActionDef } from './types.js';
import { sessionAction } from './session.js';
import { DEAL_ACTIONS } from './deal.js';
import { SETTINGS_ACTIONS } from './settings.js';
import { PAYMENT_ACTIONS } from './payments.js';

/** Every JSON endpoint of the pages, under /bitrix/app/api. */
export const ACTIONS: ActionDef[] = [
  sessionAction,
  ...DEAL_ACTIONS,
  ...SETTINGS_ACTIONS,
  ...PAYMENT_ACTIONS,
];
