import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import {
  DEFAULT_BUCKET,
  gcraParams,
  gcraWaitMs,
  type BucketConfig,
  type GcraParams,
  type Pacer,
  type PacerDeps,
  type PortalBucket,
} from './pacer.js';

export interface DbPacerDeps extends PacerDeps {
  db: Kysely<Database>;
}

/**
 * Portal buckets kept in the portal row (`rate_tat_ms`), so every process sharing the database paces against
 * one budget. Each reservation is one atomic UPDATE … RETURNING: concurrent callers in any process are
 * serialised by the row lock for the length of that statement only, and each learns its own slot.
 * `now()` must be epoch milliseconds on every process (the value is shared).
 */
export class DbPacer implements Pacer {
  constructor(private readonly deps: DbPacerDeps) {}

  /** Cheap: built per call from the portal row's current plan (`rate_drain`, `rate_burst`). */
  forPortal(memberId: string, config: BucketConfig = DEFAULT_BUCKET): DbBucket {
    return new DbBucket(memberId, config, this.deps);
  }
}

export class DbBucket implements PortalBucket {
  private readonly params: GcraParams;

  constructor(
    readonly memberId: string,
    config: BucketConfig,
    private readonly deps: DbPacerDeps,
  ) {
    this.params = gcraParams(config);
  }

  /**
   * Reserves a slot and returns how many milliseconds the caller must wait before sending. The statement is
   * gcraReserve() in SQL; CASE instead of GREATEST/max() so one text runs on PostgreSQL and SQLite.
   * A portal row deleted meanwhile has no budget to keep: no wait.
   */
  async reserve(): Promise<number> {
    const now = this.deps.now();
    const { intervalMs, horizonMs } = this.params;
    const from = num(now);
    const cap = num(now + horizonMs);
    const row = await this.deps.db
      .updateTable('portals')
      .set({
        rate_tat_ms: sql<number>`(case when rate_tat_ms > ${cap} then ${cap} when rate_tat_ms > ${from} then rate_tat_ms else ${from} end) + ${num(intervalMs)}`,
      })
      .where('member_id', '=', this.memberId)
      .returning('rate_tat_ms')
      .executeTakeFirst();
    return row === undefined ? 0 : gcraWaitMs(Number(row.rate_tat_ms), now, this.params);
  }

  async acquire(): Promise<void> {
    const waitMs = await this.reserve();
    if (waitMs > 0) await this.deps.sleep(waitMs);
  }

  /** gcraFull() in SQL: at least full now, keeping slots already promised (up to the horizon). */
  async markFull(): Promise<void> {
    const now = this.deps.now();
    const full = num(now + this.params.toleranceMs);
    const cap = num(now + this.params.horizonMs);
    await this.deps.db
      .updateTable('portals')
      .set({
        rate_tat_ms: sql<number>`case when rate_tat_ms > ${cap} then ${cap} when rate_tat_ms > ${full} then rate_tat_ms else ${full} end`,
      })
      .where('member_id', '=', this.memberId)
      .execute();
  }
}

/**
 * A bound number typed as double precision: PostgreSQL cannot infer `unknown + unknown` and would otherwise
 * type the CASE from its first branch; SQLite gives the name REAL affinity.
 */
const num = (n: number) => sql<number>`cast(${n} as double precision)`;
