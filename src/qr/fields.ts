/**
 * GOST R 56042-2014 field names and limits (reference §1.4–1.6). Limits follow the УФЭБС payment-order
 * album as the maintained implementations do; lengths are in characters.
 */
export const MANDATORY_KEYS = ['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc'] as const;

/** Optional fields the builder emits right after the mandatory block, in this order. */
export const ORDERED_OPTIONAL_KEYS = [
  'Sum', 'Purpose', 'PayeeINN', 'KPP', 'PayerINN', 'Contract', 'DocNo', 'DocDate',
] as const;

const OTHER_KEYS = [
  'DrawerStatus', 'CBC', 'OKTMO', 'PaytReason', 'TaxPeriod', 'TaxPaytKind',
  'LastName', 'FirstName', 'MiddleName', 'PayerAddress', 'PersonalAccount', 'DocIdx', 'PensAcc', 'PersAcc',
  'Flat', 'Phone', 'PayerIdType', 'PayerIdNum', 'ChildFio', 'BirthDate', 'PaymTerm', 'PaymPeriod', 'Category',
  'ServiceName', 'CounterId', 'CounterVal', 'QuittId', 'QuittDate', 'InstNum', 'ClassNum', 'SpecFio', 'AddAmount',
  'RuleId', 'ExecId', 'RegType', 'UIN', 'TechCode',
] as const;

export const KNOWN_KEYS: readonly string[] = [...MANDATORY_KEYS, ...ORDERED_OPTIONAL_KEYS, ...OTHER_KEYS];

const CANONICAL = new Map(KNOWN_KEYS.map((k) => [k.toLowerCase(), k]));

/** Canonical spelling of a known key in any letter case; unknown keys come back unchanged. */
export function canonicalKey(key: string): string {
  return CANONICAL.get(key.toLowerCase()) ?? key;
}

export interface FieldRule {
  /** Russian name for messages to a manager. */
  label: string;
  max?: number;
  digits?: boolean;
  pattern?: RegExp;
}

export const FIELD_RULES: Record<string, FieldRule> = {
  Name: { label: 'Получатель', max: 160 },
  PersonalAcc: { label: 'Расчётный счёт', max: 20, digits: true },
  BankName: { label: 'Банк получателя', max: 45 },
  BIC: { label: 'БИК', max: 9, digits: true },
  CorrespAcc: { label: 'Корр. счёт', max: 20, digits: true },
  Sum: { label: 'Сумма', max: 18, digits: true },
  Purpose: { label: 'Назначение платежа', max: 210 },
  PayeeINN: { label: 'ИНН получателя', max: 12, digits: true },
  KPP: { label: 'КПП получателя', max: 9, pattern: /^[0-9A-Z]+$/ },
  PayerINN: { label: 'ИНН плательщика', max: 12, digits: true },
  Contract: { label: 'Договор' },
  DocNo: { label: 'Номер документа', max: 15 },
  DocDate: { label: 'Дата документа', max: 10, pattern: /^\d{2}\.\d{2}\.\d{4}$/ },
  DrawerStatus: { label: 'Статус составителя', max: 2 },
  CBC: { label: 'КБК', max: 20 },
  OKTMO: { label: 'ОКТМО', max: 11 },
  PaytReason: { label: 'Основание платежа', max: 2 },
  TaxPeriod: { label: 'Налоговый период', max: 10 },
  TaxPaytKind: { label: 'Тип платежа', max: 2 },
};
