import type { ActionDef } from './types.js';
import { sessionAction } from './session.js';
import { PAYMENT_ACTIONS } from './payments.js';

/** Every JSON endpoint of the pages, under /bitrix/app/api. */
export const ACTIONS: ActionDef[] = [sessionAction, ...PAYMENT_ACTIONS];
