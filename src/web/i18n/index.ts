import { common } from './common.js';
import { dashboard } from './dashboard.js';
import { deal } from './deal.js';
import { settings } from './settings.js';
import { invoices } from './invoices.js';
import { payments } from './payments.js';

export type WebLang = 'ru' | 'en';

/**
 * Every page's words, Russian first (the default) and English for `LANG=en`. Each page keeps its own
 * dictionary file; a key missing in English falls back to Russian, a key missing everywhere shows itself
 * (and the i18n test fails), so a typo is seen rather than rendered blank.
 */
const DICTIONARIES = [
  common,
  dashboard,
  deal,
  settings,
  invoices,
  payments,
];

const merged: Record<WebLang, Record<string, string>> = { ru: {}, en: {} };
for (const d of DICTIONARIES) {
  Object.assign(merged.ru, d.ru);
  Object.assign(merged.en, d.en);
}

export function translate(lang: WebLang, key: string, vars: Record<string, unknown> = {}): string {
  const text = merged[lang][key] ?? merged.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Keys present in Russian but not in English (the i18n test lists them). */
export function missingEnglish(): string[] {
  return Object.keys(merged.ru).filter((k) => !(k in merged.en));
}
