/**
 * Admin commands on the service's database (the same DATA_DIR / DATABASE_URL as `serve`):
 *   qrbill portals                                   installed portals and their state
 *   qrbill settings <member_id> [key=value ...]      show or change a portal's billing settings
 *   qrbill revoke <member_id> <document_id>          invalidate every link handed out for a document
 *   qrbill portal <member_id> [limits=…] [tz=…]      REST budget (standard | enterprise | 5/250) and time zone
 */
import { loadConfig } from '../config.js';
import { clockFor } from '../clock.js';
import { silentLogger } from '../log.js';
import { openDatabase, type AppDatabase } from '../storage/db.js';
import { migrateToLatest } from '../storage/migrate.js';
import { listPortals, getPortal, updatePortalOptions, deletePortalData } from '../storage/portals.js';
import { getPortalSettings, updatePortalSettings } from '../settings/portalSettings.js';
import { getDocument, revokeDocumentLinks } from '../storage/documents.js';
import { ValidationError } from '../errors.js';
import { timeZoneIssues } from '../settings/rules.js';
import type { Kysely } from 'kysely';
import type { Database, Portal } from '../storage/schema.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';

export async function withDatabase<T>(fn: (app: AppDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const app = await openDatabase({ dataDir: config.DATA_DIR, databaseUrl: config.DATABASE_URL, log: silentLogger() });
  try {
    await migrateToLatest(app);
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** The portal's row, or undefined once the admin has been told it is not known here (the caller exits EXIT_INPUT). */
export async function knownPortal(db: Kysely<Database>, memberId: string, io: Pick<CommandIo, 'stderr'>): Promise<Portal | undefined> {
  const portal = await getPortal(db, memberId);
  if (!portal) io.stderr(`No portal ${memberId} (see qrbill portals)`);
  return portal;
}

/** `key=value`: the value is JSON when it parses as JSON (numbers, arrays, objects), else a string. */
export function parseAssignments(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0) throw new Error(`expected key=value, got "${a}"`);
    const raw = a.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    out[a.slice(0, i)] = value;
  }
  return out;
}

export async function portalsCommand(_argv: string[], io: CommandIo): Promise<number> {
  return withDatabase(async ({ db }) => {
    const portals = await listPortals(db);
    if (!portals.length) io.stdout('No portals installed yet.');
    for (const p of portals) {
      io.stdout(`${p.member_id}  ${p.domain}  ${p.status}${p.status_reason ? ` (${p.status_reason})` : ''}  tz=${p.time_zone}  installed ${p.installed_at}`);
    }
    return EXIT_OK;
  });
}

export async function settingsCommand(argv: string[], io: CommandIo): Promise<number> {
  const [memberId, ...assignments] = argv;
  if (!memberId) {
    io.stderr('Usage: qrbill settings <member_id> [key=value ...]\nKeys: invoiceNumberTemplate, actNumberTemplate, dueDays, qrMode, bankPaymentLink, vatOverride, accountantEmails, emailFrom,\n      escalation, accountantUserIds, penalty, reminderPauseBelowRub, emailTemplates');
    return EXIT_USAGE;
  }
  return withDatabase(async ({ db }) => {
    if (!(await knownPortal(db, memberId, io))) return EXIT_INPUT;
    try {
      const settings = assignments.length
        ? await updatePortalSettings(db, memberId, parseAssignments(assignments))
        : await getPortalSettings(db, memberId);
      io.stdout(JSON.stringify(settings, null, 2));
      return EXIT_OK;
    } catch (err) {
      if (err instanceof ValidationError) {
        io.stderr(`Settings not changed:\n${err.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
        return EXIT_INPUT;
      }
      if (err instanceof Error && err.message.startsWith('expected key=value')) {
        io.stderr(err.message);
        return EXIT_USAGE;
      }
      throw err;
    }
  });
}

export async function revokeCommand(argv: string[], io: CommandIo): Promise<number> {
  const [memberId, id] = argv;
  if (!memberId || !id || !/^\d+$/.test(id)) {
    io.stderr('Usage: qrbill revoke <member_id> <document_id>');
    return EXIT_USAGE;
  }
  return withDatabase(async ({ db }) => {
    const doc = await getDocument(db, memberId, Number(id));
    if (!doc) {
      io.stderr(`No document ${id} on portal ${memberId}`);
      return EXIT_INPUT;
    }
    const version = await revokeDocumentLinks(db, memberId, doc.id, clockFor(loadConfig()).now());
    io.stdout(`Links of ${doc.kind} № ${doc.number} revoked (link version ${version}). Run the robot again to hand out new links.`);
    return EXIT_OK;
  });
}

const LIMIT_PRESETS: Record<string, [number, number]> = { standard: [2, 50], enterprise: [5, 250] };

export async function portalCommand(argv: string[], io: CommandIo): Promise<number> {
  const [memberId, ...assignments] = argv;
  const usage = 'Usage: qrbill portal <member_id> [limits=standard|enterprise|<per-second>/<burst>] [tz=<IANA zone>]';
  if (!memberId) {
    io.stderr(usage);
    return EXIT_USAGE;
  }
  const opts: { rateDrain?: number; rateBurst?: number; timeZone?: string } = {};
  for (const a of assignments) {
    const [key, value = ''] = a.split('=', 2) as [string, string?];
    if (key === 'limits') {
      const m = LIMIT_PRESETS[value] ?? (/^(\d+(?:\.\d+)?)\/(\d+)$/.exec(value)?.slice(1).map(Number) as [number, number] | undefined);
      if (!m || !(m[0] > 0) || !(m[1] >= 1)) {
        io.stderr(`limits: expected standard, enterprise or <per-second>/<burst>, got "${value}"`);
        return EXIT_INPUT;
      }
      [opts.rateDrain, opts.rateBurst] = m;
    } else if (key === 'tz') {
      const bad = timeZoneIssues(value)[0];
      if (bad) {
        io.stderr(`tz: ${bad.messageEn}`);
        return EXIT_INPUT;
      }
      opts.timeZone = value;
    } else {
      io.stderr(usage);
      return EXIT_USAGE;
    }
  }
  return withDatabase(async ({ db }) => {
    if (assignments.length && !(await updatePortalOptions(db, memberId, opts))) {
      io.stderr(`No portal ${memberId} (see qrbill portals)`);
      return EXIT_INPUT;
    }
    const p = await knownPortal(db, memberId, io);
    if (!p) return EXIT_INPUT;
    io.stdout(`${p.member_id}  ${p.domain}  ${p.status}  limits ${p.rate_drain}/s burst ${p.rate_burst}  tz ${p.time_zone}`);
    return EXIT_OK;
  });
}

/** Deletes everything kept for a portal (after an uninstall without data deletion, or a domain change). */
export async function forgetCommand(argv: string[], io: CommandIo): Promise<number> {
  const [memberId, confirm] = argv;
  if (!memberId || confirm !== '--yes') {
    io.stderr('Usage: qrbill forget <member_id> --yes\n  Deletes the portal, its documents, numbering, settings and robot calls from this service.');
    return EXIT_USAGE;
  }
  return withDatabase(async ({ db }) => {
    const p = await knownPortal(db, memberId, io);
    if (!p) return EXIT_INPUT;
    await deletePortalData(db, memberId);
    io.stdout(`Portal ${memberId} (${p.domain}) and its data are deleted.`);
    return EXIT_OK;
  });
}
