import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: issued documents (invoices, acts) with their immutable snapshots, and the
 * gapless number sequences per portal, seller, document kind and year.
 */
export function documents(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const instant: RawBuilder<unknown> = pg ? sql`text collate "C"` : sql`text`;

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('number_sequences')
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('seller_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invoice', 'act')`))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('number_sequences_pkey', ['member_id', 'seller_key', 'kind', 'year'])
        .execute();

      await db.schema
        .createTable('documents')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invoice', 'act')`))
        .addColumn('doc_kind', 'text', (c) => c.notNull().check(sql`doc_kind in ('invoice', 'qr_invoice', 'act')`))
        .addColumn('seller_key', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('doc_date', 'text', (c) => c.notNull())
        .addColumn('due_date', 'text')
        .addColumn('period_from', 'text')
        .addColumn('period_to', 'text')
        .addColumn('deal_id', 'integer', (c) => c.notNull())
        .addColumn('invoice_id', 'integer')
        .addColumn('amount_kopecks', 'integer', (c) => c.notNull())
        .addColumn('vat_kopecks', 'integer', (c) => c.notNull())
        .addColumn('snapshot_json', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('link_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addUniqueConstraint('documents_idempotency_key_key', ['idempotency_key'])
        // The safety net under gapless numbering: one number is never given to two documents.
        .addUniqueConstraint('documents_number_key', ['member_id', 'seller_key', 'kind', 'year', 'seq'])
        .execute();
      await db.schema.createIndex('documents_deal_idx').on('documents').columns(['member_id', 'deal_id', 'kind', 'id']).execute();
    },
  };
}
