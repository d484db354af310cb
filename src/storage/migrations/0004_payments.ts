import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: payments that reached the landlord's bank account (from 1C statements or pushed one by
 * one), how each was allocated to invoices, the API keys 1C authenticates with, and the answers already given to
 * pushes (by Idempotency-Key).
 *
 * A payment is identified by its bank-side identity (`bank_key`: date, number, amount, payer account), not by
 * the file it came in, so overlapping statements and repeated imports apply nothing twice.
 */
export function payments(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const instant: RawBuilder<unknown> = pg ? sql`text collate "C"` : sql`text`;
  const id = (c: import('kysely').ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());
  const idType = pg ? 'serial' : 'integer';

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', idType, id)
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        // The first characters of the key, shown in lists so an admin can tell keys apart; never enough to use.
        .addColumn('prefix', 'text', (c) => c.notNull())
        // SHA-256 of the whole key: a stolen database does not hand out working keys.
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('last_used_at', instant)
        .addColumn('revoked_at', instant)
        .addUniqueConstraint('api_keys_key_hash_key', ['key_hash'])
        .execute();

      await db.schema
        .createTable('payments')
        .addColumn('id', idType, id)
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('bank_key', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('statement', 'push')`))
        .addColumn('pay_date', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('amount_kopecks', 'integer', (c) => c.notNull())
        .addColumn('payer_inn', 'text', (c) => c.notNull())
        .addColumn('payer_name', 'text', (c) => c.notNull())
        .addColumn('payer_account', 'text', (c) => c.notNull())
        .addColumn('payee_account', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('paid', 'partially_paid', 'overpaid', 'manual')`))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('excess_kopecks', 'integer', (c) => c.notNull().defaultTo(0))
        // Invoice ids a person should look at for a payment left to the manual queue.
        .addColumn('candidates_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('matched_by', 'text', (c) => c.check(sql`matched_by in ('auto', 'manual')`))
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addUniqueConstraint('payments_bank_key_key', ['member_id', 'bank_key'])
        .execute();
      await db.schema.createIndex('payments_result_idx').on('payments').columns(['member_id', 'result', 'id']).execute();

      await db.schema
        .createTable('payment_allocations')
        .addColumn('payment_id', 'integer', (c) => c.notNull().references('payments.id').onDelete('cascade'))
        .addColumn('invoice_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('amount_kopecks', 'integer', (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint('payment_allocations_pkey', ['payment_id', 'invoice_id'])
        .execute();
      await db.schema.createIndex('payment_allocations_invoice_idx').on('payment_allocations').columns(['invoice_id']).execute();

      await db.schema
        .createTable('payment_pushes')
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        // What the payload said, so a reused key with another payment is refused instead of answered wrongly.
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('response_json', 'text', (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint('payment_pushes_pkey', ['member_id', 'idempotency_key'])
        .execute();

      // A waiting robot (wait_for_payment) parked until its invoice is paid, cancelled or overdue. Resolving it is
      // a guarded update of resolved_at, so it is answered once whatever number of instances race for it.
      await db.schema
        .createTable('payment_waits')
        .addColumn('robot_call_id', 'integer', (c) => c.primaryKey().references('robot_calls.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('invoice_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
        .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('until_paid', 'until_due')`))
        // until_due: the instant the invoice counts as overdue (due date + grace days, end of day, portal zone).
        .addColumn('deadline_at', instant)
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('resolved_at', instant)
        .execute();
      await db.schema.createIndex('payment_waits_open_idx').on('payment_waits').columns(['resolved_at', 'deadline_at']).execute();
      await db.schema.createIndex('payment_waits_invoice_idx').on('payment_waits').columns(['invoice_id']).execute();

      // Open invoices are looked up by the payer's INN and by number on every import.
      await db.schema.createIndex('documents_open_idx').on('documents').columns(['member_id', 'kind', 'state']).execute();
    },
  };
}
