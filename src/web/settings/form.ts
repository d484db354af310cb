/**
 * The settings page's forms ↔ the portal settings. A form sends every field as text (as the browser has it); this
 * turns the fields present into a settings patch of the types the CLI's JSON gives, so the same schema checks both.
 * Issue paths are mapped back to the inputs' names, so an error shows next to the field it is about.
 */
import type { ValidationIssue } from '../../errors.js';
import type { PortalSettings } from '../../settings/portalSettings.js';

type Form = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
/** A whole number stays a number; anything else is passed on as typed, for the schema to name it. */
const integer = (v: unknown): unknown => (/^-?\d{1,9}$/.test(text(v)) ? Number(text(v)) : text(v));
const decimal = (v: unknown): unknown => {
  const t = text(v).replace(',', '.').replace(/\s/g, '');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : text(v);
};
const list = (v: unknown): string[] => text(v).split(/[\s,;]+/).filter(Boolean);
const has = (form: Form, name: string) => Object.hasOwn(form, name);

/** The inputs that hold plain settings values of the same name. */
const STRING_FIELDS = ['invoiceNumberTemplate', 'actNumberTemplate', 'qrMode'] as const;
const OPTIONAL_STRING_FIELDS = ['bankPaymentLink', 'emailFrom'] as const;

export function settingsPatchFromForm(form: Form): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const f of STRING_FIELDS) if (has(form, f)) patch[f] = text(form[f]);
  // An emptied optional field removes the setting (the default applies again).
  for (const f of OPTIONAL_STRING_FIELDS) if (has(form, f)) patch[f] = text(form[f]) || undefined;
  if (has(form, 'dueDays')) patch.dueDays = integer(form.dueDays);
  if (has(form, 'reminderPauseBelowRub')) patch.reminderPauseBelowRub = decimal(form.reminderPauseBelowRub);
  if (has(form, 'accountantEmails')) patch.accountantEmails = list(form.accountantEmails);
  if (has(form, 'accountantUserIds')) patch.accountantUserIds = list(form.accountantUserIds).map(integer);
  if (has(form, 'vatOverride.mode')) {
    const mode = text(form['vatOverride.mode']);
    const rate = text(form['vatOverride.rate']);
    patch.vatOverride = mode === '' ? undefined : mode === 'none' ? { mode } : { mode, ...(rate === '' ? {} : { rate: integer(rate) }) };
  }
  if (has(form, 'penalty.mode')) {
    const cap = text(form['penalty.capPercent']);
    patch.penalty =
      text(form['penalty.mode']) === 'off'
        ? 'off'
        : { ratePerDayPercent: decimal(form['penalty.ratePerDayPercent']), ...(cap === '' ? {} : { capPercent: decimal(cap) }) };
  }
  const steps = ladderRows(form);
  if (steps) patch.escalation = steps;
  return patch;
}

/** `escalation.<i>.day|hour|action` inputs as ladder steps; the page numbers the rows 0…n−1, so issue paths match. */
function ladderRows(form: Form): unknown[] | undefined {
  if (!has(form, 'escalation.present')) return undefined;
  const rows = new Map<number, Record<string, unknown>>();
  for (const [name, value] of Object.entries(form)) {
    const m = /^escalation\.(\d+)\.(day|hour|action)$/.exec(name);
    if (!m) continue;
    const row = rows.get(Number(m[1])) ?? {};
    row[m[2]!] = m[2] === 'day' ? integer(value) : text(value);
    rows.set(Number(m[1]), row);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, r]) => ({ ...r, hour: r.hour || undefined }));
}

/**
 * The input an issue belongs to: list items point at their list (`accountantEmails.2` → `accountantEmails`, with
 * the bad value named), a whole ladder step at its action, a whole object at its first field.
 */
export function issueToField(issue: ValidationIssue, patch: Record<string, unknown>): ValidationIssue {
  const parts = issue.path.split('.');
  const [head] = parts;
  if ((head === 'accountantEmails' || head === 'accountantUserIds') && parts.length > 1) {
    const bad = (patch[head] as unknown[] | undefined)?.[Number(parts[1])];
    return { ...issue, path: head, message: bad === undefined ? issue.message : `«${String(bad)}»: ${issue.message}` };
  }
  if (head === 'escalation') {
    if (parts.length === 2) return { ...issue, path: `${issue.path}.action` };
    if (parts.length === 1) return { ...issue, path: 'escalation.0.day' };
  }
  if ((head === 'vatOverride' || head === 'penalty') && parts.length === 1) return { ...issue, path: `${head}.mode` };
  return issue;
}

/** What the forms show: the settings as the inputs hold them. */
export function formValues(s: PortalSettings): Record<string, unknown> {
  const penalty = s.penalty === 'off' ? undefined : s.penalty;
  return {
    invoiceNumberTemplate: s.invoiceNumberTemplate,
    actNumberTemplate: s.actNumberTemplate,
    dueDays: s.dueDays,
    qrMode: s.qrMode,
    bankPaymentLink: s.bankPaymentLink ?? '',
    vatMode: s.vatOverride?.mode ?? '',
    vatRate: s.vatOverride?.rate ?? '',
    accountantEmails: s.accountantEmails.join(', '),
    accountantUserIds: s.accountantUserIds.join(', '),
    emailFrom: s.emailFrom ?? '',
    escalation: s.escalation,
    penaltyOn: penalty !== undefined,
    penaltyRate: penalty ? String(penalty.ratePerDayPercent) : '',
    penaltyCap: penalty?.capPercent !== undefined ? String(penalty.capPercent) : '',
    reminderPauseBelowRub: s.reminderPauseBelowRub,
  };
}
