import type { Page } from './types.js';
import { dashboardPage } from './dashboard.js';
import { dealPage } from './deal.js';
import { settingsPage } from './settings.js';

/**
 * The app's pages by name (`/bitrix/app/page/<name>`). The frame POST of the main app opens `dashboard`;
 * the deal tab placement opens `deal`.
 */
export const PAGES: Record<string, Page> = {
  dashboard: dashboardPage,
  deal: dealPage,
  settings: settingsPage,
};
