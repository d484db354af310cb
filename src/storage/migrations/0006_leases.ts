import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: lease schedules (one per contract deal) and the periods they billed. A period row is the
 * claim on creating that period's deal: its primary key makes it exactly once per schedule and period, with any
 * number of instances.
 */
export function leases(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const instant: RawBuilder<unknown> = pg ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('lease_schedules')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('contract_deal_id', 'integer', (c) => c.notNull())
        // The robot's properties as sent (re-read with the portal's time zone), and the contract deal as it was.
        .addColumn('properties_json', 'text', (c) => c.notNull())
        .addColumn('deal_json', 'text', (c) => c.notNull())
        .addColumn('rows_json', 'text', (c) => c.notNull())
        // YYYY-MM-DD the schedule was made or last changed: no control date before it.
        .addColumn('scheduled_on', 'text', (c) => c.notNull())
        .addColumn('stop_after', 'text')
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('active', 'ended', 'stopped')`))
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addUniqueConstraint('lease_schedules_contract_key', ['member_id', 'contract_deal_id'])
        .execute();
      await db.schema
        .createTable('lease_periods')
        .addColumn('schedule_id', 'integer', (c) => c.notNull().references('lease_schedules.id').onDelete('cascade'))
        .addColumn('period_from', 'text', (c) => c.notNull())
        .addColumn('period_to', 'text', (c) => c.notNull())
        .addColumn('control_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('claimed', 'created', 'failed')`))
        .addColumn('deal_id', 'integer')
        .addColumn('detail', 'text')
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint('lease_periods_pkey', ['schedule_id', 'period_from'])
        .execute();
    },
  };
}
