import type { Lang } from '../lang.js';

/**
 * Deal user fields the robots write. Created on install when missing (checked with
 * crm.deal.userfield.list first, since re-adding an existing FIELD_NAME is undocumented).
 * FIELD_NAME is given without the `UF_CRM_` prefix the platform adds.
 */
export interface DealUserField {
  fieldName: string;
  type: 'string' | 'date' | 'money' | 'url' | 'double' | 'boolean';
  label: Lang;
}

export const DEAL_USER_FIELDS: DealUserField[] = [
  { fieldName: 'QRB_INV_NO', type: 'string', label: { ru: 'Счёт: номер', en: 'Invoice number' } },
  { fieldName: 'QRB_INV_DATE', type: 'date', label: { ru: 'Счёт: дата', en: 'Invoice date' } },
  { fieldName: 'QRB_INV_SUM', type: 'money', label: { ru: 'Счёт: сумма', en: 'Invoice amount' } },
  { fieldName: 'QRB_INV_DUE', type: 'date', label: { ru: 'Счёт: оплатить до', en: 'Invoice due date' } },
  { fieldName: 'QRB_INV_URL', type: 'url', label: { ru: 'Счёт: ссылка на PDF', en: 'Invoice PDF link' } },
  { fieldName: 'QRB_QRINV_URL', type: 'url', label: { ru: 'QR-счёт: ссылка на PDF', en: 'QR-invoice PDF link' } },
  { fieldName: 'QRB_QR_PNG', type: 'url', label: { ru: 'QR-код оплаты (PNG)', en: 'Payment QR image' } },
  { fieldName: 'QRB_ACT_NO', type: 'string', label: { ru: 'Акт: номер', en: 'Act number' } },
  { fieldName: 'QRB_ACT_DATE', type: 'date', label: { ru: 'Акт: дата', en: 'Act date' } },
  { fieldName: 'QRB_ACT_URL', type: 'url', label: { ru: 'Акт: ссылка на PDF', en: 'Act PDF link' } },
  { fieldName: 'QRB_BASIS', type: 'string', label: { ru: 'Основание (договор)', en: 'Basis (contract)' } },
  { fieldName: 'QRB_PER_FROM', type: 'date', label: { ru: 'Период с', en: 'Period from' } },
  { fieldName: 'QRB_PER_TO', type: 'date', label: { ru: 'Период по', en: 'Period to' } },
  { fieldName: 'QRB_PAID_SUM', type: 'money', label: { ru: 'Оплачено', en: 'Paid' } },
  { fieldName: 'QRB_PAID_DATE', type: 'date', label: { ru: 'Дата оплаты', en: 'Paid on' } },
  { fieldName: 'QRB_CONTRACT', type: 'string', label: { ru: 'Договор аренды (сделка)', en: 'Lease contract deal' } },
];

export const ufName = (fieldName: string) => `UF_CRM_${fieldName}`;

export function userFieldAddParams(f: DealUserField) {
  return {
    fields: {
      FIELD_NAME: f.fieldName,
      USER_TYPE_ID: f.type,
      XML_ID: `qrbill_${f.fieldName.toLowerCase()}`,
      LABEL: f.label,
      EDIT_FORM_LABEL: f.label,
      LIST_COLUMN_LABEL: f.label,
      LIST_FILTER_LABEL: f.label,
      MULTIPLE: 'N',
      MANDATORY: 'N',
      SHOW_FILTER: 'Y',
    },
  };
}
