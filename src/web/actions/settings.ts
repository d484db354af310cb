import type { ActionDef } from './types.js';
import type { WebContext } from '../context.js';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { getPortalSettings, mergePortalSettings, portalSettingsSchema, savePortalSettings } from '../../settings/portalSettings.js';
import { apiKeyLabelIssues, numberingRefusedIssue, parseNumberingChange, timeZoneIssues } from '../../settings/rules.js';
import { applyNumberingChange } from '../../settings/numberingChange.js';
import { updatePortalOptions } from '../../storage/portals.js';
import { createApiKey, revokeApiKey } from '../../storage/apiKeys.js';
import { issueToField, settingsPatchFromForm } from '../settings/form.js';
import { loadSellers } from '../settings/sellers.js';
import { previewEmail } from '../settings/emailPreview.js';
import { translate } from '../i18n/index.js';
import { AppError } from '../../errors.js';

type Body = Record<string, unknown>;
const bodyOf = (b: unknown): Body => (b && typeof b === 'object' && !Buffer.isBuffer(b) ? (b as Body) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** A rule's issue in the page's language (the rules carry Russian and English). */
const inLang = (ctx: WebContext, i: ValidationIssue): ValidationIssue => ({ path: i.path, message: ctx.lang === 'en' && i.messageEn ? i.messageEn : i.message });

/**
 * Saves the fields a settings form sent (only those), with the CLI's rules; the time zone lives on the portal row.
 * Everything is checked before anything is written, so a bad value changes nothing.
 */
export const saveSettingsAction: ActionDef = {
  method: 'POST',
  path: '/settings',
  admin: true,
  async run(deps, ctx, { body }) {
    const form = bodyOf(body);
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const patch = settingsPatchFromForm(form);
    const issues: ValidationIssue[] = [];
    const timeZone = Object.hasOwn(form, 'timeZone') ? str(form.timeZone).trim() : undefined;
    if (timeZone !== undefined) issues.push(...timeZoneIssues(timeZone, 'timeZone').map((i) => inLang(ctx, i)));
    let next;
    try {
      next = mergePortalSettings(await getPortalSettings(db, memberId), patch);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues.map((i) => inLang(ctx, issueToField(i, patch))));
    }
    if (issues.length || !next) throw new ValidationError(issues);
    await savePortalSettings(db, memberId, next);
    if (timeZone !== undefined && timeZone !== ctx.portal.time_zone) await updatePortalOptions(db, memberId, { timeZone }, deps.clock.now());
    return { ok: true, settings: next, timeZone: timeZone ?? ctx.portal.time_zone };
  },
};

/** `qrbill numbering … next=N` from the page: continue 1C's numbers, never below an issued one. */
export const numberingAction: ActionDef = {
  method: 'POST',
  path: '/settings/numbering',
  admin: true,
  async run(deps, ctx, { body }) {
    const form = bodyOf(body);
    const args = Object.fromEntries(['seller_inn', 'seller_kpp', 'kind', 'year', 'next'].map((k) => [k, Object.hasOwn(form, k) ? str(form[k]) : undefined]));
    // The page names the seller by one select «INN/KPP».
    if (typeof form.seller === 'string') [args.seller_inn, args.seller_kpp = ''] = form.seller.split('/');
    const parsed = parseNumberingChange(args);
    const sellerPath = (i: ValidationIssue) => (typeof form.seller === 'string' && i.path.startsWith('seller_') ? { ...i, path: 'seller' } : i);
    if ('issues' in parsed) throw new ValidationError(parsed.issues.map((i) => inLang(ctx, sellerPath(i))));
    const outcome = await applyNumberingChange(deps.database.db, ctx.portal.member_id, parsed.change);
    if ('issue' in outcome) throw new ValidationError([inLang(ctx, sellerPath(outcome.issue))]);
    if (outcome.result.kind === 'refused') throw new ValidationError([inLang(ctx, numberingRefusedIssue(outcome.result.lastSeq))]);
    return { ok: true, sellerKey: outcome.sellerKey, next: parsed.change.next };
  },
};

