/** Bilingual text as Bitrix24 accepts it for names and descriptions (`{ru, en}`): robots, deal fields, triggers. */
export interface Lang {
  ru: string;
  en: string;
}
