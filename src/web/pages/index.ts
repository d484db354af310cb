import type { DownloadPage, Page } from './types.js';
import { dashboardPage } from './dashboard.js';
import { dealPage } from './deal.js';
import { settingsPage } from './settings.js';
import { invoicesCsvPage, invoicesPage } from './invoices.js';
import { paymentsPage } from './payments.js';

/**
 * The app's pages by name (`/bitrix/app/page/<name>`). The frame POST of the main app opens `dashboard`;
 * the deal tab placement opens `deal`.
 */
export const PAGES: Record<string, Page | DownloadPage> = {
  dashboard: dashboardPage,
  deal: dealPage,
  settings: settingsPage,
  invoices: invoicesPage,
  'invoices.csv': invoicesCsvPage,
  payments: paymentsPage,
};
