import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: the steps of the overdue ladder taken (or skipped) per invoice. The primary key makes each
 * step happen at most once per invoice, whatever the number of instances: whoever inserts the row carries it out.
 */
export function overdue(dialect: Dialect): Migration {
  const instant: RawBuilder<unknown> = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('overdue_steps')
        .addColumn('invoice_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
        .addColumn('step_key', 'text', (c) => c.notNull())
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('claimed', 'done', 'skipped')`))
        .addColumn('detail', 'text')
        // When the step was due, and when it was claimed.
        .addColumn('due_at', instant, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint('overdue_steps_pkey', ['invoice_id', 'step_key'])
        .execute();
      await db.schema.createIndex('overdue_steps_member_idx').on('overdue_steps').columns(['member_id', 'invoice_id']).execute();
    },
  };
}
