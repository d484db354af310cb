import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * FROZEN: this migration has run on installed databases. Never edit it; add a new numbered migration.
 * It uses `Kysely<any>` on purpose: it must keep compiling whatever later migrations do to schema.ts.
 */
export function foundation(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  // Instants are ISO text compared as text: on PostgreSQL pin byte order so a locale collation cannot reorder them.
  const instant: RawBuilder<unknown> = pg ? sql`text collate "C"` : sql`text`;
  const real: RawBuilder<unknown> = pg ? sql`double precision` : sql`real`;

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('portals')
        .addColumn('member_id', 'text', (c) => c.primaryKey())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('client_endpoint', 'text', (c) => c.notNull())
        .addColumn('server_endpoint', 'text', (c) => c.notNull())
        .addColumn('application_token', 'text', (c) => c.notNull())
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text', (c) => c.notNull())
        .addColumn('access_expires_at', instant, (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('status', 'text', (c) =>
          c.notNull().defaultTo('active').check(sql`status in ('active', 'needs_reinstall', 'uninstalled')`),
        )
        .addColumn('status_reason', 'text')
        // Bitrix24 standard plans: 2 requests/s drain, burst 50 (Enterprise 5/250).
        .addColumn('rate_drain', real, (c) => c.notNull().defaultTo(2))
        .addColumn('rate_burst', 'integer', (c) => c.notNull().defaultTo(50))
        .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Europe/Moscow'))
        .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('refresh_locked_until', instant)
        .addColumn('installed_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('robot_calls')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('member_id', 'text', (c) => c.notNull().references('portals.member_id').onDelete('cascade'))
        .addColumn('robot_code', 'text', (c) => c.notNull())
        .addColumn('event_token', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('document_type', 'text', (c) => c.notNull())
        .addColumn('properties_json', 'text', (c) => c.notNull())
        .addColumn('use_subscription', 'text', (c) => c.notNull().check(sql`use_subscription in ('Y', 'N')`))
        .addColumn('auth_user_id', 'integer')
        .addColumn('status', 'text', (c) =>
          c.notNull().defaultTo('queued').check(sql`status in ('queued', 'running', 'answered', 'failed')`),
        )
        .addColumn('result_json', 'text')
        .addColumn('error_text', 'text')
        .addColumn('received_at', instant, (c) => c.notNull())
        .addColumn('answered_at', instant)
        .addUniqueConstraint('robot_calls_event_token_key', ['event_token'])
        .execute();
      await db.schema.createIndex('robot_calls_member_id_idx').on('robot_calls').columns(['member_id', 'id']).execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed')`),
        )
        .addColumn('run_at', instant, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', instant)
        .addColumn('last_error', 'text')
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addColumn('finished_at', instant)
        .addUniqueConstraint('jobs_key_key', ['key'])
        .execute();
      // Claiming scans pending jobs by run_at and running jobs by locked_until; both start with status.
      await db.schema.createIndex('jobs_status_run_at_idx').on('jobs').columns(['status', 'run_at']).execute();

      await db.schema
        .createTable('job_effects')
        .addColumn('job_key', 'text', (c) => c.notNull().references('jobs.key').onDelete('cascade'))
        .addColumn('effect', 'text', (c) => c.notNull())
        .addColumn('result_json', 'text', (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint('job_effects_pkey', ['job_key', 'effect'])
        .execute();
    },
  };
}
