/**
 * The one JSON document model that every rendering takes as input (README: "Document model").
 * It is also the immutable snapshot stored for each issued invoice and act, so the same
 * snapshot always renders the same bytes. Money in the model is a decimal string («25000.00»)
 * at the edge; everything computed from it is integer kopecks.
 */
export type DocumentKind = 'invoice' | 'qr_invoice' | 'act';

export type VatRate = 22 | 10 | 7 | 5 | 0;

/** `none` prints «Без налога (НДС)»; `included` means prices already contain VAT; `on_top` adds it. */
export type VatMode = 'none' | 'included' | 'on_top';

export interface VatSpec {
  mode: VatMode;
  /** Required unless mode is `none`. */
  rate?: VatRate;
}

export interface BankDetails {
  name: string;
  bic: string;
  corrAccount: string;
  account: string;
}

export interface SellerParty {
  name: string;
  inn: string;
  /** Absent for an individual entrepreneur (ИП). */
  kpp?: string;
  /** ОГРН (13 digits) or ОГРНИП (15 digits). */
  ogrn?: string;
  address?: string;
  phone?: string;
  /** «Иванов И.И.»; for an ИП the entrepreneur himself. */
  director?: string;
  /** Position printed by the director's signature, default «Руководитель» / «Генеральный директор». */
  directorTitle?: string;
  accountant?: string;
  bank: BankDetails;
}

export interface BuyerParty {
  name: string;
  inn?: string;
  kpp?: string;
  address?: string;
  /** Signatory on the act (customer side). */
  director?: string;
  directorTitle?: string;
}

export interface DocumentLine {
  name: string;
  quantity: number;
  unit: string;
  /** Decimal string with up to 2 fraction digits: «25000.00». Price per unit as printed. */
  price: string;
}

export interface QrSpec {
  mode: 'gost' | 'link' | 'none';
  /** Bank-issued payment link, printed as is (mode `link`). */
  link?: string;
}

/** Images as data: base64 PNG or JPEG (`data:image/png;base64,...` or bare base64). */
export interface DocumentImages {
  logo?: string;
  signature?: string;
  stamp?: string;
}

export interface DocumentModel {
  kind: DocumentKind;
  number: string;
  /** YYYY-MM-DD */
  date: string;
  /** YYYY-MM-DD; invoices print «Оплатить не позднее …». */
  dueDate?: string;
  period?: { from: string; to: string };
  seller: SellerParty;
  buyer: BuyerParty;
  /** «Договор аренды № 7 от 01.02.2025» */
  basis?: string;
  lines: DocumentLine[];
  vat: VatSpec;
  qr?: QrSpec;
  /**
   * What the payment is for, instead of the item names; the QR purpose still starts with «Оплата по счету
   * № N от DD.MM.YYYY» and ends with the VAT clause around it.
   */
  purpose?: string;
  /** Contract number for the QR `Contract` field. */
  contract?: string;
  images?: DocumentImages;
  /**
   * An act is dated no earlier than the last day of its period; `true` allows an act issued before the
   * period ends (the robot's «Выставить досрочно»), and the snapshot keeps it so the act still renders.
   */
  allowEarly?: boolean;
}
