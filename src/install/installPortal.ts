import type { AppDeps } from '../deps.js';
import type { PortalInstall } from './parseInstall.js';
import { getPortal, setPortalUser, upsertPortal } from '../storage/portals.js';
import { userIdOf } from '../bitrix/authPayload.js';
import { getSetting, setSetting } from '../storage/settings.js';
import { AUTOMATION_TRIGGERS } from '../crm/automationTriggers.js';
import { ROBOTS } from '../robots/registry.js';
import { registrationFingerprint, robotRegistrationParams } from '../robots/framework/registration.js';
import { DEAL_USER_FIELDS, ufName, userFieldAddParams } from '../crm/dealFields.js';
import { AppError } from '../errors.js';

export interface InstallReport {
  memberId: string;
  robots: { added: string[]; updated: string[]; unchanged: string[] };
  userFields: { created: string[]; existing: string[] };
}

/** Where the app shows itself inside the portal besides its main page (which is the app's own handler, POST /bitrix/app). */
export const APP_PLACEMENTS = [
  { placement: 'CRM_DEAL_DETAIL_TAB', path: '/bitrix/placement/deal-tab', title: { ru: 'Биллинг', en: 'Billing' } },
] as const;

const fingerprintKey = (memberId: string, code: string) => `robot_fingerprint:${memberId}:${code}`;
const USER_FIELD_FILTER = { filter: { ENTITY_ID: 'CRM_DEAL' } };

/**
 * Stores the portal and (re)registers everything the app needs there. Idempotent: running it again
 * on a healthy portal changes nothing; on a portal whose robots were removed (app update/reinstall
 * deletes them, b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md) it adds them back. Costs 1 REST request (one batch) when nothing changed, 2 otherwise
 * (plus one per further 50 deal fields on a portal with many).
 */
