import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Typed tables. Conventions that hold on both SQLite and PostgreSQL:
 * - instants are ISO-8601 UTC text (`2026-12-01T09:00:00.000Z`), which sorts and compares as text;
 * - JSON is stored as text and parsed at the repository edge;
 * - money is integer kopecks (bigint on PostgreSQL is avoided: kopecks of any invoice fit in 2^53).
 * - `Generated<T>` marks a column the database fills in (serial ids) or defaults when an insert omits it.
 * Migrations that create these tables are frozen; change the schema only with a new migration.
 */
export interface Database {
  settings: SettingsTable;
  portals: PortalsTable;
  robot_calls: RobotCallsTable;
  jobs: JobsTable;
  job_effects: JobEffectsTable;
  number_sequences: NumberSequencesTable;
  documents: DocumentsTable;
  api_keys: ApiKeysTable;
  payments: PaymentsTable;
  payment_allocations: PaymentAllocationsTable;
  payment_pushes: PaymentPushesTable;
  payment_waits: PaymentWaitsTable;
  overdue_steps: OverdueStepsTable;
  lease_schedules: LeaseSchedulesTable;
  lease_periods: LeasePeriodsTable;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export type PortalStatus = 'active' | 'needs_reinstall' | 'uninstalled';

export interface PortalsTable {
  member_id: string;
  domain: string;
  client_endpoint: string;
  server_endpoint: string;
  application_token: string;
  access_token: string;
  refresh_token: string;
  /** ISO instant when the access token expires (as reported by Bitrix24). */
  access_expires_at: string;
  scope: string;
  /** User id whose tokens we hold (the installing admin). */
  user_id: number | null;
  /** Defaults to 'active'. */
  status: Generated<PortalStatus>;
  /** Why the portal needs attention (e.g. refresh failed with invalid_grant). */
  status_reason: string | null;
  /** Leaky bucket: drain rate in requests per second and burst size (Enterprise 5/250). */
  rate_drain: Generated<number>;
  rate_burst: Generated<number>;
  /**
   * Shared REST pacing state (GCRA theoretical arrival time, epoch ms): when the portal's bucket would be
   * empty again. Written only by the pacer's atomic update; defaults to 0 (empty).
   */
  rate_tat_ms: Generated<number>;
  /** Defaults to Europe/Moscow. */
  time_zone: Generated<string>;
  /** Bumped on every token refresh; compare-and-swap guard so only one refresh wins. */
  token_version: Generated<number>;
  /** Cross-process refresh lock: instant until which one process owns the refresh. */
  refresh_locked_until: string | null;
  installed_at: string;
  updated_at: string;
}

export type RobotCallStatus = 'queued' | 'running' | 'answered' | 'failed';

export interface RobotCallsTable {
  id: Generated<number>;
  member_id: string;
  robot_code: string;
  /** Bitrix24's event token, verbatim; unique so a repeated delivery is recognised. */
  event_token: string;
  workflow_id: string;
  /** `DEAL_123` etc. */
  document_id: string;
  document_type: string;
  properties_json: string;
  /** 'Y' when the workflow step waits for bizproc.event.send. */
  use_subscription: 'Y' | 'N';
  /** User the robot runs as (`auth[user_id]`), for notifications and CRM rights. */
  auth_user_id: number | null;
  /** Defaults to 'queued'. */
  status: Generated<RobotCallStatus>;
  /** Return values for bizproc.event.send (JSON): kept once the run finished, sent (again) until answered. */
  result_json: string | null;
  error_text: string | null;
  received_at: string;
  answered_at: string | null;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** Unique business key (e.g. `robot:<event_token>`): enqueueing the same key twice creates one job. */
  key: string;
  payload_json: string;
  status: JobStatus;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** Journal of external effects a job already performed, so a retry skips them. */
export interface JobEffectsTable {
  job_key: string;
  effect: string;
  result_json: string;
  created_at: string;
}

export type Portal = Selectable<PortalsTable>;
export type NewPortal = Insertable<PortalsTable>;
export type PortalUpdate = Updateable<PortalsTable>;
/** A robot_calls row as stored; code reads calls through storage/robotCalls.ts, which parses the JSON. */
export type RobotCallRow = Selectable<RobotCallsTable>;
export type Job = Selectable<JobsTable>;

/** Gapless numbering: the last number used per portal, seller, document kind and year. */
export interface NumberSequencesTable {
  member_id: string;
  seller_key: string;
  kind: 'invoice' | 'act';
  year: number;
  last_seq: number;
}

/** An issued invoice or act with its immutable snapshot (the DocumentModel it renders from). */
export interface DocumentsTable {
  id: Generated<number>;
  member_id: string;
  kind: 'invoice' | 'act';
  doc_kind: 'invoice' | 'qr_invoice' | 'act';
  seller_key: string;
  year: number;
  seq: number;
  number: string;
  /** YYYY-MM-DD in the portal's time zone. */
  doc_date: string;
  due_date: string | null;
  period_from: string | null;
  period_to: string | null;
  deal_id: number;
  /** For an act: the invoice it closes. */
  invoice_id: number | null;
  amount_kopecks: number;
  vat_kopecks: number;
  snapshot_json: string;
  /** invoice: issued | paid | cancelled; act: issued | sent | signed_original_received. */
  state: string;
  /** Bumped to revoke every link handed out so far. */
  link_version: number;
  idempotency_key: string;
  /** Event token of the robot call that issued it. */
  created_by: string;
  created_at: string;
  updated_at: string;
  /** The buyer as printed (copied from the snapshot so the invoice list filters on an index). */
  buyer_name: string | null;
  /** '' for a buyer without an INN. */
  buyer_inn: string | null;
  /** The deal's responsible user when the document was issued (null for documents issued before it was kept). */
  responsible_id: number | null;
  responsible_name: string | null;
}

export type DocumentRow = Selectable<DocumentsTable>;

/** A key 1C (or a bank integration) authenticates with; only its hash is kept. */
export interface ApiKeysTable {
  id: Generated<number>;
  member_id: string;
  prefix: string;
  key_hash: string;
  label: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** What the service decided about a payment that stays with it (skipped and duplicate ones are not stored). */
export type StoredPaymentResult = 'paid' | 'partially_paid' | 'overpaid' | 'manual';

/** A payment received on one of the landlord's accounts, with the decision taken about it. */
export interface PaymentsTable {
  id: Generated<number>;
  member_id: string;
  /** Bank-side identity: date, number, amount, payer account (see payments/identity). */
  bank_key: string;
  source: 'statement' | 'push';
  /** YYYY-MM-DD the money arrived. */
  pay_date: string;
  number: string;
  amount_kopecks: number;
  payer_inn: string;
  payer_name: string;
  payer_account: string;
  payee_account: string;
  purpose: string;
  result: StoredPaymentResult;
  reason: string;
  excess_kopecks: number;
  candidates_json: string;
  matched_by: 'auto' | 'manual' | null;
  created_at: string;
  updated_at: string;
}

/** How much of a payment went to which invoice. */
export interface PaymentAllocationsTable {
  payment_id: number;
  invoice_id: number;
  member_id: string;
  amount_kopecks: number;
  created_at: string;
}

/** The answer given to a pushed payment, by its Idempotency-Key. */
export interface PaymentPushesTable {
  member_id: string;
  idempotency_key: string;
  request_hash: string;
  response_json: string;
  created_at: string;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PaymentRow = Selectable<PaymentsTable>;

/** A wait_for_payment robot call parked until its invoice is paid, cancelled or (until_due) overdue. */
export interface PaymentWaitsTable {
  robot_call_id: number;
  member_id: string;
  invoice_id: number;
  mode: 'until_paid' | 'until_due';
  deadline_at: string | null;
  created_at: string;
  resolved_at: string | null;
}

/** A step of the overdue ladder claimed, carried out or skipped for an invoice (once per invoice and step). */
export interface OverdueStepsTable {
  invoice_id: number;
  step_key: string;
  member_id: string;
  status: 'claimed' | 'done' | 'skipped';
  detail: string | null;
  due_at: string;
  created_at: string;
  updated_at: string;
}
export type OverdueStepRow = Selectable<OverdueStepsTable>;

/** A lease billing itself: one per contract deal. */
export interface LeaseSchedulesTable {
  id: Generated<number>;
  member_id: string;
  contract_deal_id: number;
  properties_json: string;
  deal_json: string;
  rows_json: string;
  scheduled_on: string;
  stop_after: string | null;
  state: 'active' | 'ended' | 'stopped';
  created_at: string;
  updated_at: string;
}

/** A period of a schedule whose deal was claimed, created, or could not be created yet. */
export interface LeasePeriodsTable {
  schedule_id: number;
  period_from: string;
  period_to: string;
  control_date: string;
  status: 'claimed' | 'created' | 'failed';
  deal_id: number | null;
  detail: string | null;
  created_at: string;
  updated_at: string;
}
export type LeaseScheduleRow = Selectable<LeaseSchedulesTable>;
export type LeasePeriodRow = Selectable<LeasePeriodsTable>;
