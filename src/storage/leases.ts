import type { Kysely } from 'kysely';
import type { Database, LeasePeriodRow, LeaseScheduleRow } from './schema.js';

/** What the scheduler copies from the contract deal into each period's deal. */
export interface ContractDeal {
  title: string;
  companyId: number;
  contactId: number;
  assignedById: number;
  categoryId: number;
  /** Where new deals go: the target pipeline and stage (default: the contract's pipeline, its first stage). */
  targetCategoryId: number;
  targetStageId: string | null;
  /** The contract deal's requisite link (crm.requisite.link.get), copied to each period's deal. */
  requisiteLink: { REQUISITE_ID: number; BANK_DETAIL_ID: number; MC_REQUISITE_ID: number; MC_BANK_DETAIL_ID: number } | null;
}

/** A product row of the contract deal: the price of one whole period. */
export interface ContractRow {
  name: string;
  /** Final price per unit with tax (as crm.deal.productrows.get gives PRICE), kopecks. */
  priceKopecks: number;
  quantity: number;
  taxRate: number | null;
  taxIncluded: boolean;
  measureCode: number | null;
}

export interface LeaseSchedule extends Omit<LeaseScheduleRow, 'properties_json' | 'deal_json' | 'rows_json'> {
  properties: Record<string, string>;
  deal: ContractDeal;
  rows: ContractRow[];
}

const parse = (r: LeaseScheduleRow): LeaseSchedule => {
  const { properties_json, deal_json, rows_json, ...rest } = r;
  return { ...rest, properties: JSON.parse(properties_json) as Record<string, string>, deal: JSON.parse(deal_json) as ContractDeal, rows: JSON.parse(rows_json) as ContractRow[] };
};

/** Makes or replaces the schedule of a contract deal; `updated` is true when one existed (its periods stay). */
export async function saveSchedule(
  db: Kysely<Database>,
  s: { memberId: string; contractDealId: number; properties: Record<string, string>; deal: ContractDeal; rows: ContractRow[]; scheduledOn: string; now: Date },
): Promise<{ schedule: LeaseSchedule; updated: boolean }> {
  const at = s.now.toISOString();
  const existing = await db.selectFrom('lease_schedules').select('id').where('member_id', '=', s.memberId).where('contract_deal_id', '=', s.contractDealId).executeTakeFirst();
  const values = {
    properties_json: JSON.stringify(s.properties),
    deal_json: JSON.stringify(s.deal),
    rows_json: JSON.stringify(s.rows),
    scheduled_on: s.scheduledOn,
    stop_after: null,
    state: 'active' as const,
    updated_at: at,
  };
  const row = existing
    ? await db.updateTable('lease_schedules').set(values).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
    : await db
        .insertInto('lease_schedules')
        .values({ member_id: s.memberId, contract_deal_id: s.contractDealId, created_at: at, ...values })
        .onConflict((oc) => oc.columns(['member_id', 'contract_deal_id']).doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
  return { schedule: parse(row), updated: existing !== undefined };
}

export async function scheduleOfContract(db: Kysely<Database>, memberId: string, contractDealId: number): Promise<LeaseSchedule | undefined> {
  const row = await db.selectFrom('lease_schedules').selectAll().where('member_id', '=', memberId).where('contract_deal_id', '=', contractDealId).executeTakeFirst();
  return row ? parse(row) : undefined;
}

export async function getSchedule(db: Kysely<Database>, memberId: string, id: number): Promise<LeaseSchedule | undefined> {
  const row = await db.selectFrom('lease_schedules').selectAll().where('member_id', '=', memberId).where('id', '=', id).executeTakeFirst();
  return row ? parse(row) : undefined;
}

export async function listSchedules(db: Kysely<Database>, memberId?: string, state?: LeaseScheduleRow['state']): Promise<LeaseSchedule[]> {
  let q = db.selectFrom('lease_schedules').selectAll();
  if (memberId) q = q.where('member_id', '=', memberId);
  if (state) q = q.where('state', '=', state);
  return (await q.orderBy('id').execute()).map(parse);
}

export async function setScheduleState(db: Kysely<Database>, id: number, state: LeaseScheduleRow['state'], now: Date, stopAfter?: string): Promise<void> {
  await db
    .updateTable('lease_schedules')
    .set({ state, updated_at: now.toISOString(), ...(stopAfter !== undefined ? { stop_after: stopAfter } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function periodsOf(db: Kysely<Database>, scheduleIds: number[]): Promise<LeasePeriodRow[]> {
  if (!scheduleIds.length) return [];
  return db.selectFrom('lease_periods').selectAll().where('schedule_id', 'in', scheduleIds).orderBy('period_from').execute();
}

/** Claims a period's deal: true for exactly one caller; run in the transaction that enqueues the job. */
export async function claimPeriod(db: Kysely<Database>, p: { scheduleId: number; from: string; to: string; controlDate: string; now: Date }): Promise<boolean> {
  const at = p.now.toISOString();
  const row = await db
    .insertInto('lease_periods')
    .values({ schedule_id: p.scheduleId, period_from: p.from, period_to: p.to, control_date: p.controlDate, status: 'claimed', deal_id: null, detail: null, created_at: at, updated_at: at })
    .onConflict((oc) => oc.columns(['schedule_id', 'period_from']).doNothing())
    .returning('period_from')
    .executeTakeFirst();
  return row !== undefined;
}

export async function finishPeriod(db: Kysely<Database>, scheduleId: number, from: string, status: 'created' | 'failed', dealId: number | null, detail: string | null, now: Date): Promise<void> {
  await db
    .updateTable('lease_periods')
    .set({ status, deal_id: dealId, detail, updated_at: now.toISOString() })
    .where('schedule_id', '=', scheduleId)
    .where('period_from', '=', from)
    .execute();
}

/** Ends a schedule after the period containing `stopAfter` (the scheduler marks it stopped once that is billed). */
export async function setStopAfter(db: Kysely<Database>, id: number, stopAfter: string, now: Date): Promise<void> {
  await db.updateTable('lease_schedules').set({ stop_after: stopAfter, updated_at: now.toISOString() }).where('id', '=', id).execute();
}

/**
 * Records why a period's deal could not be created yet. `claimed` keeps it in work (its job retries; later periods
 * wait behind it); `failed` says its job ran out of attempts, for the scheduler to start another.
 */
export async function notePeriodFailure(db: Kysely<Database>, scheduleId: number, from: string, status: 'claimed' | 'failed', detail: string, now: Date): Promise<void> {
  await db
    .updateTable('lease_periods')
    .set({ status, detail, updated_at: now.toISOString() })
    .where('schedule_id', '=', scheduleId)
    .where('period_from', '=', from)
    .where('status', '!=', 'created')
    .execute();
}

/** Takes a failed period up again: true for exactly one caller (run in the transaction that enqueues its job). */
export async function reclaimFailedPeriod(db: Kysely<Database>, scheduleId: number, from: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('lease_periods')
    .set({ status: 'claimed', updated_at: now.toISOString() })
    .where('schedule_id', '=', scheduleId)
    .where('period_from', '=', from)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
