import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';
import { foundation } from './0001_foundation.js';
import { documents } from './0002_documents.js';
import { restPacing } from './0003_rest_pacing.js';
import { payments } from './0004_payments.js';
import { overdue } from './0005_overdue.js';
import { leases } from './0006_leases.js';
import { invoiceList } from './0007_invoice_list.js';
import { dashboardIndexes } from './0008_dashboard_indexes.js';

/**
 * Every migration, by name; names sort in the order they run. A static record (not a folder scan) so the
 * compiled dist and bundlers find them. Append only: applied migrations are frozen.
 */
export function allMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_foundation': foundation(dialect),
    '0002_documents': documents(dialect),
    '0003_rest_pacing': restPacing(dialect),
    '0004_payments': payments(dialect),
    '0005_overdue': overdue(dialect),
    '0006_leases': leases(dialect),
    '0007_invoice_list': invoiceList(dialect),
    '0008_dashboard_indexes': dashboardIndexes(dialect),
  };
}
