import { encodeStatement, writeStatement } from '../payments/statement/write.js';

/** The demo seed's accounts (src/sandbox/crm/seed.ts): the landlord's and the tenant's. */
export const DEMO_ACCOUNTS = { landlord: '40702810138250123017', tenant: '40702810801300012345' };

export interface DemoPayment {
  /** п/п number. */
  number: string;
  /** YYYY-MM-DD: paid and credited on this day. */
  paidOn: string;
  amountKopecks: number;
  invoiceNumber: string;
  /** YYYY-MM-DD. */
  invoiceDate: string;
}

/**
 * A 1C statement of the landlord's account in Windows-1251, as the bank exports it, in which ООО «Арендатор» pays the
 * given invoices (the purpose names each invoice as accountants write it).
 */
export function tenantStatement(payments: DemoPayment[], dateFrom: string, dateTo: string): Uint8Array {
  const text = writeStatement({
    account: DEMO_ACCOUNTS.landlord,
    dateFrom,
    dateTo,
    documents: payments.map((p) => ({
      number: p.number,
      date: p.paidOn,
      amountKopecks: p.amountKopecks,
      creditedOn: p.paidOn,
      payer: { name: 'ООО «Арендатор»', inn: '5027123457', kpp: '502701001', account: DEMO_ACCOUNTS.tenant },
      payee: { name: 'ООО «Арендодатель»', inn: '7704123450', account: DEMO_ACCOUNTS.landlord },
      purpose: `Оплата по счету № ${p.invoiceNumber} от ${p.invoiceDate.split('-').reverse().join('.')} за аренду офиса. В т.ч. НДС`,
    })),
  });
  return encodeStatement(text, 'windows-1251');
}

/** A deal field of money («25000.00|RUB») in kopecks. */
export const moneyFieldKopecks = (v: unknown) => Math.round(Number(String(v ?? '0').split('|')[0]) * 100);

/** The payment of the invoice a deal's fields name (sum, number, date), paid in full on `paidOn` by п/п `number`. */
export function dealInvoicePayment(fields: Record<string, unknown>, number: string, paidOn: string): DemoPayment {
  return {
    number,
    paidOn,
    amountKopecks: moneyFieldKopecks(fields['UF_CRM_QRB_INV_SUM']),
    invoiceNumber: String(fields['UF_CRM_QRB_INV_NO'] ?? ''),
    invoiceDate: String(fields['UF_CRM_QRB_INV_DATE'] ?? '').slice(0, 10),
  };
}
