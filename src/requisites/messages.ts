/** Texts of requisite issues: Russian for the manager, English for logs and bilingual UIs. */
export const MESSAGES = {
  sellerName: ['Укажите наименование продавца', 'Seller name is required'],
  sellerInn: ['Укажите ИНН продавца', 'Seller INN is required'],
  buyerName: ['Не указано наименование покупателя', 'Buyer name is missing'],
  innFormat: ['ИНН должен состоять из 10 или 12 цифр', 'INN must have 10 or 12 digits'],
  innChecksum: ['Контрольное число ИНН не сходится', 'INN check digit does not match'],
  innZeros: ['ИНН не может состоять из одних нулей', 'INN cannot be all zeros'],
  kppFormat: [
    'КПП должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры',
    'KPP must be 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits',
  ],
  kppRequired: ['Для организации (ИНН из 10 цифр) укажите КПП', 'KPP is required for an organisation (10-digit INN)'],
  kppForIp: [
    'У ИП (ИНН из 12 цифр) нет КПП — оставьте поле пустым',
    'An individual entrepreneur (12-digit INN) has no KPP',
  ],
  buyerKppMissing: ['У организации-покупателя не указан КПП', 'Buyer organisation has no KPP'],
  ogrnFormat: ['ОГРН организации должен состоять из 13 цифр', 'OGRN must have 13 digits'],
  ogrnPrefix: ['ОГРН организации начинается с 1 или 5', 'OGRN must start with 1 or 5'],
  ogrnChecksum: ['Контрольное число ОГРН не сходится', 'OGRN check digit does not match'],
  ogrnipFormat: ['ОГРНИП должен состоять из 15 цифр', 'OGRNIP must have 15 digits'],
  ogrnipPrefix: ['ОГРНИП начинается с 3 или 4', 'OGRNIP must start with 3 or 4'],
  ogrnipChecksum: ['Контрольное число ОГРНИП не сходится', 'OGRNIP check digit does not match'],
  bankName: ['Укажите название банка', 'Bank name is required'],
  bicRequired: ['Укажите БИК банка', 'BIC is required'],
  bicFormat: ['БИК должен состоять из 9 цифр и начинаться с 0', 'BIC must be 9 digits starting with 0'],
  corrRequired: ['Укажите корреспондентский счёт банка', 'Correspondent account is required'],
  corrFormat: ['Корреспондентский счёт должен состоять из 20 цифр', 'Correspondent account must have 20 digits'],
  corrPrefix: [
    'Корреспондентский счёт банка начинается с 30101 (у органов Федерального казначейства, БИК 01…, — единый казначейский счёт 40102)',
    "A bank's correspondent account starts with 30101 (for a Federal Treasury BIC 01… — the treasury account 40102)",
  ],
  corrKey: [
    'Корреспондентский счёт не соответствует БИК (неверный контрольный ключ)',
    'Correspondent account does not match the BIC (control key)',
  ],
  accountRequired: ['Укажите расчётный счёт', 'Settlement account is required'],
  accountFormat: ['Расчётный счёт должен состоять из 20 цифр', 'Settlement account must have 20 digits'],
  accountKey: [
    'Расчётный счёт не соответствует БИК (неверный контрольный ключ)',
    'Settlement account does not match the BIC (control key)',
  ],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageId = keyof typeof MESSAGES;
