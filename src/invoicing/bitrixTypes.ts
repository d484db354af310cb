/**
 * The parts of classic (UPPER_CASE) Bitrix24 CRM records the invoicing code reads.
 * Scalars arrive as strings in some methods and as JSON numbers in others (crm.deal.productrows.get
 * returns `"PRICE": 899.1`, `"TAX_RATE": null`), so every scalar is typed loosely and parsed on use.
 */
export type BitrixScalar = string | number | null | undefined;

/** A row of `crm.deal.productrows.get` (bitrix24/b24restdocs: api-reference/crm/deals/crm-deal-productrows-get.md). */
export interface BitrixProductRow {
  ID?: BitrixScalar;
  PRODUCT_ID?: BitrixScalar;
  PRODUCT_NAME?: string | null;
  ORIGINAL_PRODUCT_NAME?: string | null;
  /** Final price per unit: after discount, including tax (whatever TAX_INCLUDED says). */
  PRICE?: BitrixScalar;
  /** Price per unit after discount, excluding tax. */
  PRICE_EXCLUSIVE?: BitrixScalar;
  /** Price per unit before discount, excluding tax. */
  PRICE_NETTO?: BitrixScalar;
  /** Price per unit before discount, including tax. */
  PRICE_BRUTTO?: BitrixScalar;
  QUANTITY?: BitrixScalar;
  /** 1 absolute, 2 percent. */
  DISCOUNT_TYPE_ID?: BitrixScalar;
  DISCOUNT_RATE?: BitrixScalar;
  DISCOUNT_SUM?: BitrixScalar;
  /** Percent; null or empty when the row carries no tax. */
  TAX_RATE?: BitrixScalar;
  /** `Y` — PRICE as entered already contains the tax; `N` — the tax was added on top. */
  TAX_INCLUDED?: string | null;
  MEASURE_CODE?: BitrixScalar;
  MEASURE_NAME?: string | null;
  SORT?: BitrixScalar;
  [key: string]: unknown;
}

/** One address of a requisite (`crm.address.*` fields). */
export interface BitrixAddress {
  TYPE_ID?: BitrixScalar;
  ADDRESS_1?: string | null;
  ADDRESS_2?: string | null;
  CITY?: string | null;
  POSTAL_CODE?: string | null;
  REGION?: string | null;
  PROVINCE?: string | null;
  COUNTRY?: string | null;
  COUNTRY_CODE?: string | null;
  [key: string]: unknown;
}

/**
 * A record of `crm.requisite.list`. Default Russian presets: 1 organisation, 2 ИП, 3 private person
 * (ids of custom presets differ, so the kind is also inferred from the fields themselves).
 */
export interface BitrixRequisite {
  ID?: BitrixScalar;
  ENTITY_TYPE_ID?: BitrixScalar;
  ENTITY_ID?: BitrixScalar;
  PRESET_ID?: BitrixScalar;
  NAME?: string | null;
  ACTIVE?: string | null;
  ADDRESS_ONLY?: string | null;
  SORT?: BitrixScalar;
  RQ_NAME?: string | null;
  RQ_FIRST_NAME?: string | null;
  RQ_LAST_NAME?: string | null;
  RQ_SECOND_NAME?: string | null;
  RQ_COMPANY_NAME?: string | null;
  RQ_COMPANY_FULL_NAME?: string | null;
  RQ_DIRECTOR?: string | null;
  RQ_ACCOUNTANT?: string | null;
  RQ_CEO_NAME?: string | null;
  RQ_CEO_WORK_POS?: string | null;
  RQ_INN?: BitrixScalar;
  RQ_KPP?: BitrixScalar;
  RQ_OGRN?: BitrixScalar;
  RQ_OGRNIP?: BitrixScalar;
  RQ_PHONE?: string | null;
  RQ_EMAIL?: string | null;
  /** Either a formatted string or addresses keyed by address type id (6 legal, 4 registered, 1 actual …). */
  RQ_ADDR?: string | Record<string, BitrixAddress | string | null> | BitrixAddress[] | null;
  [key: string]: unknown;
}

/** A record of `crm.requisite.bankdetail.list`. */
export interface BitrixBankDetail {
  ID?: BitrixScalar;
  ENTITY_ID?: BitrixScalar;
  NAME?: string | null;
  ACTIVE?: string | null;
  SORT?: BitrixScalar;
  RQ_BANK_NAME?: string | null;
  RQ_BANK_ADDR?: string | null;
  RQ_BIK?: BitrixScalar;
  RQ_ACC_NUM?: BitrixScalar;
  RQ_COR_ACC_NUM?: BitrixScalar;
  RQ_ACC_CURRENCY?: string | null;
  [key: string]: unknown;
}

/** A CRM multifield value (`PHONE`, `EMAIL` of companies and contacts). */
export interface BitrixMultiField {
  ID?: BitrixScalar;
  VALUE?: string | null;
  VALUE_TYPE?: string | null;
  TYPE_ID?: string | null;
}
