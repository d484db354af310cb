import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: what the invoice list filters on, as plain indexed columns of `documents`. The client
 * lives inside the snapshot JSON and the responsible user in the CRM; filtering 10,000 invoices by either must not
 * parse every snapshot, so both are copied out when a document is issued (the client also for documents issued
 * before this migration; the responsible user was not kept then and stays empty for them).
 */
export function invoiceList(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('documents').addColumn('buyer_name', 'text').execute();
      await db.schema.alterTable('documents').addColumn('buyer_inn', 'text').execute();
      await db.schema.alterTable('documents').addColumn('responsible_id', 'integer').execute();
      await db.schema.alterTable('documents').addColumn('responsible_name', 'text').execute();
      if (pg) {
        await sql`update documents set buyer_name = snapshot_json::json #>> '{buyer,name}', buyer_inn = coalesce(snapshot_json::json #>> '{buyer,inn}', '')`.execute(db);
      } else {
        await sql`update documents set buyer_name = json_extract(snapshot_json, '$.buyer.name'), buyer_inn = coalesce(json_extract(snapshot_json, '$.buyer.inn'), '')`.execute(db);
      }
      // The list's default order (newest first) and each filter the page offers.
      await db.schema.createIndex('documents_list_idx').on('documents').columns(['member_id', 'kind', 'doc_date', 'id']).execute();
      await db.schema.createIndex('documents_state_due_idx').on('documents').columns(['member_id', 'kind', 'state', 'due_date']).execute();
      await db.schema.createIndex('documents_buyer_idx').on('documents').columns(['member_id', 'kind', 'buyer_inn', 'buyer_name']).execute();
      await db.schema.createIndex('documents_responsible_idx').on('documents').columns(['member_id', 'kind', 'responsible_id', 'doc_date']).execute();
    },
  };
}