export async function installPortal(deps: AppDeps, install: PortalInstall): Promise<InstallReport> {
  const { db } = deps.database;
  const now = deps.clock.now().toISOString();
  const existing = await getPortal(db, install.memberId);
  await upsertPortal(db, {
    member_id: install.memberId,
    domain: install.domain,
    client_endpoint: install.clientEndpoint,
    server_endpoint: install.serverEndpoint,
    // The frame install may come without the token; keep the one ONAPPINSTALL gave us.
    application_token: install.applicationToken ?? existing?.application_token ?? '',
    access_token: install.accessToken,
    refresh_token: install.refreshToken,
    access_expires_at: install.accessExpiresAt.toISOString(),
    scope: install.scope,
    user_id: install.userId ?? existing?.user_id ?? null,
    status: 'active',
    status_reason: null,
    rate_drain: existing?.rate_drain ?? 2,
    rate_burst: existing?.rate_burst ?? 50,
    time_zone: existing?.time_zone ?? deps.config.DEFAULT_TIME_ZONE,
    token_version: (existing?.token_version ?? 0) + 1,
    refresh_locked_until: null,
    installed_at: existing?.installed_at ?? now,
    updated_at: now,
  });
  const client = deps.bitrix.forPortal(install.memberId);

  const lookup = await client.batch({
    robots: { method: 'bizproc.robot.list' },
    fields: { method: 'crm.deal.userfield.list', params: USER_FIELD_FILTER },
    events: { method: 'event.get' },
    placements: { method: 'placement.get' },
    // A frame install does not say whose tokens these are (b24restdocs: api-reference/widgets/_includes/widget_data.md);
    // `profile` does. The robots run as that user and only that user's later pairs are adopted.
    me: { method: 'profile' },
  });
  const installer = userIdOf(String((lookup.result.me as { ID?: unknown } | undefined)?.ID ?? ''));
  if (installer !== null && installer !== install.userId) {
    await setPortalUser(db, install.memberId, installer);
    if (install.userId !== null) deps.log.warn({ memberId: install.memberId, payloadUser: install.userId, profileUser: installer }, 'install payload and profile disagree on the user; profile wins');
  }
  const portal = await getPortal(db, install.memberId);
  for (const [key, e] of Object.entries(lookup.errors)) {
    if (key === 'events' || key === 'me' || key === 'placements') continue; // optional: a portal without them still bills
    throw new AppError('INSTALL_FAILED', `Bitrix24 refused ${key} lookup: ${e.error}: ${e.error_description}`, {
      retryable: false,
    });
  }
  const registered = new Set((lookup.result.robots as string[] | undefined) ?? []);
  const fieldRows = ((lookup.result.fields as Array<{ FIELD_NAME?: string }> | undefined) ?? []).slice();
  // Lists come in pages of 50 (b24restdocs: settings/performance/huge-data.md): on a portal with many deal fields ours may be further down, and
  // adding one that exists would fail the install.
  for (let start = lookup.next.fields; start !== undefined; ) {
    const page = await client.callPage<Array<{ FIELD_NAME?: string }>>('crm.deal.userfield.list', { ...USER_FIELD_FILTER, start });
    fieldRows.push(...(Array.isArray(page.result) ? page.result : []));
    start = page.next !== undefined && page.next > start ? page.next : undefined;
  }
  const existingFields = new Set(fieldRows.map((f) => f.FIELD_NAME ?? ''));

  const report: InstallReport = {
    memberId: install.memberId,
    robots: { added: [], updated: [], unchanged: [] },
    userFields: { created: [], existing: [] },
  };
  const cmds: Record<string, { method: string; params?: Record<string, unknown> }> = {};
  const fingerprints = new Map<string, string>();
  for (const robot of ROBOTS) {
    const params = robotRegistrationParams(robot, { publicUrl: deps.config.PUBLIC_URL, authUserId: portal?.user_id ?? null });
    const fp = registrationFingerprint(params);
    fingerprints.set(robot.code, fp);
    if (!registered.has(robot.code)) {
      cmds[`add_${robot.code}`] = { method: 'bizproc.robot.add', params };
      report.robots.added.push(robot.code);
    } else if ((await getSetting(db, fingerprintKey(install.memberId, robot.code))) !== fp) {
      const { CODE, ...fields } = params;
      cmds[`update_${robot.code}`] = { method: 'bizproc.robot.update', params: { CODE, FIELDS: fields } };
      report.robots.updated.push(robot.code);
    } else {
      report.robots.unchanged.push(robot.code);
    }
  }
  // ONAPPINSTALL (fired after installFinish) brings the application token when the install came
  // through the frame without one; ONAPPUNINSTALL is how we learn to stop (and, with CLEAN, delete).
  const eventUrl = `${deps.config.PUBLIC_URL}/bitrix/events`;
  const bindings = (lookup.result.events as Array<{ event?: string; handler?: string }> | undefined) ?? [];
  for (const event of ['ONAPPINSTALL', 'ONAPPUNINSTALL']) {
    const bound = bindings.some((e) => e.event?.toUpperCase() === event && e.handler === eventUrl);
    if (!bound) cmds[`bind_${event.toLowerCase()}`] = { method: 'event.bind', params: { event, handler: eventUrl } };
  }
  // The deal card's «Биллинг» tab (b24restdocs: api-reference/widgets/placement-bind.md); binding the same handler
  // twice is refused, so bind only when it is not there yet.
  const placements = (lookup.result.placements as Array<{ placement?: string; handler?: string }> | undefined) ?? [];
  for (const p of APP_PLACEMENTS) {
    const handler = `${deps.config.PUBLIC_URL}${p.path}`;
    if (!placements.some((b) => b.placement?.toUpperCase() === p.placement && b.handler === handler)) {
      cmds[`placement_${p.placement}`] = {
        method: 'placement.bind',
        params: { PLACEMENT: p.placement, HANDLER: handler, TITLE: p.title.ru, LANG_ALL: { ru: { TITLE: p.title.ru }, en: { TITLE: p.title.en } } },
      };
    }
  }
  // Adding a trigger that exists only renames it (b24restdocs: api-reference/crm/automation/triggers/crm-automation-trigger-add.md),
  // so every install simply (re)registers them.
  for (const t of Object.values(AUTOMATION_TRIGGERS)) {
    cmds[`trigger_${t.code}`] = { method: 'crm.automation.trigger.add', params: { CODE: t.code, NAME: t.name.ru } };
  }
  for (const f of DEAL_USER_FIELDS) {
    if (existingFields.has(ufName(f.fieldName))) report.userFields.existing.push(ufName(f.fieldName));
    else {
      cmds[`uf_${f.fieldName}`] = { method: 'crm.deal.userfield.add', params: userFieldAddParams(f) };
      report.userFields.created.push(ufName(f.fieldName));
    }
  }
  if (Object.keys(cmds).length) {
    const res = await client.batch(cmds);
    for (const key of ['bind_onappinstall', 'bind_onappuninstall']) {
      const e = res.errors[key];
      if (!e) continue;
      deps.log.warn({ memberId: install.memberId, event: key, error: e.error }, 'could not bind an application event');
      delete res.errors[key];
    }
    for (const p of APP_PLACEMENTS) {
      const e = res.errors[`placement_${p.placement}`];
      if (!e) continue;
      // Billing works without the tab; the admin sees why it is missing in the log.
      deps.log.warn({ memberId: install.memberId, placement: p.placement, error: e.error, description: e.error_description }, 'could not bind a placement');
      delete res.errors[`placement_${p.placement}`];
    }
    for (const t of Object.values(AUTOMATION_TRIGGERS)) {
      const e = res.errors[`trigger_${t.code}`];
      if (!e) continue;
      // Billing works without them; only moving deals by trigger does not. Logged for the admin to see.
      deps.log.warn({ memberId: install.memberId, trigger: t.code, error: e.error, description: e.error_description }, 'could not register an automation trigger');
      delete res.errors[`trigger_${t.code}`];
    }
    const failed = Object.entries(res.errors);
    if (failed.length) {
      throw new AppError(
        'INSTALL_FAILED',
        `Bitrix24 refused: ${failed.map(([k, e]) => `${k}: ${e.error} ${e.error_description}`).join('; ')}`,
        { details: { failed: failed.map(([k]) => k) } },
      );
    }
  }
  for (const [code, fp] of fingerprints) await setSetting(db, fingerprintKey(install.memberId, code), fp);
  deps.log.info({ memberId: install.memberId, domain: install.domain, robots: report.robots, userFields: report.userFields }, 'portal installed');
  return report;
}
