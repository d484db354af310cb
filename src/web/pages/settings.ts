import { getPortalSettings } from '../../settings/portalSettings.js';
import { listSequences } from '../../storage/numbering.js';
import { listApiKeys } from '../../storage/apiKeys.js';
import { BUILTIN_EMAIL_TEMPLATES, emailTemplateDirs, readEmailTemplateSource } from '../../invoicing/emailTemplates.js';
import { LADDER_ACTIONS } from '../../overdue/ladder.js';
import { translate } from '../i18n/index.js';
import { formValues } from '../settings/form.js';
import type { Page } from './types.js';

/** IANA zones for the time zone field's suggestions, Russia's first. */
const ZONES = (() => {
  const all = Intl.supportedValuesOf('timeZone');
  const ru = ['Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Omsk', 'Asia/Novosibirsk', 'Asia/Krasnoyarsk', 'Asia/Irkutsk', 'Asia/Yakutsk', 'Asia/Vladivostok', 'Asia/Magadan', 'Asia/Kamchatka'];
  return [...ru, ...all.filter((z) => !ru.includes(z))];
})();

const JS_WORDS = [
  'set.sellers.none', 'set.sellers.failed', 'set.sellers.ok', 'set.sellers.errors', 'set.sellers.fix', 'set.sellers.inn', 'set.sellers.kpp',
  'set.sellers.bank', 'set.sellers.account', 'set.mail.own', 'set.mail.file', 'set.mail.previewFrom', 'set.keys.shown', 'set.keys.copied',
  'set.acc.users.known', 'set.ladder.remove',
];

/**
 * Everything a portal admin configures; other users see the same page read-only (the actions refuse them too).
 * The sellers and the portal's users come from the CRM after the page is shown (GET /settings/crm), so a slow
 * portal never holds the page up.
 */
export const settingsPage: Page = {
  template: 'settings',
  nav: 'settings',
  title: 'set.title',
  scripts: ['settings.js'],
  async load(deps, ctx) {
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const [settings, sequences, keys] = await Promise.all([getPortalSettings(db, memberId), listSequences(db, memberId), listApiKeys(db, memberId)]);
    const dirs = emailTemplateDirs(deps.config.EMAIL_TEMPLATES_DIR);
    const templates = [];
    for (const name of new Set<string>([...BUILTIN_EMAIL_TEMPLATES, ...Object.keys(settings.emailTemplates)])) {
      const own = settings.emailTemplates[name];
      const source = own ?? (await readEmailTemplateSource(dirs, name));
      if (!source) continue;
      const key = `set.mail.${name}`;
      const label = translate(ctx.lang, key);
      templates.push({ name, label: label === key ? name : `${label} (${name})`, own: own !== undefined, subject: source.subject.trim(), body: source.body });
    }
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: ctx.zone, year: 'numeric' }).format(ctx.now));
    return {
      admin: ctx.session.admin,
      v: formValues(settings),
      timeZone: ctx.portal.time_zone,
      zones: ZONES,
      ladderActions: LADDER_ACTIONS.map((a) => ({ value: a, label: translate(ctx.lang, `set.ladder.${a}`) })),
      sequences: sequences.map((s) => ({ ...s, next: s.lastSeq + 1, kindLabel: translate(ctx.lang, `set.num.${s.kind}`) })),
      sellerKeys: [...new Set(sequences.map((s) => s.sellerKey))],
      year,
      templates,
      firstTemplate: templates[0],
      keys,
      // For settings.js: the template texts to switch between and the words it writes into the page.
      data: {
        admin: ctx.session.admin,
        templates,
        sellerKeys: [...new Set(sequences.map((s) => s.sellerKey))],
        i18n: Object.fromEntries(JS_WORDS.map((k) => [k, translate(ctx.lang, k)])),
      },
    };
  },
};
