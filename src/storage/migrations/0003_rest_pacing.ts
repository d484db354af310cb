import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN once released: the per-portal REST budget moves from process memory to the portal row, so every
 * process sharing the database paces against one bucket. `rate_tat_ms` is the GCRA "theoretical arrival
 * time" (epoch milliseconds): the instant the portal's leaky bucket would be empty again. 0 = empty.
 */
export function restPacing(dialect: Dialect): Migration {
  const real: RawBuilder<unknown> = dialect === 'postgres' ? sql`double precision` : sql`real`;

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('portals')
        .addColumn('rate_tat_ms', real, (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
