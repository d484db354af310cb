import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: indexes for the app's dashboard, which sums a portal's invoices by document date and its
 * payments by the day the money arrived (this month's totals, a year by month). Without them both are full scans
 * of the portal's rows on every page view.
 */
export function dashboardIndexes(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('documents_date_idx').on('documents').columns(['member_id', 'kind', 'doc_date', 'state', 'amount_kopecks']).execute();
      await db.schema.createIndex('payments_pay_date_idx').on('payments').columns(['member_id', 'pay_date']).execute();
    },
  };
}
