import type { ActionDef } from './types.js';
import { sessionAction } from './session.js';
import { SETTINGS_ACTIONS } from './settings.js';

/** Every JSON endpoint of the pages, under /bitrix/app/api. */
export const ACTIONS: ActionDef[] = [sessionAction, ...SETTINGS_ACTIONS];