/** A portal's own wording of a letter (or back to the template files with `reset`). */
export const emailTemplateAction: ActionDef = {
  method: 'POST',
  path: '/settings/email-template',
  admin: true,
  async run(deps, ctx, { body }) {
    const form = bodyOf(body);
    const name = str(form.template);
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const current = await getPortalSettings(db, memberId);
    const templates = { ...current.emailTemplates };
    if (form.reset === true || form.reset === 'true') delete templates[name];
    else templates[name] = { subject: str(form.subject), body: str(form.body) };
    let next;
    try {
      next = mergePortalSettings(current, { emailTemplates: templates });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      // emailTemplates.<name>.subject → the form's `subject`; a bad name → the template select.
      throw new ValidationError(err.issues.map((i) => ({ ...inLang(ctx, i), path: /\.(subject|body)$/.exec(i.path)?.[1] ?? 'template' })));
    }
    await savePortalSettings(db, memberId, next);
    return { ok: true, own: Object.hasOwn(next.emailTemplates, name) };
  },
};

/** The letter rendered from the portal's latest real invoice; anyone may look, only admins save. */
export const emailPreviewAction: ActionDef = {
  method: 'POST',
  path: '/settings/email-preview',
  async run(deps, ctx, { body }) {
    const form = bodyOf(body);
    const template = str(form.template);
    if (!portalSettingsSchema.shape.emailTemplates.safeParse({ [template]: { subject: 'x', body: '' } }).success) {
      throw new ValidationError([{ path: 'template', message: translate(ctx.lang, 'set.mail.badName') }]);
    }
    const preview = await previewEmail(deps, ctx, {
      template,
      subject: typeof form.subject === 'string' ? form.subject : undefined,
      body: typeof form.body === 'string' ? form.body : undefined,
    });
    return preview ?? { empty: true, message: translate(ctx.lang, 'set.mail.noInvoice') };
  },
};

/** «Мои компании» with their requisites checked, and the portal's users (for the accountants' list). */
export const crmFactsAction: ActionDef = {
  method: 'GET',
  path: '/settings/crm',
  async run(deps, ctx) {
    const client = deps.bitrix.forPortal(ctx.portal.member_id);
    try {
      const [sellers, users] = await Promise.all([
        loadSellers(client, ctx.portalOrigin, ctx.lang, translate(ctx.lang, 'set.sellers.noRequisites')),
        client.call('user.get', { FILTER: { ACTIVE: true } }) as Promise<Array<{ ID: string | number; NAME?: string; LAST_NAME?: string }> | undefined>,
      ]);
      return { sellers, users: (users ?? []).map((u) => ({ id: Number(u.ID), name: [u.NAME, u.LAST_NAME].filter(Boolean).join(' ') })) };
    } catch (err) {
      throw new AppError('PORTAL_UNREACHABLE', translate(ctx.lang, 'set.sellers.failed'), { cause: err });
    }
  },
};

/** A key for 1C; the key itself is in this answer only (the page shows it once), the service keeps its hash. */
export const createApiKeyAction: ActionDef = {
  method: 'POST',
  path: '/settings/api-keys',
  admin: true,
  async run(deps, ctx, { body }) {
    const label = str(bodyOf(body).label).trim() || '1C';
    const bad = apiKeyLabelIssues(label);
    if (bad.length) throw new ValidationError(bad.map((i) => inLang(ctx, i)));
    const { key, info } = await createApiKey(deps.database.db, ctx.portal.member_id, label, deps.clock.now());
    return { key, info };
  },
};

export const revokeApiKeyAction: ActionDef = {
  method: 'POST',
  path: '/settings/api-keys/:id/revoke',
  admin: true,
  async run(deps, ctx, { params }) {
    const id = Number(params.id);
    if (!Number.isSafeInteger(id) || !(await revokeApiKey(deps.database.db, ctx.portal.member_id, id, deps.clock.now()))) {
      throw new AppError('API_KEY_NOT_FOUND', translate(ctx.lang, 'set.keys.notFound'));
    }
    return { ok: true };
  },
};

export const SETTINGS_ACTIONS: ActionDef[] = [
  saveSettingsAction,
  numberingAction,
  emailTemplateAction,
  emailPreviewAction,
  crmFactsAction,
  createApiKeyAction,
  revokeApiKeyAction,
];
